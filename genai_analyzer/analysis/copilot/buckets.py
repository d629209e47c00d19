"""Histograms in buckets (blind set 38): "count the generations in 1-second latency buckets",
"queue time in 500 ms bins", "a histogram of sampling steps in buckets of 10".

One generation's latency or queue time is never a grouping by itself (a group per millisecond, the
compiler says so); in buckets of a size said it is: each row falls in the bucket of its lower bound,
``floor(latency_ms / 1000) * 1`` labelled in the unit said (seconds here), and the figure is counted
per bucket. The numeric groupings (steps, CFG, complexity, width, height) take a bucket size too.
A histogram asked of a time in ms with no size is declined, asking for one."""

from __future__ import annotations

from genai_analyzer.analysis.copilot.spec import CannotAnswer, QuerySpec
from genai_analyzer.analysis.copilot.text import QuestionText

# what may be bucketed: the row's times (in ms) and the numeric groupings
TIMES = {"latency": "latency_ms", "latencies": "latency_ms", "render time": "latency_ms",
         "generation time": "latency_ms", "queue time": "queue_ms", "queue": "queue_ms",
         "wait time": "queue_ms", "waiting time": "queue_ms"}  # fmt: skip
NUMBERS = {"sampling steps": "steps", "step count": "steps", "steps": "steps", "cfg scale": "cfg",
           "guidance scale": "cfg", "cfg": "cfg", "complexity score": "complexity",
           "prompt complexity": "complexity", "complexity": "complexity", "width": "width",
           "height": "height"}  # fmt: skip
# a session's length and number of generations (the sessions grain): its histograms count sessions
SESSION_TIMES = dict.fromkeys(("session length", "session lengths", "session duration", "session durations",
                               "length of sessions", "length of a session"), "session_length_ms")  # fmt: skip
SESSION_NUMBERS = {"session depth": "session_size", "session size": "session_size",
                   "session sizes": "session_size", "generations per session": "session_size",
                   "number of generations per session": "session_size",
                   "generations in a session": "session_size"}  # fmt: skip
TIMES |= SESSION_TIMES
NUMBERS |= SESSION_NUMBERS
UNITS = {"ms": ("ms", 1), "s": ("s", 1000), "min": ("min", 60_000)}
_WHAT = "|".join(sorted({*TIMES, *NUMBERS}, key=len, reverse=True))
_UNIT = r"(ms|milliseconds?|s|secs?|seconds?|mins?|minutes?)"
_BIN = r"(?:buckets?|bins?|bands?|intervals?|brackets?|ranges?)"
_SIZE = rf"(\d+(?:\.\d+)?)[- ]?{_UNIT}?"
BUCKETS = (
    rf"(?:(?:falls?|fell|lands?|landed) )?(?:(?:in|into|by|with|using|per|across) )?(?:each |every |a |the )?"
    rf"(?:{_SIZE}[- ])?(?:({_WHAT})[- ])?{_BIN}"
    rf"(?: of (\d+(?:\.\d+)?) ?{_UNIT}?)?(?: (?:of|for) (?:the )?({_WHAT}))?"
)
# "(0-1 s, 1-2 s, ...)", "labelling each bucket by its lower bound in seconds": how the buckets read
SAID_AS = (
    r"(?:\d+(?:\.\d+)?-\d+(?:\.\d+)? ?(?:ms|s|min)? ?)+|"
    r"label(?:l?ed|l?ing)? (?:each |every |the )?(?:bucket|bin)?s? ?by (?:its|their|the (?:bucket|bin)s?)"
    r"(?: lower bound| start| lower edge)(?: in (?:ms|milliseconds|seconds|minutes))?"
)


HISTOGRAM = rf"(?:a |the )?(?:histogram|frequency distribution|distribution) of (?:the )?({_WHAT})"
HISTOGRAM += rf"|({_WHAT}) histogram"


# "how many sessions have 1, 2, 3 ... generations": sessions counted per number of generations
# (three numbers or more in a row: "1, 2 or 3 generations" may be one count of them)
SESSION_COUNTS = (
    r"(?:how many |the number of |number of )?sessions (?:have|had|with|contain|contained|made|ran) "
    r"(?:exactly )?(?:\d+[ /]){2,}(?:or |and )?\d+ (?:or more |and up |and more |etc |etcetera )?generations"
    r"(?: etc| etcetera| and so on| and up| or more| and more)?"
)
# "bin sessions by length", "sessions grouped by duration": the session's length said after them
SESSIONS_BY = (
    r"(?:(?:bin|bucket|group|split) )?sessions (?:binned |bucketed |grouped )?by (?:their )?(length|duration)"
)


def read_buckets(t: QuestionText, spec: QuerySpec) -> None:
    """A histogram: the figure per bucket of a number ("in 1-second latency buckets"), or, said
    "histogram of steps", the generations counted per value of a numeric grouping; of a session's
    length or number of generations, the sessions counted."""
    if counts := next(t.find(SESSION_COUNTS), None):  # "how many sessions have 1, 2, 3 ... generations"
        t.take(counts)
        spec.metrics.append("session_count")
        spec.dimensions.append("session_size")
        spec.matched[counts.group(0).strip()] = "sessions counted by their number of generations"
        return
    if histogram := next(t.find(HISTOGRAM), None):
        t.take(histogram)
        what = histogram.group(1) or histogram.group(2)
        counted = _counted(t, what)
        spec.metrics.append(counted)  # a histogram counts the rows
        spec.matched[histogram.group(0).strip()] = f"a histogram: {counted.replace('_count', 's')} counted"
        if next(t.find(BUCKETS), None) is None:
            if what in TIMES:
                raise CannotAnswer(_no_size(what))
            spec.dimensions.append(NUMBERS[what])  # "histogram of steps": a count per step count
            return
    for m in sorted(t.find(BUCKETS), key=lambda m: not (m.group(1) or m.group(4))):  # a size said first
        size = m.group(1) or m.group(4)
        unit = m.group(2) or m.group(5)
        what = m.group(3) or m.group(6)
        if what is None and histogram:  # "a histogram of latency, 500 ms bins"
            what = histogram.group(1) or histogram.group(2)
        elif what is None:  # "queue time in 500 ms bins": the thing bucketed said before
            said = next(t.find(rf"({_WHAT})|{SESSIONS_BY}"), None)
            if said is None:
                continue
            t.take(said)
            what = said.group(1) or "session length"  # "bin sessions by length in 5-minute bins"
        if not histogram and (what in SESSION_TIMES or what in SESSION_NUMBERS):
            spec.metrics.append(_counted(t, what))  # "sessions in 5-minute length bins"
        if size is None:
            raise CannotAnswer(_no_size(what))
        t.take(m)
        dim = TIMES.get(what) or NUMBERS[what]
        if dim in TIMES.values() and unit is None:
            unit = "ms"
        if dim not in TIMES.values() and unit is not None:
            raise CannotAnswer(f"The {what} is a number, not a time: say the buckets' size without a unit.")
        label, factor = _unit(unit) if unit else ("", 1)
        spec.bucket = [dim, float(size), label, factor]
        spec.matched[m.group(0).strip()] = f"in buckets of {float(size):g} {label}".rstrip()
        # "(0-5 min, 5-10 min)", "count the sessions in each bin"
        for said in t.find(rf"{SAID_AS}|(?:in|per|for) (?:each|every) (?:bin|bucket|band)|^ (?:bin|bucket) "):
            t.take(said)
        return


def _no_size(what: str) -> str:
    example = "sessions in 5-minute" if what in SESSION_TIMES else "generations in 1-second"
    return f"A histogram of the {what} needs a bucket size: e.g. '{example} {what} buckets'."


def _counted(t: QuestionText, what: str) -> str:
    """The metric a histogram of ``what`` counts: generations, or sessions for a session's length or
    size (the words that say sessions are counted are read: "count the sessions in each bin")."""
    if what not in SESSION_TIMES and what not in SESSION_NUMBERS:
        return "generations"
    said = r"(?:(?:how many|the number of|number of|count of|count the|count|counting) )?(?:the )?sessions"
    for m in list(t.find(said)):
        t.take(m)
    return "session_count"


def _unit(said: str) -> tuple[str, int]:
    """("ms" | "s" | "min", milliseconds in one) of a unit as said ("seconds", "sec", "mins")."""
    if said.startswith("m") and said != "min" and not said.startswith("minute") and said != "mins":
        return UNITS["ms"]
    return UNITS["min"] if said.startswith("min") else UNITS["s"]


def column(spec: QuerySpec, layer, grain_name: str) -> tuple[str, str]:
    """(column name, SQL) of the bucket each row falls in, labelled by its lower bound."""
    dim, size, label, factor = spec.bucket
    if spec.top or spec.share or spec.running or spec.against or spec.within or spec.compare or spec.count_of:
        raise CannotAnswer("A histogram in buckets with a ranking, a share, a comparison or a running "
                           "figure is more than I can read in one question: ask for it alone.")  # fmt: skip
    expr = layer.dimensions[dim].expression(grain_name)
    if expr is None:
        raise CannotAnswer(
            f"The {layer.dimensions[dim].label} is a value of each generation: ask about generations."
        )
    name = f"{dim.removesuffix('_ms')}_bucket" + (f"_{label}" if label else "")
    bucket = f"floor({expr} / {size * factor:g}) * {size:g}"
    return name, f"CAST({bucket} AS BIGINT)" if size.is_integer() else bucket  # "3", not "3.0"


def grouped(spec: QuerySpec) -> list[str]:
    """The groupings without the bucketed number itself: "margin by step count, in buckets of 25
    steps" groups by the bucket, not by each step count inside it (blind set 42)."""
    return [d for d in spec.dimensions if not (spec.bucket and d == spec.bucket[0])]


def describe(spec: QuerySpec, layer) -> str:
    dim, size, label, _ = spec.bucket
    size_said = f"{size:g} {label}".strip()
    return f"{layer.dimensions[dim].label} in buckets of {size_said} (each named by its lower bound)"
