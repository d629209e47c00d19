"""A period as the (first, last) day it covers.

Relative periods ("last week", "this quarter") are resolved against the last day in the data, not the
calendar: a warehouse of 2022 data asked about "last week" answers for its own last week, and the
answer says which dates that was. A period wholly outside the data is refused with the data's first
or last day, never answered as empty.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta

from genai_analyzer.analysis.copilot import date_windows
from genai_analyzer.analysis.copilot.spec import CannotAnswer, TimeRange

OPEN_START = date(1970, 1, 1)  # the first day of a range named by its end only ("until oct 5")


def resolve(time: TimeRange, last_day: date, first_day: date | None = None) -> tuple[date, date]:
    """The (first, last) day a time range covers, given the data's last (and first) day."""
    kind = time.kind
    if kind == "data_start":  # "the first 10 days of the data", "our first full week" (date_windows.py)
        return date_windows.from_start(time, first_day)
    if kind == "last_days":
        return last_day - timedelta(days=time.n - 1), last_day
    if kind == "last_week":  # the 7 days ending on the data's last day
        return last_day - timedelta(days=6), last_day
    if kind == "preceding":  # "the 7 days before that": before the period of the answer before
        first = resolve(time.of, last_day, first_day)[0]
        return first - timedelta(days=time.n), first - timedelta(days=1)
    if kind in ("full_weeks", "month_end"):  # whole weeks, a month's last days (date_windows.py)
        return date_windows.window(time, last_day)
    if kind == "week_before":  # the 7 days before the last 7
        return last_day - timedelta(days=13), last_day - timedelta(days=7)
    if kind == "this_week":
        return last_day - timedelta(days=last_day.weekday()), last_day
    if kind == "this_month":
        return last_day.replace(day=1), last_day
    if kind == "last_month":
        end = last_day.replace(day=1) - timedelta(days=1)
        return end.replace(day=1), end
    if kind == "yesterday":
        return last_day - timedelta(days=1), last_day - timedelta(days=1)
    if kind == "today":
        return last_day, last_day
    if kind == "month":
        year = int(time.start) if time.start else last_day.year
        return date(year, time.n, 1), date(year, time.n, calendar.monthrange(year, time.n)[1])
    if kind in ("quarter", "this_quarter", "last_quarter"):
        year, quarter = int(time.start) if time.start else last_day.year, time.n
        if kind != "quarter":
            year, quarter = last_day.year, (last_day.month - 1) // 3 + 1
            if kind == "last_quarter":
                year, quarter = (year, quarter - 1) if quarter > 1 else (year - 1, 4)
        first = date(year, 3 * quarter - 2, 1)
        last = date(year, 3 * quarter, calendar.monthrange(year, 3 * quarter)[1])
        return first, min(last, last_day) if kind == "this_quarter" else last
    if kind == "week_of":  # the Monday-to-Sunday week holding a day
        first = _day(time.start, last_day)
        first -= timedelta(days=first.weekday())
        return first, first + timedelta(days=6)
    if kind == "before":  # the days before a named day, not that day
        return OPEN_START, _day(time.end, last_day) - timedelta(days=1)
    if kind == "after":  # the days after a named day, not that day
        return _day(time.start, last_day) + timedelta(days=1), last_day
    if kind == "days_ending":  # so many days, ending on a named day
        last = _day(time.end, last_day)
        return last - timedelta(days=time.n - 1), last
    if kind == "between":
        first = _day(time.start, last_day) if time.start else OPEN_START
        last = _day(time.end, last_day) if time.end else last_day
        if last < first:
            raise CannotAnswer(f"The range {first} to {last} ends before it starts.")
        return first, last
    raise CannotAnswer(f"Unknown time range {kind!r}.")


def refuse_outside_data(
    bounds: tuple[date, date] | None, first_day: date | None, last_day: date, *, compared: bool = False
) -> None:
    """A period wholly after the data's last day, or wholly before its first ("the error rate in
    August 2024"), is refused: there is nothing to answer or, in a comparison, to compare with."""
    if bounds is None:
        return
    span = f"up to {bounds[1]}" if bounds[0] == OPEN_START else f"{bounds[0]} to {bounds[1]}"
    after, before = (
        "is after it, and the copilot describes what happened; it does not forecast.",
        "is before it.",
    )
    if compared:
        after = before = "has no data to compare with."
    if bounds[0] > last_day:
        raise CannotAnswer(f"The data ends on {last_day}: {span} {after}")
    if first_day and bounds[1] < first_day:
        raise CannotAnswer(f"The data starts on {first_day}: {span} {before}")


def _day(text: str, last_day: date) -> date:
    """An ISO day; ``--MM-DD`` (no year given) takes the year of the data's last day."""
    if text.startswith("--"):
        return date(last_day.year, int(text[2:4]), int(text[5:7]))
    return date.fromisoformat(text)
