"""Numbers written in words, read as digits before anything else reads the question.

"fifty steps" is "50 steps", "twenty-five" is "25", "four hundred" is "400", "two thousand" is
"2000", "a dozen" is "12", "half a dozen" is "6", and a day of a month written as an ordinal ("the
ninth of October", "October ninth") is that day ("the 9th of october"). "one" stays a word ("in one
session", "which one"), and so does an ordinal that names no day of a month ("the first half",
"the second week").
"""

from __future__ import annotations

import re

_UNITS = "two three four five six seven eight nine".split()
_TEENS = "ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen".split()
_TENS = "twenty thirty forty fifty sixty seventy eighty ninety".split()
SPELLED = {w: i + 2 for i, w in enumerate(_UNITS)} | {w: i + 10 for i, w in enumerate(_TEENS)}
SPELLED |= {w: 20 + 10 * i for i, w in enumerate(_TENS)}
# Number words a question may hold: "one" as a word, the others as digits once read (known to the
# typo reader, so "fifty" is never "corrected" into another word before it becomes 50)
NUMBERS = {"one": 1} | SPELLED | {"dozen": 12, "hundred": 100, "thousand": 1000}
SPELLED_NUMBER = re.compile(
    rf"(?<![a-z0-9'-])({'|'.join(_TENS)})(?:[- ](one|{'|'.join(_UNITS)}))?(?![a-z0-9'])"
    rf"|(?<![a-z0-9'-])({'|'.join(_UNITS + _TEENS)})(?![a-z0-9'-])"
)
# "a hundred", "4 hundred", "4 hundred and 50", "2 thousand 5 hundred" (the small numbers are digits by then)
_HALF_DOZEN = re.compile(r"(?<![a-z0-9])(?:a )?half(?: a |-a-|-| )dozen(?![a-z])")
_DOZEN = re.compile(r"(?<![a-z0-9])(?:(\d{1,2}) |a |one )?dozen(?![a-z])")
_HUNDRED = re.compile(
    r"(?<![a-z0-9.])(?:(\d{1,2}) |a |one )hundred(?: and)?(?: (\d{1,2})(?![0-9.]))?(?![a-z])"
)
_THOUSAND = re.compile(
    r"(?<![a-z0-9.])(?:(\d{1,3}) |a |one )thousand(?: and)?(?: (\d{1,3})(?![0-9.]))?(?![a-z])"
)

_ORDINALS = (
    "first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth thirteenth "
    "fourteenth fifteenth sixteenth seventeenth eighteenth nineteenth twentieth"
).split()
ORDINAL = {w: i + 1 for i, w in enumerate(_ORDINALS)} | {"thirtieth": 30}
_ORDINAL_RE = rf"(?:(twenty|thirty)[- ]({'|'.join(_ORDINALS[:9])})|({'|'.join(ORDINAL)}))"  # "twenty-first"
MONTH = (  # a month's name or its abbreviation (everyday.py reads it too)
    r"(?:january|february|march|april|may|june|july|august|september|october|november|december|"
    r"jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec)"
)
# "one" after a comparison is the number ("sessions with more than one prompt"), elsewhere a word
_AFTER_COMPARISON = re.compile(r"(?<![a-z])((?:more|fewer|less) than|at least|at most|exactly) one(?= [a-z])")
_DAY_OF = re.compile(rf"(?<![a-z])(?:the )?{_ORDINAL_RE} of ({MONTH})(?![a-z])")
_MONTH_DAY = re.compile(rf"(?<![a-z])({MONTH}) (?:the )?{_ORDINAL_RE}(?![a-z])")


def _ordinal(m: re.Match, first: int) -> str:
    """The ordinal matched from group ``first`` on, in digits: "twenty-first" -> "21st"."""
    tens, unit, alone = m.group(first), m.group(first + 1), m.group(first + 2)
    n = ORDINAL[alone] if alone else {"twenty": 20, "thirty": 30}[tens] + ORDINAL[unit]
    return f"{n}{'th' if 10 <= n % 100 <= 20 else {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th')}"


def digits_for_spelled_numbers(text: str) -> str:
    """The number words of ``text`` as digits; "one" and other words unchanged."""

    def value(m: re.Match) -> str:
        if m.group(3):
            return str(SPELLED[m.group(3)])
        return str(SPELLED[m.group(1)] + (1 if m.group(2) == "one" else SPELLED.get(m.group(2) or "", 0)))

    text = _DAY_OF.sub(lambda m: f"the {_ordinal(m, 1)} of {m.group(4)}", text)
    text = _MONTH_DAY.sub(lambda m: f"{m.group(1)} {_ordinal(m, 2)}", text)
    text = SPELLED_NUMBER.sub(value, text)
    text = _AFTER_COMPARISON.sub(r"\1 1", text)  # "more than one generation": a threshold of 1
    text = _HALF_DOZEN.sub("6", text)
    text = _DOZEN.sub(lambda m: str(12 * int(m.group(1) or 1)), text)
    text = _HUNDRED.sub(lambda m: str(100 * int(m.group(1) or 1) + int(m.group(2) or 0)), text)
    return _THOUSAND.sub(lambda m: str(1000 * int(m.group(1) or 1) + int(m.group(2) or 0)), text)
