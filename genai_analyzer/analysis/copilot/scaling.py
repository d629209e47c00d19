"""Figures scaled to a round number of units (blind set 30, ratios): "errors per 1,000 generations",
"NSFW blocks per 10,000 images", "kept images per 100 generations", "for every 100 sessions, how many
end on a failure".

A rate per N generations is the rate times N; a count or a total per N generations is its share of one
generation (``per = "generation"``) times N. Per N sessions is read for the session rates only (the
share of sessions ending on a failure, times N). Anything else scaled ("latency per 1,000 generations",
"revenue per 100 users") is declined: the figure would be another question.
"""

from __future__ import annotations

from genai_analyzer.analysis.copilot.counted_rows import read_scope
from genai_analyzer.analysis.copilot.spec import CannotAnswer, QuerySpec
from genai_analyzer.analysis.copilot.text import QuestionText, phrase_re
from genai_analyzer.analysis.semantic import SemanticLayer

_SIZES = {"100": 100, "hundred": 100, "1 000": 1000, "1000": 1000, "1k": 1000, "thousand": 1000,
          "10 000": 10_000, "10000": 10_000, "10k": 10_000, "ten thousand": 10_000}  # fmt: skip
_UNITS = {"generation": "generation", "image": "generation", "render": "generation", "request": "generation",
          "session": "session", "user": "user"}  # fmt: skip
SCALED = (
    r"(?:per|for every|every|out of every|in every|for each) (?:(?:a|one) )?"
    r"(10 000|10000|10k|ten thousand|1 000|1000|1k|thousand|100|hundred) "
    r"(generations?|images?|renders?|requests?|sessions?|users?)"
)


def read_scale(t: QuestionText, spec: QuerySpec) -> None:
    """ "per 1,000 generations": the scale and its unit, taken from the question."""
    for m in t.find(SCALED):
        t.take(m)
        spec.scale = _SIZES[m.group(1)]
        spec.scale_of = _UNITS[m.group(2).removesuffix("s")]
        if spec.scale_of == "generation":
            spec.per = "generation"  # a count or total per generation; a rate already is one
            spec.positions["per"] = m.start()
        spec.matched[m.group(0).strip()] = f"scaled to {spec.scale:,} {spec.scale_of}s"
        return


def scaled(spec: QuerySpec, layer: SemanticLayer, metrics: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The metrics (after any division per generation) times the scale, renamed
    ``error_rate_per_1000_generations``; a figure that does not scale is declined."""
    if not spec.scale:
        return metrics
    out = []
    for name, sql in metrics:
        base = name.removesuffix(f"_per_{spec.per}") if spec.per else name
        metric = layer.metrics.get(base)
        fits = metric is not None and (
            (spec.scale_of == "generation" and metric.grain == "generations" and (
                metric.format == "rate" or name != base))
            or (spec.scale_of == "session" and metric.grain == "sessions" and metric.format == "rate")
        )  # fmt: skip
        if not fits:
            label = metric.label if metric is not None else name
            raise CannotAnswer(
                f"'{label} per {spec.scale:,} {spec.scale_of}s' is not a figure I can scale: a rate or a "
                "count per generation scales to 1,000 generations, and a share of sessions to 100 "
                "sessions, but an average, a latency or a figure per user does not.",
                unread=(f"per {spec.scale:,} {spec.scale_of}s",),
            )
        out.append((f"{base}_per_{spec.scale}_{spec.scale_of}s", f"({sql}) * {spec.scale}"))
    return out


def read_per_unit(t: QuestionText, spec: QuerySpec, metric_phrases, segments) -> None:
    """ "revenue per user", "cost per image", "gpu hours per paying user": a total divided by a
    count of units, not a grouping ("per day" and "per tier" stay groupings)."""
    units = {"user": "user", "customer": "user", "account": "user", "generation": "generation",
             "image": "generation", "render": "generation", "request": "generation",
             "session": "session", "gpu hour": "gpu_hour", "gpu-hour": "gpu_hour"}  # fmt: skip
    nouns = r"(users?|customers?|accounts?|generations?|images?|renders?|requests?|sessions?|gpu[- ]hours?)"
    # "generations per session", "time per session": metrics of their own, not a division
    own = [mm.span() for p, _ in metric_phrases if " per " in p for mm in t.find(phrase_re(p))]
    found = [m for m in t.find(rf"per (?:(active|paying|paid|successful|succeeded) )?{nouns}")
             if not any(a <= m.start() and m.end() <= b for a, b in own)]  # fmt: skip
    if len({units[m.group(2).removesuffix("s")] for m in found}) > 1:  # "revenue per user and cost per image"
        said = " and ".join(dict.fromkeys(m.group(0).strip() for m in found))
        raise CannotAnswer(
            f"Figures divided {said} in one question: I read one division at a time, so ask for each "
            "in a question of its own.",
            unread=tuple(m.group(0).strip() for m in found[1:]),
        )
    for m in found:
        t.take(m)
        spec.per = units[m.group(2).removesuffix("s")]
        if m.group(1) in ("successful", "succeeded"):  # "cost per successful image": all the cost
            if spec.per != "generation":  # over the generations that succeeded
                raise CannotAnswer(f"'{m.group(0).strip()}' is not a unit I can divide by: ask per "
                                   "successful image, or per user.", unread=(m.group(1),))  # fmt: skip
            spec.per = "successful_generation"
        # "revenue per generation, cost per generation and margin per generation": each figure said
        # before the last "per" of the same unit is divided (the cost and the margin were totals)
        again = [n for n in found[1:] if units[n.group(2).removesuffix("s")] == spec.per]
        again = [n for n in again if n.group(1) == m.group(1)]
        for n in again:
            t.take(n)
        spec.positions["per"] = (again or [m])[-1].start()
        if m.group(1) in ("paying", "paid"):
            for phrase, (dim, values) in segments.items():
                if phrase.startswith("paying users"):
                    spec.filters[dim] = list(values)
        spec.matched[m.group(0).strip()] = f"divided by the number of {spec.per.replace('_', ' ')}s"
        read_scope(t, spec)  # "counting sessions with none as zero"
        return
