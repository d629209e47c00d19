"""One figure over another: "revenue to cost ratio by tier", "the ratio of GPU hours to sessions",
"p95 latency as a multiple of the median latency", "margin relative to revenue", "revenue divided by
cost" (blind sets 30 and 33; answered before with both figures side by side, or declined).

Read once the metrics are: exactly two figures of one grain, the first named over the second, with
the words that say so between or around them. The answer is one column, ``<a>_over_<b>``
(``(a) / nullif(b, 0)``), grouped, filtered and dated like any figure. A ratio together with a
comparison of periods, a share, a per-unit division, a scaling, a threshold on a figure or a ranking
by "best" or "worst" is declined: which figure each applies to is not said.
"""

from __future__ import annotations

import re

from genai_analyzer.analysis.copilot.ratio_words import BETWEEN, RATIO
from genai_analyzer.analysis.copilot.spec import CannotAnswer, QuerySpec
from genai_analyzer.analysis.copilot.text import QuestionText
from genai_analyzer.analysis.semantic import SemanticLayer

SEPARATOR = "_over_"


def read_ratio(layer: SemanticLayer, t: QuestionText, spec: QuerySpec) -> None:
    """``spec.ratio`` when the question asks for its two figures as one over the other."""
    if len(spec.metrics) != 2 or not re.search(rf"(?<![a-z])(?:{RATIO}|{BETWEEN})(?![a-z])", t.text):
        return
    first, second = (_said(spec, name) for name in spec.metrics)
    if not first or not second:
        return
    a, b = (rf"(?:the )?(?:{'|'.join(map(re.escape, said))})" for said in (first, second))
    found = None
    for pattern in (
        rf"(?:the |a )?ratios? (?:of|between) {a} (?:to|and|vs|versus|/|over) {b}",  # "the ratio of a to b"
        rf"{a} ?(?:to|and|/|:|vs|versus|over) ?{b} ratios?",  # "revenue to cost ratio", "revenue/cost ratio"
        rf"{a} (?:{BETWEEN}) {b}",  # "p95 latency as a multiple of the median latency"
    ):
        found = re.search(rf"(?<![a-z0-9]){pattern}(?![a-z0-9])", t.text)
        if found:
            break
    if found is None:
        return
    grains = {layer.metrics[m].grain for m in spec.metrics}
    if len(grains) > 1:
        raise CannotAnswer(
            "The two figures of that ratio are counted over different rows (generations and sessions): "
            "ask for them side by side instead."
        )
    t.take(found)
    for said in t.find(r"(?:expressed )?as an? (?:fraction|ratio|decimal|number|multiple)"):
        t.take(said)  # "margin relative to revenue, as a fraction": the ratio's own form
    spec.ratio = True
    spec.matched[found.group(0).strip()] = "the first figure over the second"


def check(layer: SemanticLayer, spec: QuerySpec) -> None:
    """Decline a ratio with anything that could apply to either of its figures."""
    if not spec.ratio:
        return
    if (
        spec.compare
        or spec.share
        or spec.per
        or spec.scale
        or spec.count_of
        or spec.sort in ("best", "worst")
        or any(th[0] in layer.metrics for th in spec.thresholds)
    ):
        raise CannotAnswer(
            "A ratio of two figures together with a comparison, a share, a per-unit division, a threshold "
            "on groups or a best / worst ranking is more than I can read at once: ask for the ratio "
            "alone, by a grouping or for a period."
        )


def column(first: str, second: str) -> str:
    return f"{first}{SEPARATOR}{second}"


def label(layer: SemanticLayer, name: str) -> str | None:
    """ "Revenue (USD) / Cost (USD)" for a ratio column, else None."""
    if SEPARATOR not in name:
        return None
    first, _, second = name.partition(SEPARATOR)
    if first in layer.metrics and second in layer.metrics:
        return f"{layer.metrics[first].label} / {layer.metrics[second].label}"
    return None


def _said(spec: QuerySpec, name: str) -> list[str]:
    """The words the question named a metric with (longest first)."""
    return sorted(spec.said(name), key=len, reverse=True)
