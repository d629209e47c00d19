"""Date windows written the way people write them (blind set 42): "the final 7 days of September",
"the last week of September", "the final three days of data", "from the 5th to the 12th of October,
both days included", "between September 15 and September 21, inclusive".

``DATE_WINDOWS`` rewords the normalized question (spaces around every word) into the ranges the
period reader reads ("between september 24 and september 30", "the last 3 days"). "the last 7 days
of September" is the month's own last days, not the data's: it was read as the last 7 days of the
data compared with September, a wrong answer. The month's last day is found in the data's year
(February's depends on it). A range said to include both its ends is the range the reader reads
already ("between" counts both days).
"""

from __future__ import annotations

import calendar
import re
from datetime import date, timedelta

from genai_analyzer.analysis.copilot.numbers import MONTH
from genai_analyzer.analysis.copilot.spec import CannotAnswer, TimeRange


def _month_end(m: re.Match, *, n: int | None = None) -> str:
    """The last ``n`` days of the month named in group 2 (group 1: how many): read by the period
    reader as so many days ending on that month's last day, of the data's year (``month_end``)."""
    return f" the {n or int(m[1])} days ending {m[2]} monthend"


DATE_WINDOWS = (
    # "the final 7 days of September", "the last 10 days in October": that month's last days
    (
        rf" (?:in |during |over |for )?the (?:last|final) (\d{{1,2}}) days (?:of|in) ({MONTH})(?= )",
        _month_end,
    ),
    (
        rf" (?:in |during |over |for )?the (?:last|final) (week) (?:of|in) ({MONTH})(?= )",
        lambda m: _month_end(m, n=7),
    ),
    # "the final three days of data": the data's last days
    (r" (?:the )?final(?= (?:\d+ )?(?:days?|weeks?) )", " the last"),
    (r"( the last \d+ (?:days|weeks)) of (?:the |our )?data(?:set)?(?= )", r"\1"),
    # "from the 5th to the 12th of October, both days included": both ends, as read
    (
        rf" ({MONTH}|\d{{1,2}}(?:st|nd|rd|th)?|\d{{4}}-\d\d-\d\d),? (?:with )?(?:both (?:days|dates|ends) )?"
        r"(?:included|inclusive|inclusively)(?= )",
        r" \1",
    ),
)


def window(time: TimeRange, last_day: date) -> tuple[date, date]:
    """The days of a window counted back from a month's end (``month_end``: the last ``time.n``
    days of the month ``time.start`` names) or of whole weeks (``full_weeks``)."""
    if time.kind == "month_end":
        end = _month_last_day(time.start, last_day)
        if time.n > end.day:
            raise CannotAnswer(f"{calendar.month_name[end.month]} has fewer than {time.n} days.")
        return end - timedelta(days=time.n - 1), end
    return full_weeks(time, last_day)


def full_weeks(time: TimeRange, last_day: date) -> tuple[date, date]:
    """The last ``time.n`` whole Monday-to-Sunday weeks up to the data's last day, or inside the
    month ``time.start`` names ("--09": the last full week of September, of the data's year; "2025-09"
    with the year said)."""
    end = _month_last_day(time.start, last_day) if time.start else last_day
    end -= timedelta(days=(end.weekday() + 1) % 7)  # back to a Sunday
    first = end - timedelta(days=7 * time.n - 1)
    if time.start and first.month != end.month:
        raise CannotAnswer(f"{calendar.month_name[end.month]} holds fewer than {time.n} whole weeks.")
    return first, end


def from_start(time: TimeRange, first_day: date | None) -> tuple[date, date]:
    """The first ``time.n`` days of the data (``data_start``): from its first day, or for whole weeks
    ("our first full week") from the first Monday on or after it."""
    if first_day is None:
        raise CannotAnswer("The data's first day is not known here: name the dates instead.")
    first = first_day + timedelta(days=(7 - first_day.weekday()) % 7) if time.start == "full" else first_day
    return first, first + timedelta(days=time.n - 1)


def _month_last_day(start: str, last_day: date) -> date:
    """The last day of the month ``start`` names ("2025-09", or "--09": of the data's last year)."""
    year, month = (int(start[:4]) if start[:4].isdigit() else last_day.year), int(start[-2:])
    return date(year, month, calendar.monthrange(year, month)[1])
