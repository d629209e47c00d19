"""Hours of the day (UTC) and named weekdays.

Hour ranges become a filter on the layer's ``hour`` dimension, as the list of hours they cover:
a clock time ends a range before it ("between 9am and 5pm" is hours 9 to 16, "from midnight to
6am" 0 to 5), an hour number ends it on itself ("hours 3 through 7" is 3 to 7); a range past
midnight wraps ("from 10pm to 2am" is 22, 23, 0, 1). Parts of the day the semantic layer does not
define ("in the evening") are declined, naming the word. Two ranges named against each other
("6am to noon vs noon to 6pm", "from 6pm to 11pm versus the rest of the day") split the hours side
by side (``spec.splits``, one row per side). Weekdays are the ``weekday`` dimension's values and
the layer's segments ("on mondays", "weekends vs weekdays"); a weekday that could be one
date ("on monday", "last weekend") is declined rather than read as every such day.
"""

from __future__ import annotations

import re

from genai_analyzer.analysis.copilot.spec import CannotAnswer, QuerySpec
from genai_analyzer.analysis.copilot.text import QuestionText
from genai_analyzer.analysis.copilot.vocabulary import DAY_PARTS

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_CLOCK = r"(?:\d{1,2}(?::\d{2})? ?(?:am|pm|a m|p m)|\d{1,2}:\d{2}|midnight|noon|midday)"
_POINT = rf"(?:{_CLOCK}|(?:the )?hour \d{{1,2}})"
_EXCEPT = r"(?:(not|outside(?: of)?|except|excluding|other than) (?:the hours? )?)?"


_PART = rf"(?:(?:in |during |at )?(?:the )?(?:{DAY_PARTS}) )?"  # "the morning (6am to noon)"
_SIDE = rf"{_PART}(?:between |from )?({_POINT})(?: utc)? ?(?:and|to|until|till|-) ?({_POINT})(?: utc)?"
_AGAINST = r" (?:vs\.?|versus|compared (?:to|with)|against) "
_REST = (
    r"(?:all )?(?:the )?(?:"
    r"rest of the day|other hours(?: of the day)?|remaining hours|hours outside (?:it|that))"
)


def read_hours(t: QuestionText, spec: QuerySpec) -> None:
    """An hour range or a single hour the question names, as a filter on the hour of day; two
    ranges against each other, or one against the rest of the day, side by side."""
    _split_hours(t, spec)
    said = rf"(?<!good )(?:(?:late|early) )?(?:in |during |at )?(?:the )?(?:(?:late|early) )?({DAY_PARTS})"
    for m in t.find(said):  # "late at night, from 10pm to 2am"
        word = m.group(1)
        # "in the evening (6pm to midnight UTC)": the hours said right after define the part of the day
        if re.compile(rf" (?:between |from )?{_POINT} ?(?:and|to|until|till|-) ?{_POINT}").match(
            t.text, m.end()
        ):
            t.take(m)
            continue
        raise CannotAnswer(
            f"'{word}' is not defined in the semantic layer; say which hours (UTC) you mean, e.g. "
            "'between 6pm and 10pm' or 'hours 18 to 21'.",
            ("success rate between 6pm and 10pm", "generations by hour"),
            unread=(word,),
        )
    forms = [
        # "between 9am and 5pm", "from midnight to 6am", "9am-5pm"
        # ("from 10pm utc until midnight": the zone said after the first end too)
        (rf"{_EXCEPT}(?:between |from )?({_POINT})(?: utc)? ?(?:and|to|until|till|-) ?({_POINT})", "range"),
        # "hours 3 through 7" (read as "3 to 7"), "between hours 3 and 7": both ends included
        (
            rf"{_EXCEPT}(?:between |from |in |during )?(?:the )?hours (\d{{1,2}}) (?:and|to|until|-) "
            r"(\d{1,2})",
            "numbers",
        ),  # fmt: skip
        # "for each hour from 18 through 22": bare numbers right after the word hour, which stays
        # for the grouping
        (r"(?:(?<=hour )|(?<=hours ))()(?:from |between )(\d{1,2}) (?:and|to|until|-) (\d{1,2})", "numbers"),
        (
            rf"(before|until|till|earlier than|after|since|later than|from) ({_POINT})(?: on| onwards?)?",
            "open",
        ),
        (rf"(?:at|in|during) ({_POINT})", "one"),
    ]
    for pattern, form in forms:
        for m in t.find(pattern):
            if form == "range":
                hours = _span(m.group(2), m.group(3))
            elif form == "numbers":
                hours = _span(f"hour {m.group(2)}", f"hour {m.group(3)}")
            elif form == "open":
                hours = _open(m.group(1), m.group(2))
            else:
                start, _ = _hour(m.group(1))
                hours = [start % 24]
            if form in ("range", "numbers") and m.group(1):  # "outside 9am to 5pm"
                hours = [h for h in range(24) if h not in hours]
            if "hour" in spec.filters:
                raise CannotAnswer("I read one hour range per question; ask about the others separately.")
            t.seal(m)
            spec.filters["hour"] = hours
            spec.matched[m.group(0).strip()] = f"hours {describe_hours(hours)} (UTC)"
            return


def _split_hours(t: QuestionText, spec: QuerySpec) -> None:
    """ "success rate from 6am to noon vs noon to 6pm": the hour as a two-way split, each side a
    range (labelled by its hours), or one range and the rest of the day (every other hour); the
    rows are all on one side or the other, and sides that share an hour are declined."""
    for m in t.find(rf"{_SIDE}{_AGAINST}(?:{_SIDE}|({_REST}))"):
        first = _span(m.group(1), m.group(2))
        if m.group(5):
            others = [h for h in range(24) if h not in first]
            sides = [[f"hours {describe_hours(first)}", first], ["other hours", others, "rest"]]
        else:
            second = _span(m.group(3), m.group(4))
            if shared := sorted(set(first) & set(second)):
                raise CannotAnswer(
                    f"The two hour ranges share hours {describe_hours(shared)}, so a generation would be on "
                    "both sides: name ranges that do not overlap, e.g. '6am to noon vs noon to 6pm'."
                )
            sides = [[f"hours {describe_hours(h)}", h] for h in (first, second)]
        t.seal(m)
        spec.splits["hour"] = sides
        spec.filters["hour"] = sorted(h for side in sides for h in side[1])
        if "hour" not in spec.dimensions:
            spec.dimensions.append("hour")
        spec.matched[m.group(0).strip()] = (
            "hours "
            + " vs ".join(describe_hours(side[1]) if not side[2:] else "all other hours" for side in sides)
            + " (UTC), side by side"
        )
        return


def _hour(token: str) -> tuple[int, bool]:
    """The hour a time names (0-24) and whether it is a clock time (ending a range before it)."""
    token = token.replace("a m", "am").replace("p m", "pm").replace(" ", "")
    if token == "midnight":
        return 0, True
    if token in ("noon", "midday"):
        return 12, True
    if token.startswith(("hour", "thehour")):
        hour = int(token.removeprefix("the").removeprefix("hour"))
        if hour > 23:
            raise CannotAnswer(f"There is no hour {hour}: hours of the day run from 0 to 23 (UTC).")
        return hour, False
    m = re.fullmatch(r"(\d{1,2})(?::(\d{2}))?(am|pm)?", token)
    hour, minutes, half = int(m[1]), m[2], m[3]
    if minutes and minutes != "00":
        raise CannotAnswer(
            f"'{token}' is not on the hour: the warehouse groups times by whole hours (UTC), so ask "
            "from one hour to another, e.g. 'between 9am and 5pm'."
        )
    if half:
        if not 1 <= hour <= 12:
            raise CannotAnswer(f"'{token}' is not a time of day.")
        return hour % 12 + (12 if half == "pm" else 0), True
    if hour > 24:
        raise CannotAnswer(f"'{token}' is not a time of day.")
    return hour % 24, True


def _span(first: str, last: str) -> list[int]:
    start, _ = _hour(first)
    end, clock = _hour(last)
    if clock:  # "to 5pm" ends before 5pm; "to midnight" at the end of the day
        end = (end - 1) % 24
    if (end + 1) % 24 == start and clock:
        raise CannotAnswer(
            f"'{first} to {last}' covers the whole day; leave the hours out to ask about all of it."
        )
    hours = list(range(start, end + 1)) if start <= end else [*range(start, 24), *range(0, end + 1)]
    return sorted(hours)


def _open(word: str, point: str) -> list[int]:
    """ "before 9am" (0-8), "after 6pm" (18-23), "after hour 18" (19-23)."""
    hour, clock = _hour(point)
    if word in ("before", "until", "till", "earlier than"):
        if hour == 0:
            raise CannotAnswer(f"Nothing is {word} midnight in a day's hours.")
        return list(range(0, hour))
    start = hour if clock or word in ("since", "from") else hour + 1
    if start > 23:
        raise CannotAnswer(f"No hour of the day is {word} {point}.")
    return list(range(start, 24))


def describe_hours(hours: list[int]) -> str:
    """Hours as runs: [0, 1, 2, 22, 23] -> '0-2, 22-23'."""
    runs: list[list[int]] = []
    for h in sorted(hours):
        if runs and h == runs[-1][-1] + 1:
            runs[-1].append(h)
        else:
            runs.append([h])
    return ", ".join(str(r[0]) if len(r) == 1 else f"{r[0]}-{r[-1]}" for r in runs)


def refuse_one_day(t: QuestionText) -> None:
    """ "last weekend", "this monday", "on friday", "friday's errors": one date, not every such day;
    declined ("on mondays", "on a friday" and "every friday" are every such day)."""
    days = "|".join(WEEKDAYS)
    one = rf"(?:this|last|past|previous|next|coming|that) (?:{days}|weekend|week end)"
    one += rf"|(?<!a )(?<!every )(?<!each )(?<!any )(?:(?:on|for) )?(?:{days})(?!s)"
    for m in t.find(one):
        phrase = m.group(0)
        raise CannotAnswer(
            f"'{phrase}' could be one date or every such day: write the date (e.g. 'on 2025-10-06'), or "
            "the days in plural ('on mondays', 'on weekends').",
            unread=tuple(phrase.split()),
        )
