"""Ranges and cut-offs on a generation's own settings and results (blind set 40, numeric bands):
"a CFG scale between 7 and 9, inclusive", "30 to 40 steps", "at least 768 pixels wide", "under 512
pixels tall", "at least 768 pixels in both width and height", "waited more than 5 seconds in the
queue".

``BANDS`` rewords each as the cut-offs the thresholds read ("cfg scale at least 7 & cfg scale at
most 9", "width at least 768"): a range is inclusive at both ends unless "exclusive" is said (then
"above" and "below"), as people say "between 7 and 9". The two cut-offs are joined by "&", not
"and": an "and" left in the question tells the metrics reader that several figures are listed.
"""

from __future__ import annotations

_NUM = r"(\d+(?:\.\d+)?)"
# the generation's numeric settings and results the layer has as groupings, as said
_SUBJECT = (
    r"(cfg scale|cfg|guidance scale|guidance|classifier[- ]free guidance|sampling steps|steps|step count|"
    r"width|image width|height|image height|latency|queue time|prompt complexity|complexity)"
)
_CMP = (
    r"(at least|at most|no more than|no less than|more than|less than|fewer than|over|under|above|below|"
    r"greater than|exactly)"
)
_FROM = rf"(?:of |is |was |were |are )?(?:between|from) {_NUM} (?:and|to|through|thru) {_NUM}"
_INCLUSIVE = r"(?:,? (?:both ends |both )?inclusive(?:ly)?|,? (?:including|incl) both(?: ends)?)?"
_EXCLUSIVE = r",? (?:both ends |both )?exclusive(?:ly)?"


def _range(subject: int, low: int, high: int):
    """The replacement for a range: at least / at most (or above / below when exclusive)."""

    def replace(m, *, exclusive: bool = False) -> str:
        lo, hi = ("above", "below") if exclusive else ("at least", "at most")
        noun = m.group(subject)
        return f" {noun} {lo} {m.group(low)} & {noun} {hi} {m.group(high)}"

    return replace


BANDS = (
    # "cfg scale between 7 and 9, exclusive" / "steps from 30 to 40 (inclusive)"
    (
        rf" {_SUBJECT} {_FROM}{_EXCLUSIVE}(?= )",
        lambda m: _range(1, 2, 3)(m, exclusive=True),
    ),
    (
        rf" {_SUBJECT} {_FROM}{_INCLUSIVE}(?= )",
        _range(1, 2, 3),
    ),
    # "with 30 to 40 steps, inclusive", "between 20 and 30 sampling steps"
    (
        rf" (?:between |from )?{_NUM} (?:and|to|through|thru|-) {_NUM} (sampling steps|steps)"
        rf"{_INCLUSIVE}(?= )",
        _range(3, 1, 2),
    ),
    # "at least 768 pixels in both width and height": a cut-off on each
    (
        rf" {_CMP} {_NUM} (?:pixels? |px )?(?:in |on |for )?both (width|height) and (width|height)(?= )",
        lambda m: f" {m[3]} {m[1]} {m[2]} & {m[4]} {m[1]} {m[2]}",
    ),
    # "at least 768 pixels wide", "under 512 px tall"
    # (after the rows named: "images at least 768 pixels wide" are those with that width)
    (rf" (images|renders|pictures|outputs) {_CMP} {_NUM} ?(?:pixels?|px) wide(?= )", r" \1 with width \2 \3"),
    (
        rf" (images|renders|pictures|outputs) {_CMP} {_NUM} ?(?:pixels?|px) (?:tall|high)(?= )",
        r" \1 with height \2 \3",
    ),
    (rf" {_CMP} {_NUM} ?(?:pixels?|px) wide(?= )", r" width \1 \2"),
    (rf" {_CMP} {_NUM} ?(?:pixels?|px) (?:tall|high)(?= )", r" height \1 \2"),
    # "waited more than 5 seconds in the queue", "sat in the queue for over 5 seconds"
    (
        rf" (?:waited|waiting|waits|wait|sat|spent|queued|stayed) {_CMP} {_NUM} ?"
        r"(ms|milliseconds?|seconds?|secs?|s|minutes?|mins?) (?:in (?:the )?(?:queue|line)|queued)(?= )",
        r" with queue time \1 \2 \3",
    ),
    (
        rf" (?:waited|sat|spent|stayed|were|was) in (?:the )?(?:queue|line) (?:for )?{_CMP} {_NUM} ?"
        r"(ms|milliseconds?|seconds?|secs?|s|minutes?|mins?)(?= )",
        r" with queue time \1 \2 \3",
    ),
    # "what did generations that waited ... cost (in total)": the cost of them
    (
        r" what did ((?:the )?(?:generations|images)) (that|which|with) (.{3,60}?) cost"
        r"(?: in total| altogether)?(?= )",
        r" cost of \1 \2 \3",
    ),
    # "took over 10 seconds end to end": the generation's latency, said as its span
    (
        r"(?<= took) (.{0,40}?) (?:end[- ]to[- ]end|start to finish|from start to finish|all told|in total)"
        r"(?= )",
        r" \1",
    ),
)
