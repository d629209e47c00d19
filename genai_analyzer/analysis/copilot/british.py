"""British and Commonwealth English (blind set 39): "what per cent of generations failed", "the
favourite sampler amongst pro users", "mean CFG by sampler, to 2 d.p.", "calendar Q4 to date",
"the week ending Sunday the 5th of October".

``BRITISH`` rewords them into the words the other steps read: "per cent" is "percent", "amongst"
and "whilst" are "among" and "while", the favourite is the most used, "d.p." is decimal places, a
calendar quarter is the quarter, and a weekday named before a date says nothing the date does not
(the date is read; the weekday alone would be every such day)."""

from __future__ import annotations

_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*"
_WEEKDAY = r"(?:mon|tues|wednes|thurs|fri|satur|sun)day"
_TH = r"(?:st|nd|rd|th)?"

BRITISH = (
    (r" per ?cent(?= )", " percent"),
    (r" amongst(?= )", " among"),
    (r" whilst(?= )", " while"),
    # "the favourite sampler amongst pro users": the one used most
    # (not after "by": "generations by favourite colour" asks for a grouping the data has not)
    (r"(?<! by) (?:the )?(?:favourite|favorite|favoured|favored|preferred)(?: one)?(?= )", " the most used"),
    # "to 2 d.p.", "to 1dp": decimal places
    (r" (\d+) ?d ?p(?= )", r" \1 decimal places"),
    # "calendar q4", "the calendar month": the period itself
    (r" calendar (?=q[1-4] |quarter|year|month|week)", " "),
    # "the week ending sunday the 5th of october", "monday 22 september": the date alone
    (rf" {_WEEKDAY},? (?=(?:the )?\d{{1,2}}{_TH} (?:of )?{_MONTH} |{_MONTH} \d{{1,2}}{_TH} )", " "),
)
