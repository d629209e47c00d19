"""Date windows written the way people write them (blind set 42): "the final 7 days of September",
"the last week of September", "the final three days of data", "from the 5th to the 12th of October,
both days included", "between September 15 and September 21, inclusive".

``DATE_WINDOWS`` rewords the normalized question (spaces around every word) into the ranges the
period reader reads ("between september 24 and september 30", "the last 3 days"). "the last 7 days
of September" is the month's own last days, not the data's: it was read as the last 7 days of the
data compared with September, a wrong answer. February's last days depend on the year, which the
question may not say: not reworded (left alone; noted in docs/copilot.md). A range said to include
both its ends is the range the reader reads already ("between" counts both days).
"""

from __future__ import annotations

import calendar
import re
from datetime import date, timedelta

from genai_analyzer.analysis.copilot.numbers import MONTH
from genai_analyzer.analysis.copilot.spec import CannotAnswer, TimeRange

# the days of each month but February, by the first three letters of its name
_DAYS = {"jan": 31, "mar": 31, "apr": 30, "may": 31, "jun": 30, "jul": 31, "aug": 31, "sep": 30, "oct": 31,
         "nov": 30, "dec": 31}  # fmt: skip


def _month_end(m: re.Match, *, n: int | None = None) -> str:
    """The last ``n`` days of the month named in group 2 (group 1: how many), as a range."""
    month, days = m[2], _DAYS.get(m[2][:3])
    count = n or int(m[1])
    if days is None:
        return m[0]  # February: its last day depends on the year
    return f" the {count} days ending {month} {days}"


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
    (r"( the last (?:\d+ )?(?:days?|weeks?)) of (?:the |our )?data(?:set)?(?= )", r"\1"),
    # "from the 5th to the 12th of October, both days included": both ends, as read
    (
        rf" ({MONTH}|\d{{1,2}}(?:st|nd|rd|th)?|\d{{4}}-\d\d-\d\d),? (?:with )?(?:both (?:days|dates|ends) )?"
        r"(?:included|inclusive|inclusively)(?= )",
        r" \1",
    ),
)


def full_weeks(time: TimeRange, last_day: date) -> tuple[date, date]:
    """The last ``time.n`` whole Monday-to-Sunday weeks up to the data's last day, or inside the
    month ``time.start`` names ("--09": the last full week of September, of the data's year)."""
    end = last_day
    if time.start:
        month = int(time.start[-2:])
        end = date(last_day.year, month, calendar.monthrange(last_day.year, month)[1])
    end -= timedelta(days=(end.weekday() + 1) % 7)  # back to a Sunday
    first = end - timedelta(days=7 * time.n - 1)
    if time.start and first.month != end.month:
        raise CannotAnswer(f"{calendar.month_name[end.month]} holds fewer than {time.n} whole weeks.")
    return first, end
