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


def read_buckets(t: QuestionText, spec: QuerySpec) -> None:
    """A histogram: the figure per bucket of a number ("in 1-second latency buckets"), or, said
    "histogram of steps", the generations counted per value of a numeric grouping."""
    if histogram := next(t.find(HISTOGRAM), None):
        t.take(histogram)
        spec.metrics.append("generations")  # a histogram counts the rows
        spec.matched[histogram.group(0).strip()] = "a histogram: generations counted"
        what = histogram.group(1) or histogram.group(2)
        if next(t.find(BUCKETS), None) is None:
            if what in TIMES:
                raise CannotAnswer(f"A histogram of the {what} needs a bucket size: e.g. 'generations in "
                                   f"1-second {what} buckets'.")  # fmt: skip
            spec.dimensions.append(NUMBERS[what])  # "histogram of steps": a count per step count
            return
    for m in t.find(BUCKETS):
        size = m.group(1) or m.group(4)
        unit = m.group(2) or m.group(5)
        what = m.group(3) or m.group(6)
        if what is None and histogram:  # "a histogram of latency, 500 ms bins"
            what = histogram.group(1) or histogram.group(2)
        elif what is None:  # "queue time in 500 ms bins": the thing bucketed said before
            said = next(t.find(rf"({_WHAT})"), None)
            if said is None:
                continue
            t.take(said)
            what = said.group(1)
        if size is None:
            raise CannotAnswer(f"A histogram of the {what} needs a bucket size: e.g. 'generations in "
                               f"1-second {what} buckets'.")  # fmt: skip
        t.take(m)
        dim = TIMES.get(what) or NUMBERS[what]
        if dim in TIMES.values() and unit is None:
            unit = "ms"
        if dim not in TIMES.values() and unit is not None:
            raise CannotAnswer(f"The {what} is a number, not a time: say the buckets' size without a unit.")
        label, factor = _unit(unit) if unit else ("", 1)
        spec.bucket = [dim, float(size), label, factor]
        spec.matched[m.group(0).strip()] = f"in buckets of {float(size):g} {label}".rstrip()
        for said in t.find(SAID_AS):
            t.take(said)
        return


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


def describe(spec: QuerySpec, layer) -> str:
    dim, size, label, _ = spec.bucket
    size_said = f"{size:g} {label}".strip()
    return f"{layer.dimensions[dim].label} in buckets of {size_said} (each named by its lower bound)"
