"""Dates written with numbers only (blind set 29, a calendar voice): "9/14", "09/22–09/28",
"14/09/2025", "2025/09/14", "2025-09-15 through 09-21".

``spell_dates`` rewrites them, in the raw question, as the words the time phrases read: a date with
its year as ISO ("2025-09-14"), one without as the month's name and the day ("september 14"), and a
dash between two dates as "to". Which number is the month is read only where one reading is
possible: "9/14" and "14/9" are September 14, but "10/3" could be October 3 or March 10, and
``ambiguous_dates`` names such dates, so that the copilot asks which one (screening.py) instead of
choosing.
"""

from __future__ import annotations

import calendar
import re

_MONTH_NAMES = [name.lower() for name in calendar.month_name]  # "", "january", ...
# a date of two or three numbers joined by "/" (or "." between day and month, European style), not
# part of a longer number or a ratio of words ("sum(a) / count(b)" has spaces)
# ("1/2 of the users" is a fraction)
_NUMERIC = re.compile(r"(?<![\d/.])(\d{1,4})([/.])(\d{1,2})(?:\2(\d{2,4}))?(?![\d/]|\.\d|\s+of\b)")
# an ISO date, then a month and day without the year: "2025-09-15 through 09-21"
_SHORT_END = re.compile(
    r"(?P<start>(?P<year>\d{4})-\d{2}-\d{2})(?P<sep>\s*(?:-|–|—|to|through|thru|until|till)\s*)"
    r"(?P<month>\d{2})-(?P<day>\d{2})(?![\d-])"
)
# a dash between two dates already spelt: "september 22–september 28", "2025-09-22 - 2025-09-28"
_DATE_WORDS = rf"(?:(?:{'|'.join(_MONTH_NAMES[1:])}) \d{{1,2}}|\d{{4}}-\d{{2}}-\d{{2}})"
_MIDNIGHT = re.compile(
    r"(\d{4}-\d{2}-\d{2})(?:t|\s+)(?:00:00(?::00)?|0:00|midnight)(?:\s*(?:utc|z))?(?![\d:])"
)
_DASHED = re.compile(rf"({_DATE_WORDS})\s*[-–—]\s*(?=(?:{_DATE_WORDS})(?![\d]))")


def _reading(first: int, second: int, year: int | None) -> list[tuple[int, int, int | None]]:
    """The (month, day, year) readings of "first/second": month first (US) and day first (Europe),
    those that are real dates."""
    readings = []
    for month, day in ((first, second), (second, first)):
        if 1 <= month <= 12 and 1 <= day <= calendar.monthrange(year or 2024, month)[1]:
            readings.append((month, day, year))
    return list(dict.fromkeys(readings))


def _year(text: str | None) -> int | None:
    if text is None:
        return None
    return int(text) + 2000 if len(text) == 2 else int(text)


def _readings(m: re.Match) -> list[tuple[int, int, int | None]]:
    """The readings of one numeric date: "2025/09/14" has one (year first); "9/14" one; "10/3" two."""
    a, sep, b, c = m.group(1), m.group(2), m.group(3), m.group(4)
    if len(a) == 4:  # year first: always year, month, day
        if sep != "/" or c is None:
            return []
        return [r for r in _reading(int(b), int(c), int(a)) if r[0] == int(b)]
    if len(a) > 2 or (sep == "." and c is None):  # "3.5" is a number, not a date
        return []
    return _reading(int(a), int(b), _year(c))


def _spelt(month: int, day: int, year: int | None) -> str:
    return f"{year:04d}-{month:02d}-{day:02d}" if year else f"{_MONTH_NAMES[month]} {day}"


def _month_first(question: str) -> bool | None:
    """Whether the question's numeric dates put the month first ("9/14"), the day first ("14/9"), or
    None when none of them says (each reads both ways, or there is none)."""
    for m in _NUMERIC.finditer(question):
        a, b = m.group(1), m.group(3)
        if len(a) <= 2 and m.group(2) == "/" and len(_readings(m)) == 1:
            if int(b) > 12 >= int(a):
                return True
            if int(a) > 12 >= int(b):
                return False
    return None


def _chosen(m: re.Match, month_first: bool | None) -> list[tuple[int, int, int | None]]:
    """The readings of one date, narrowed to the order another date of the question shows."""
    readings = _readings(m)
    if len(readings) > 1 and month_first is not None:
        a = int(m.group(1))
        readings = [r for r in readings if (r[0] == a) == month_first]
    return readings


def spell_dates(question: str) -> str:
    """``question`` with each numeric date that has one reading spelt as the time phrases read it
    ("9/10-9/14": the second date says the month comes first, so the first is September 10 too)."""
    # "since 2025-10-06 00:00 UTC": the day from its start (another time of day stays unread: a
    # period is whole days)
    question = _MIDNIGHT.sub(r"\1", question)
    question = _SHORT_END.sub(lambda m: f"{m['start']} to {m['year']}-{m['month']}-{m['day']}", question)
    month_first = _month_first(question)

    def spell(m: re.Match) -> str:
        readings = _chosen(m, month_first)
        return _spelt(*readings[0]) if len(readings) == 1 else m.group(0)

    question = _NUMERIC.sub(spell, question)
    return _DASHED.sub(r"\1 to ", question)


def ambiguous_dates(question: str) -> list[tuple[str, list[str]]]:
    """Each numeric date of ``question`` that reads two ways ("10/3"), with the question rewritten
    for each reading (month first, then day first)."""
    found, month_first = [], _month_first(question)
    for m in _NUMERIC.finditer(question):
        readings = _chosen(m, month_first)
        if len(readings) > 1:
            rewrites = [question[: m.start()] + _spelt(*r) + question[m.end() :] for r in readings]
            found.append((m.group(0), [spell_dates(q) for q in rewrites]))
    return found
