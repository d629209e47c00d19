"""Units with none of something (blind set 39): "how many sessions went without a single failure",
"how many pro users had no failed generations at all", "sessions with zero failures".

``ABSENCE`` rewords them as the threshold the thresholds read, "exactly 0 failed generations" (a
count per session or user, ``HAVING count(*) FILTER (WHERE ...) = 0``): only failures, the one
status count the layer has (a count of errors is a rate there, and "exactly 0 errors" is declined
with the rate to ask for). "Which days had no failed generations" is the groups at a rate of 0
(everyday.py)."""

from __future__ import annotations

_UNITS = r"(?:[a-z]+ ){0,2}?(?:sessions|users|customers|people|accounts|prompts)"
_NONE = r"(?:with no|without (?:a single|any|one|even one|a|an)|with zero|no|zero|0|not a single|not one)"
_FAILURES = r"(?:single )?(?:failures?|failed generations?|failed images?|failed renders?|failed requests?)"

ABSENCE = (
    (
        rf" how many ({_UNITS})(?: (?:went|got|had|have|has|saw|ran|were|are|finished|ended))?(?: through)? "
        rf"{_NONE} {_FAILURES}(?: at all| whatsoever)?(?= )",
        r" how many \1 had exactly 0 failed generations",
    ),
    # "how many pro users never had a failed generation"
    (
        rf" how many ({_UNITS}) (?:have |has |had )?never (?:had|got|saw|hit|ran into|run into|experienced) "
        rf"(?:a |an |any |one |a single )?{_FAILURES}(?: at all| whatsoever)?(?= )",
        r" how many \1 had exactly 0 failed generations",
    ),
)
