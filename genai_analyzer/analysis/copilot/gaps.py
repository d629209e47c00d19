"""The gap or the ratio between two sides compared: "pro success rate, free success rate, and the gap
between them (pro minus free)", "how many times more revenue per user do enterprise users bring in
than pro users?", "k_lms against every other sampler: p95 for each and k_lms minus the rest"
(blind set 43).

The two sides are those ``splits.segment_comparison`` reads (two values of one dimension, or a value
against the rest); the answer is one row: each side's figure, then the difference (first side minus
second) or the ratio (first over second). Which side comes first: the one said before "minus", or
before "than" in "how many times more ... than ...", or the one said right after "how many times
longer" ("how many times longer everyone else waits"); otherwise the first named. Before this
module the difference was dropped without a word (the two rows were answered) and "how many times"
was declined.
"""

from __future__ import annotations

import re

from genai_analyzer.analysis.copilot.spec import CannotAnswer, QuerySpec
from genai_analyzer.analysis.copilot.text import QuestionText
from genai_analyzer.analysis.semantic import literal

_MORE = r"more|less|fewer|bigger|larger|higher|lower|greater|smaller|longer|shorter|slower|faster"
TIMES = rf"(?:how many|\d+(?:\.\d+)?) times (?:(?:{_MORE})|as (?:much|many|large|big|high|long|often))"
_RATIO = rf"{TIMES}|(?:and )?(?:the |their )?ratio(?: between (?:them|the two|those|both))?"
_DIFFERENCE = (
    r"(?:and )?(?:the |its |their )?(?:gap|difference|diff|delta|spread)"
    r"(?: between (?:them|the two|those|both|the sides))?|minus"
)


def read_gap(t: QuestionText, spec: QuerySpec) -> None:
    """``spec.gap`` ("difference" or "ratio") and ``spec.gap_sides`` (the sides' labels, first one
    first) for a comparison of two sides that asks for their gap or ratio. "How many times more"
    without two sides compared is declined, as before (nothing else reads it)."""
    ratio = next(t.find(f"(?:{_RATIO})"), None)  # (each alternative bounded: "diff" is no "different")
    difference = None if ratio else next(t.find(f"(?:{_DIFFERENCE})"), None)
    said = ratio or difference
    if said is None:
        return
    sides = _sides(spec)
    if sides is None or spec.compare or spec.running or spec.share or spec.top or len(spec.metrics) > 1:
        if ratio is None or not re.fullmatch(TIMES, ratio.group(0).strip()):
            return  # "the difference", "the ratio": left for what reads them (a comparison of periods)
        raise CannotAnswer(
            f"'{ratio.group(0).strip()}' asks how many times one figure is another: I compute it between "
            "two sides of one thing compared (e.g. 'how many times more revenue do enterprise users bring "
            "in than pro users'), one figure for each.",
            unread=tuple(ratio.group(0).split()),
        )
    dim, labels = sides
    t.take(said)
    for minus in t.find("minus"):  # "(pro minus free)"
        t.take(minus)
    for _, words in labels:  # "how many times longer everyone else waits": a side said again
        for again in t.find(f"(?:{words})"):
            t.take(again)
    spec.gap = "ratio" if ratio else "difference"
    spec.gap_sides = _first_side(t, labels, ratio is not None, said.end())
    named = sorted(labels, key=lambda side: _said_at(t.text, side[1]))
    spec.gap_shown = [label for label, _ in named]
    spec.matched[said.group(0).strip()] = (
        f"{spec.gap_sides[0]} {'over' if ratio else 'minus'} {spec.gap_sides[1]}, by {dim}"
    )


def _said_at(text: str, words: str) -> int:
    m = re.search(rf"(?<![a-z0-9])(?:{words})", text)
    return m.start() if m else len(text)


def _sides(spec: QuerySpec) -> tuple[str, list[tuple[str, str]]] | None:
    """(the dimension, [(a side's label, a regex of the words it is said with)]) of a comparison of
    two sides."""
    compared = [d for d in spec.dimensions if d in spec.groups and len(spec.groups[d]) == 2]
    if len(compared) != 1 or len(spec.dimensions) != 1:
        return None
    dim = compared[0]
    groups = spec.groups[dim]
    if dim not in spec.splits and any(len(g[1]) != 1 for g in groups):
        return None
    sides = []
    for g in groups:
        label = g[0] if dim in spec.splits else str(g[1][0])
        said = {label, str(g[0]), *(str(v) for v in g[1])} if not g[2:] else {label, str(g[0])}
        said = sorted(said, key=len, reverse=True)
        words = "|".join(re.escape(w.lower()).replace("_", "[_ ]") for w in said)
        sides.append((label, words + (f"|{_REST}" if g[2:] else "")))
    return dim, sides


_REST = r"(?:the )?rest|everyone else|everybody else|everything else|(?:all )?(?:the )?others|other [a-z]+"


def _first_side(t: QuestionText, sides: list[tuple[str, str]], ratio: bool, after: int) -> list[str]:
    """The two labels, the one the gap is taken from (or the ratio's numerator) first: the side said
    last before "minus" or, for "how many times more ... than ...", before "than"; else, for a ratio,
    the side said first after its words ("how many times longer everyone else waits"); else the
    first named."""
    text = t.text

    def last_before(words: str, end: int) -> int:
        found = re.finditer(rf"(?<![a-z0-9])(?:{words})(?![a-z0-9])", text[:end])
        return max((m.start() for m in found), default=-1)

    def first_after(words: str, start: int) -> int:
        m = re.compile(rf"(?<![a-z0-9])(?:{words})(?![a-z0-9])").search(text, start)
        return m.start() if m else len(text) + 1

    (a, a_words), (b, b_words) = sides = sorted(sides, key=lambda s: first_after(s[1], 0))
    cut = text.find(" minus ")
    if cut < 0 and ratio:
        cut = text.find(" than ", after)
    if cut >= 0:
        if last_before(b_words, cut) > last_before(a_words, cut):
            a, b = b, a
    elif ratio and first_after(b_words, after) < first_after(a_words, after):
        a, b = b, a
    return [a, b]


def wrap(spec: QuerySpec, sql: str, dims: list[str], metrics: list[str]) -> tuple[str, list[str]]:
    """One row from the two sides' rows of ``sql``: each side's figure, then their gap or ratio."""
    if len(dims) != 1 or len(metrics) != 1:  # a follow-up added a grouping or a figure to the gap
        raise CannotAnswer(
            "The gap between two sides is taken for one figure and the two sides alone: ask for the "
            "grouping or the other figure in a question of its own."
        )
    dim, metric = dims[0], metrics[0]
    a, b = spec.gap_sides
    named = spec.gap_shown
    names = [_column(named[0]), _column(named[1]), spec.gap]
    if names[0] == names[1]:
        names[1] += "_2"
    side = {v: f"max({metric}) FILTER (WHERE {dim} = {literal(v)})" for v in (a, b)}
    gap = f"{side[a]} - {side[b]}" if spec.gap == "difference" else f"{side[a]} / nullif({side[b]}, 0)"
    lines = [
        f"WITH compared AS (\n{sql}\n)",
        f"SELECT {side[named[0]]} AS {names[0]}, {side[named[1]]} AS {names[1]}, {gap} AS {names[2]}",
        "FROM compared",
    ]
    return "\n".join(lines), names


def describe(spec: QuerySpec) -> str:
    """How the gap reads: "with pro minus free", "with everyone else divided by enterprise"."""
    a, b = spec.gap_sides
    return f"with {a} {'minus' if spec.gap == 'difference' else 'divided by'} {b}"


def _column(label: str) -> str:
    name = re.sub(r"[^a-z0-9]+", "_", label.lower()).strip("_") or "side"
    return name if not name[0].isdigit() else f"side_{name}"
