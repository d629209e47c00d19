"""A period compared with the one before it: "did the error rate go up last week", "latency this
month compared with the previous", "revenue last week vs the prior week".

The words are not consumed ("slower" also names the metric). The direction asked for ("went up",
"got faster") keeps only the values that moved that way; "trending" compares two periods unless the
question also groups by a period, where it is a series.
"""

from __future__ import annotations

import re

from genai_analyzer.analysis.copilot.spec import QuerySpec, TimeRange
from genai_analyzer.analysis.copilot.text import QuestionText
from genai_analyzer.analysis.semantic import SemanticLayer


def read_period_compare(t: QuestionText, spec: QuerySpec, layer: SemanticLayer) -> None:
    """A period compared with the one before it. Not consumed: "slower" also names the metric.
    The direction asked for keeps only the values that moved that way."""
    if spec.time is None:
        return
    verbs = r"(?:(?:got|get|gotten|became|become|went|go|getting|is getting|are getting|used|saw) )?"
    up = r"slower|worse|more|higher|longer|up|increased?|grew|grow|growth|rose|risen"
    down = r"faster|better|less|fewer|lower|shorter|down|decreased?|dropped|fell|shrank"
    either = r"changed?|compared? (?:to|with)|vs\.? (?:the )?(?:previous|prior|last)|versus"
    weekly = any(layer.dimensions[d].time for d in spec.dimensions)  # "trending by week": a series
    either += "" if weekly else "|trend(?:ing)?"
    for pattern, direction in ((rf"{verbs}(?:{up})", "up"), (rf"{verbs}(?:{down})", "down"),
                               (either, None)):  # fmt: skip
        if re.search(rf"(?<![a-z])(?:{pattern})(?![a-z])", t.open_text()):
            spec.compare, spec.compare_direction = True, direction
            # "... than the week before": the period is the comparison's, not a grouping
            spec.dimensions = [d for d in spec.dimensions if not layer.dimensions[d].time]
            return


_PREVIOUS = re.compile(r"(?:the )?(?:previous|prior|preceding) (\d+) (days|weeks)")


def before_the_other(spec: QuerySpec) -> None:
    """Two periods named, one of them "the previous 7 days" ("error rate today vs the 7 days before
    it"): that one is the days just before the other period, not the data's last 7 days (which held
    today: blind set 45 compared today with a week that included it)."""
    sides = [spec.time, spec.baseline]
    said = [
        _PREVIOUS.fullmatch(side.phrase.strip()) if side and side.kind == "last_days" else None
        for side in sides
    ]
    if spec.baseline is None or not any(said) or all(said):
        return
    i = 0 if said[0] else 1
    other = sides[1 - i]
    days = int(said[i][1]) * (7 if said[i][2] == "weeks" else 1)
    if other.kind == "last_days" and other.n == days:
        return  # "the last 14 days vs the 14 days before": the period before by default, as it was
    spec.time = other
    spec.baseline = TimeRange("preceding", n=days, phrase=sides[i].phrase, of=other)
