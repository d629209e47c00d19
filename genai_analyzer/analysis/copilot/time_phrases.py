"""Time phrases: "last 7 days", "the week before", "in September", "between Sept 1 and 7",
"since 2025-10-01". Relative ranges are resolved against the data's last day by the compiler."""

from __future__ import annotations

import calendar
import re
from datetime import date

from genai_analyzer.analysis.copilot.spec import CannotAnswer, QuerySpec, TimeRange
from genai_analyzer.analysis.copilot.text import QuestionText
from genai_analyzer.analysis.copilot.vocabulary import MONTHS, UNIT_COUNT_METRICS, word_number

QUARTERS = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4}
# The words of the patterns below, so that typo correction leaves them alone.
TIME_WORDS = frozenset({
    "last", "past", "previous", "prior", "week", "weeks", "before", "days", "month", "quarter", "current",
    "this", "today", "yesterday", "latest", "most", "recent", "between", "from", "since", "after",
    "until", "during", "first", "second", "third", "fourth",
})  # fmt: skip

# a period pointed back to ("their latency that day", "on the same day", "those weeks"): the period of
# the background (background.py), of the answer before (followup.in_context), or of none (declined:
# accounting.account_for_words)
THAT_PERIOD = r"(?:(?:on|in|during|over|for) )?(?:that|those|the same) (?:day|date|week|month|period)s?"

# the words opening a range at a day ("on or after sep 22" keeps the day: _open_range)
_OPEN = r"(on or after|on or before|no earlier than|no later than|since|after|from|before|until|up to)"


# a span of days counted back from a day: "the fortnight", "the 10 days", "the two weeks" (number
# words are digits by now)
_SPAN = r"(?:in |during |for |over )?(?:the )?(?:(fortnight|week)|(\d{1,3}) (days?|weeks?))"
_SPAN_DAYS = {"fortnight": 14, "week": 7, "day": 1, "days": 1, "weeks": 7}


_FIRST = r"(?:in |over |during |for |from )?(?:the |our )?(?:very )?(?:first|earliest|opening)"
# what the first days are of: the data, or nothing said after them ("the first 3 weeks vs the last 3";
# "the first 10 days of September" is the month's: date_windows.py)
_OF_DATA = (
    r"(?: (?:of|in) (?:the |our )?(?:data|dataset|records|logs|history|warehouse)| on record"
    r"| we have(?: data)?|(?! (?:of|in) ))"
)


def read_time(t: QuestionText) -> TimeRange | None:
    """The time range the question names (its words consumed), or None. Quarters are calendar
    quarters ("Q3" is July to September); a month or quarter named without a year is the one of
    the data's last year."""
    last = r"(?:in |over |during |for )?(?:the )?(?:last|past|previous)"
    day = r"(\d{4}-\d{2}-\d{2})"
    months = "|".join(MONTHS)
    yearless = "|".join(m for m in MONTHS if m != "may")
    ordinals = "|".join(QUARTERS)
    patterns = [
        (rf"{last} (\d+|one) days?",  # other number words are digits by now
         lambda m: TimeRange("last_days", n=word_number(m[1]))),
        # "the final 7 days of September" (date_windows.py): the days ending on that month's last day
        (rf"(?:the )?(\d+) days ending ({months}) monthend(?:,? (\d{{4}}))?",
         lambda m: TimeRange("month_end", n=int(m[1]), start=f"{m[3] or '-'}-{MONTHS[m[2]]:02d}")),
        # "the last 4 full weeks", "the last complete week": whole Monday-to-Sunday weeks (blind set 42)
        (rf"{last} (?:(\d+) )?(?:full|complete|whole) (?:monday[- ]to[- ]sunday |calendar |iso )?weeks?"
         rf"(?: (?:of|in) ({months})(?:,? (\d{{4}}))?)?",
         lambda m: TimeRange("full_weeks", n=word_number(m[1]) if m[1] else 1,
                             start=f"{m[3] or '-'}-{MONTHS[m[2]]:02d}" if m[2] else None)),
        # "the first 10 days of the data", "our first full week", "the first 3 weeks vs the last 3":
        # counted from the data's first day (``data_start``; blind sets 42 and 43)
        (rf"{_FIRST} (?:(\d+) )?(full |complete |whole )?(day|week)s?{_OF_DATA}",
         lambda m: TimeRange("data_start", n=(m[1] and int(m[1]) or 1) * (7 if m[3] == "week" else 1),
                             start="full" if m[2] else None)),
        (rf"{last} (\d+) weeks", lambda m: TimeRange("last_days", n=7 * word_number(m[1]))),
        (r"(?:in |over |during |for )?(?:the )?(?:last|past|most recent|latest|newest) week",
         lambda m: TimeRange("last_week")),
        (r"(?:in |over |during |for )?(?:the )?(?:previous week|week before(?: last)?|prior week)",
         lambda m: TimeRange("week_before")),
        (rf"{last} month", lambda m: TimeRange("last_month")),
        (rf"(?:in |during |for )?(?:the )?(?:q([1-4])|({ordinals}) quarter)(?: of)?(?: (\d{{4}}))?",
         lambda m: TimeRange("quarter", n=int(m[1]) if m[1] else QUARTERS[m[2]], start=m[3])),
        (r"(?:in |during |for )?(?:this|the current) quarter", lambda m: TimeRange("this_quarter")),
        (rf"{last} quarter(?! of)", lambda m: TimeRange("last_quarter")),
        (r"(?:in |during |for )?this week", lambda m: TimeRange("this_week")),
        (r"(?:in |during |for )?this month", lambda m: TimeRange("this_month")),
        (r"yesterday", lambda m: TimeRange("yesterday")),
        (r"(?:on )?(?:the )?(?:last|latest|most recent) day|today", lambda m: TimeRange("today")),
        (rf"(?:between|from) {day} (?:and|to|until|through|till) {day}",
         lambda m: TimeRange("between", start=_iso(m[1]), end=_iso(m[2]))),
        # "total spend 2025-09-15 through 2025-09-21": a range without "between" ("and" alone is
        # two days, not a range: left to the refusal of unread dates)
        (rf"(?:for |in |during |over |on )?{day} ?(?:to|until|through|till|-) ?{day}",
         lambda m: TimeRange("between", start=_iso(m[1]), end=_iso(m[2]))),
        (rf"{_OPEN} {day}",
         lambda m: _open_range(m[1], *_iso(m[2]).split("-"))),
        (rf"on {day}", lambda m: TimeRange("between", start=_iso(m[1]), end=_iso(m[1]))),
        # "the week of Sep 22": the Monday-to-Sunday week holding that day
        (rf"(?:in |during |for |over |from |to )?(?:the )?week (?:of|starting|beginning|commencing) (?:on )?"
         rf"({yearless}) (\d{{1,2}})(?:st|nd|rd|th)?(?:,? (\d{{4}}))?", lambda m: _week_of(m[3], m[1], m[2])),
        (rf"(?:in |during |for |over |from |to )?(?:the )?week (?:of|starting|beginning|commencing) (?:on )?"
         rf"(?:the )?(\d{{1,2}})(?:st|nd|rd|th)? (?:of )?({yearless})(?:,? (\d{{4}}))?",
         lambda m: _week_of(m[3], m[2], m[1])),
        (rf"(?:between|from) ({months}) (\d{{1,2}})(?:st|nd|rd|th)? (?:and|to|until|-) (?:({months}) )?"
         r"(\d{1,2})(?:st|nd|rd|th)?(?:,? (\d{4}))?", _month_days),
        # "the fortnight ending 12 October", "the 10 days up to oct 5": so many days, the last named
        (rf"{_SPAN} (?:ending|ended|up to|through|until|to) (?:on )?(?:the )?(\d{{1,2}})(?:st|nd|rd|th)? "
         rf"(?:of )?({yearless})(?:,? (\d{{4}}))?", lambda m: _days_ending(m, m[5], m[4], m[6])),
        (rf"{_SPAN} (?:ending|ended|up to|through|until|to) (?:on )?(?:the )?({yearless}) "
         rf"(\d{{1,2}})(?:st|nd|rd|th)?(?:,? (\d{{4}}))?", lambda m: _days_ending(m, m[4], m[5], m[6])),
        # "Oct 1-7", "for sept 24 to 30": days of one month written as a range
        (rf"(?:for |in |during |on |from )?(?:the )?({months}) (\d{{1,2}})(?:st|nd|rd|th)? ?(?:-|to|until) ?"
         rf"(?:({months}) )?(\d{{1,2}})(?:st|nd|rd|th)?(?:,? (\d{{4}}))?", _month_days),
        # "the first half of September": days 1-15, or 16 to the month's end
        (rf"(?:in |during |for |over )?(?:the )?(first|second|1st|2nd|last) half of ({months})"
         r"(?: (\d{4}))?",
         _half_month),
        (rf"on (?:the )?(\d{{1,2}})(?:st|nd|rd|th)? (?:of )?({months}),? (\d{{4}})",
         lambda m: _single_day(m[3], m[2], m[1])),
        (rf"on ({months}) (\d{{1,2}})(?:st|nd|rd|th)?,? (\d{{4}})",
         lambda m: _single_day(m[3], m[1], m[2])),
        # "on Oct 1st", "on the 3rd of october": one day of the data's year ("may" with a year only)
        (rf"on (?:the )?({yearless}) (\d{{1,2}})(?:st|nd|rd|th)?(?! \d)",
         lambda m: _single_day(None, m[1], m[2])),
        (rf"on (?:the )?(\d{{1,2}})(?:st|nd|rd|th)? (?:of )?({yearless})(?! \d)",
         lambda m: _single_day(None, m[2], m[1])),
        (rf"{_OPEN} (?:the )?({months}) (\d{{1,2}})(?:st|nd|rd|th)?"
         r"(?:,? (\d{4}))?", lambda m: _open_range(m[1], m[4], m[2], m[3])),
        (rf"{_OPEN} (?:the )?(\d{{1,2}})(?:st|nd|rd|th)? (?:of )?({months})"
         r"(?:,? (\d{4}))?", lambda m: _open_range(m[1], m[4], m[3], m[2])),
        (r"(?:in |during )(" + "|".join(MONTHS) + r")(?: (\d{4}))?",
         lambda m: TimeRange("month", n=MONTHS[m[1]], start=m[2])),
        # a month named alone ("september vs october"): full names only ("may" is also a verb)
        # and the abbreviations that are no other word ("sept vs oct"; not "mar", "jan", "jun")
        (r"(?:for )?(january|february|march|april|june|july|august|september|sept|october|november|december"
         r"|feb|apr|jul|aug|sep|oct|nov|dec)(?: (\d{4}))?",
         lambda m: TimeRange("month", n=MONTHS[m[1]], start=m[2])),
    ]  # fmt: skip
    for pattern, make in patterns:
        for m in t.find(pattern):
            t.take(m)
            for up in re.finditer(r"(?<![a-z])up to(?![a-z])", m.group(0)):
                # "up to oct 5" is no rise: the comparison cues read the sealed words as blanks
                t.seal_span(m.start() + up.start(), m.start() + up.end())
            found = make(m)
            found.phrase = m.group(0).strip()
            return found
    return None


def refuse_unread_dates(t: QuestionText) -> None:
    """A date the time patterns did not read is refused, never dropped: answering over all the
    data when the question named a day would be a wrong answer that looks right."""
    months = "|".join(m for m in MONTHS if m != "may")  # "may" is also a verb; "may 3" is caught below
    day = r"\d{1,2}(?:st|nd|rd|th)?"
    unread = rf"\d{{4}}-\d{{2}}-\d{{2}}|(?:{months}|may)(?: {day}| \d{{4}})|{day} (?:of )?(?:{months}|may)"
    unread += (
        rf"|(?:since|after|before|until|from) (?:{months})|q\d|(?:{'|'.join(QUARTERS)}|last|next) quarter"
    )
    for m in t.find(unread):
        raise CannotAnswer(
            f"I could not read the dates in '{m.group(0).strip()}'. Write them like 'since 2025-10-01', "
            "'between September 1 and September 7', 'in September' or 'last 7 days'."
        )


def _single_day(year: str | None, month: str, day: str) -> TimeRange:
    """One day; with no year, the data's year at compile time (a ``--MM-DD`` form until then)."""
    if year is None:
        _open_range("on", None, month, day)  # refuses a day that does not exist ("feb 30")
        iso = f"--{MONTHS[month]:02d}-{int(day):02d}"
        return TimeRange("between", start=iso, end=iso)
    iso = _iso(f"{int(year):04d}-{MONTHS[month]:02d}-{int(day):02d}")
    return TimeRange("between", start=iso, end=iso)


def _week_of(year: str | None, month: str, day: str) -> TimeRange:
    """ "the week of Sep 22": the ISO week (Monday to Sunday) holding that day; no year given takes
    the data's year at compile time."""
    one = _single_day(year, month, day)
    return TimeRange("week_of", start=one.start, phrase=f"the week of {month} {day}")


def _days_ending(m, month: str, day: str, year: str | None) -> TimeRange:
    """ "the fortnight ending 12 October": the days counted back from that day, which is the last;
    no year given takes the data's year at compile time."""
    days = _SPAN_DAYS[m[1]] if m[1] else int(m[2]) * _SPAN_DAYS[m[3]]
    if days < 1:
        raise CannotAnswer(f"'{m.group(0).strip()}' holds no day.")
    return TimeRange("days_ending", n=days, end=_single_day(year, month, day).end)


def _open_range(word: str, year: str | None, month: str, day: str) -> TimeRange:
    """ "since October 1st 2025", "before oct 3", "after 2025-10-01": a range open at one end; no
    year given takes the data's year at compile time, as ``_month_days`` does. "before" and "after"
    leave the day named out ("before oct 3" ends on oct 2), "since", "from", "until" and "up to"
    keep it."""
    # "on or after sep 22" keeps the day named (it was read as "after", one day later: blind set 34)
    word = {
        "on or after": "since",
        "no earlier than": "since",
        "on or before": "until",
        "no later than": "until",
    }.get(word, word)
    number = int(month) if month.isdigit() else MONTHS[month]
    iso = f"{int(year):04d}-{number:02d}-{int(day):02d}" if year else f"--{number:02d}-{int(day):02d}"
    try:
        date(int(year or 2000), number, int(day))  # 2000: a leap year, so "feb 29" passes
    except ValueError as exc:
        raise CannotAnswer(f"'{month} {day}' is not a date.") from exc
    if word in ("before", "after"):
        return TimeRange(word, start=iso if word == "after" else None, end=iso if word == "before" else None)
    if word in ("since", "from"):
        return TimeRange("between", start=iso)
    return TimeRange("between", end=iso)


def _month_days(m) -> TimeRange:
    """ "between September 1 and September 7, 2025": a year-less range gets the data's year at
    compile time (``start``/``end`` keep a ``--MM-DD`` form until then)."""
    year = m[5]
    first = f"{year or ''}-{MONTHS[m[1]]:02d}-{int(m[2]):02d}"
    last = f"{year or ''}-{MONTHS[m[3] or m[1]]:02d}-{int(m[4]):02d}"
    return TimeRange("between", start=first if year else "-" + first, end=last if year else "-" + last)


def _half_month(m) -> TimeRange:
    """The first half of a month is days 1-15, the second (or last) 16 to its end."""
    month, year = MONTHS[m[2]], m[3]
    if year is None and month == 2 and m[1] not in ("first", "1st"):
        raise CannotAnswer("The second half of February ends on the 28th or the 29th: say the year.")
    end = calendar.monthrange(int(year or 2001), month)[1]
    first, last = (1, 15) if m[1] in ("first", "1st") else (16, end)
    prefix = f"{year}-" if year else "--"
    return TimeRange(
        "between", start=f"{prefix}{month:02d}-{first:02d}", end=f"{prefix}{month:02d}-{last:02d}"
    )


def _iso(text: str) -> str:
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError as exc:
        raise CannotAnswer(f"'{text}' is not a date (use YYYY-MM-DD).") from exc


# "users active in both September and October", "of the users active last week, how many were also
# active the week before": the units seen in each of two periods, not the two periods' counts
_OVERLAP = (
    # ("show both weeks' counts": the two figures, no overlap)
    r"both(?! (?:weeks?|months?|days?|periods?|numbers|counts|figures|values|totals)(?![a-z]))"
    r"(?= (?:in|during|on|over|for)? ?(?:the )?[a-z0-9])|(?:were|was|are|is) also|"
    r"also (?:active|generat[a-z]*|there|back|came back|returned|present|seen|made|used)|"
    r"in each of (?:the |both )?(?:two|2|those|these)"
)


def read_overlap(t: QuestionText, spec: QuerySpec) -> None:
    """A count of users "in both" of two periods compared asks for the users seen in each, not the
    two periods' counts (blind set 36): ``spec.overlap`` (overlap.py, blind set 44). Sessions, or users
    beside another figure, in both periods are declined."""
    if not ((spec.baseline is not None or spec.compare) and UNIT_COUNT_METRICS & set(spec.metrics)):
        return
    found = list(t.find(_OVERLAP))
    if not found:
        return
    if spec.metrics != ["active_users"]:
        raise CannotAnswer(
            "That asks for the sessions (or users beside another figure) seen in both periods, an overlap "
            "I count for users alone, e.g. 'how many users were active in both September and October'.",
            unread=("both",),
        )
    for m in found:
        t.take(m)
    spec.overlap = True
    spec.matched[found[0].group(0)] = "users active in each of the two periods"


def period_noun(t: QuestionText, m: re.Match) -> str | None:
    """Why a time dimension's bare word (``m``) is no grouping: "range" when its range follows ("where
    date_key between '2025-10-01' and ...", blind set 35), "back" when it points back to a day said
    before ("their median latency that day", blind set 36: it grouped by day), else None."""
    if re.match(r"(?: key)? (?:between|from|since|after|before|is|equals?) ", t.text[m.end() :]):
        return "range"
    if re.search(r"(?:that|those|the same) $", t.text[: m.start()]):
        return "back"
    return None
