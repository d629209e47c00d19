"""Users' lifetimes (blind set 44, cohorts and retention in a product analyst's words): "how many
first-timers did we get each month", "what fraction of users came back after their first day", "per
plan, what share of users were active again in a later week", "how long do users stick around (days
from their first generation to their last)", "how many users only ever generated on a single day",
"the median number of distinct days a user was active on".

Each is a figure over known users' whole histories, one row per user (``cohorts.lifetimes_query``;
docs/cohorts.md: the unknown user is no person and is left out, and a date range does not cut a
history). New users each *week* stay the weekly lifecycle's answer (behaviour.py), the same count.
Routed here only by a lifetime's own words (``LIFETIME``); behaviour.py reads the tiers, and every
other word is read or the question is declined, naming it.
"""

from __future__ import annotations

from genai_analyzer.analysis.cohorts import lifetimes_query
from genai_analyzer.analysis.copilot.spec import CannotAnswer
from genai_analyzer.analysis.copilot.text import QuestionText
from genai_analyzer.analysis.copilot.vocabulary import MONTH_NAMES, MONTHS
from genai_analyzer.analysis.filters import Filters, inline
from genai_analyzer.analysis.semantic import SemanticLayer

_WHO = r"(?:(?:a|the|each|every|our|their) )?(?:users?|people|persons?|customers?|accounts?)(?: s)?"
_THEIR = r"(?:their|a user|the user|each user|a person|his or her|its)"
_LATER = r"(?:on |in )?(?:a |some |any |another |one )?(?:later|another|second|subsequent|different|new)"
_BACK = (
    r"(?:ever )?(?:came|come|comes|coming|returned|return|returns|returning|were active|was active|"
    r"are active|is active|generated|were seen|was seen)(?: back| again)*"
)
# "came back on a later day (, after the day of their first generation)", "active again in some later
# week than the week they started in": came back after the first day, or after the first week
CAME_BACK = {
    "day": rf"{_BACK} {_LATER} day(?:,? after (?:the day of )?{_THEIR} first (?:generation|day|active day))?",
    "week": (
        rf"{_BACK} {_LATER} week(?: than (?:the week )?(?:they|he or she) (?:started|joined|began)(?: in)?"
        rf"| after {_THEIR} first (?:active )?week)?"
    ),
}
# "only ever generated on a single day", "never came back", "one-day users"
ONE_DAY = (
    r"(?:(?:only|just)(?: ever)? (?:generated|were active|was active|used it|came|showed up) on "
    r"(?:a single|one|1|only one|just one) day(?: and never came back)?|one[- ]day users|single[- ]day users)"
)
# "how long do users stick around ... the number of calendar days from the day of a user's first
# generation to the day of their last one": the days between the first and the last active day
SPAN = (
    r"(?:(?:number of )?(?:calendar )?days (?:from|between) (?:the day of )?"
    r"(?:a user |their |the |each user )?first(?: generation| active day| day)? (?:to|and) (?:the day of )?"
    r"(?:their |the )?last(?: one| generation| active day| day)?)"
)
STAY = (
    r"how long (?:do|does|did) (?:users|people|customers|a user|they) "
    r"(?:stick around|stay|remain active|keep coming back)"
)
ACTIVE_DAYS = (
    r"(?:number of )?(?:distinct |different )?(?:days (?:a |each |the )?(?:user|person) (?:was|is|were) "
    r"active(?: on)?|active days(?: per user)?|days active(?: per user)?)"
)
NEW_BY = r"(?:by|per|each|every|in each|for each|a) (month|day)|(monthly|daily)|(month|day) by (?:month|day)"
NEW_BY += r"|going by the (month|day) of (?:each person|each user|their|a user|a person) first generation"
# "new users in October", "how many new users did we acquire during september 2025": the users whose
# first active day falls in that month (blind set 46; the weekly lifecycle declined it)
_MONTH_NAMES = "|".join(sorted(MONTHS, key=len, reverse=True))
NEW_IN = rf"(?:in|during|for|over) ({_MONTH_NAMES})(?:,? (\d{{4}}))?"
LIFETIME = rf"{CAME_BACK['day']}|{CAME_BACK['week']}|{ONE_DAY}|{SPAN}|{STAY}|{ACTIVE_DAYS}"
SHARE = r"(?:what |the )?(?:share|fraction|proportion|percentage|percent|%|rate)(?: of)?"


# "for known users", "identified users", "leave out the anonymous 'unknown' account": what a lifetime (and
# the weekly lifecycle) is over already, said again (blind set 46: it declined on those words)
KNOWN_ONLY = (
    r",? (?:for|among|of|across) (?:the |our |all )?(?:known"
    r"|identified|named) (?:users|people|accounts|customers),?"
    r"(?= )|,? (?:leave|leaving|excluding|exclude|except"
    r"|without|not counting|ignoring|ignore) (?:out )?(?:the )?"
    r"(?:anonymous )?'?unknown'? (?:user|account)s?(?: out)?(?= )|(?<= )(?:known|identified|named) (?=users )"
)


def known_only(t: QuestionText, over_known) -> QuestionText:
    """``t`` without the words that say "known users only" when the figure asked (``over_known``: a test
    of the text left) counts known users only anyway; ``t`` itself otherwise."""
    fresh = t.reworded(KNOWN_ONLY)
    return fresh if fresh.text != t.text and over_known(fresh) else t


def asks(t: QuestionText) -> bool:
    """Whether the question names a lifetime figure (or new users by month or by day)."""
    return t.has(LIFETIME) or (t.has(r"new users") and (t.has(NEW_BY) or t.has(NEW_IN)))


def read(t: QuestionText, tiers: list[str], by_tier: bool, layer: SemanticLayer) -> tuple[str, str]:
    """(SQL, reading) of a lifetime question; ``CannotAnswer`` when the figure is not said whole."""
    figure, reading = _figure(t, layer)
    sql, params = lifetimes_query(Filters(tiers=tiers or None), by="tier" if by_tier else "none")
    keys = ["grp AS tier"] if by_tier else []
    period = next((c for c in figure if c.endswith((" AS month", " AS day"))), None)
    columns = [c for c in figure if c != period]
    select = ", ".join([*([period] if period else []), *keys, *columns])
    order = ", ".join(key for key, said in (("1", period), ("grp", by_tier)) if said)
    sql = (
        f"WITH lifetimes AS ({inline(sql, params).strip()})\nSELECT {select} FROM lifetimes"
        + (" GROUP BY ALL" if keys or period else "")
        + (f" ORDER BY {order}" if order else "")
    )
    return sql, reading + " (known users over their whole history: docs/cohorts.md)"


def _figure(t: QuestionText, layer: SemanticLayer) -> tuple[list[str], str]:
    """The figure's columns (a period first, for new users) and its reading."""
    share = t.take_first(rf"{SHARE} (?:of )?(?:all )?{_WHO}(?: who| that)?|{SHARE}")
    # a count's words: the figure is a count of users unless a share is asked for
    t.take_first(rf"how many {_WHO}(?: who| that)?|(?:the )?number of {_WHO}(?: who| that)?")
    median = t.take_first(r"(?:the )?median")
    mean = t.take_first(r"(?:the |on )?(?:average|mean|avg|typical)")
    if median and mean:
        raise CannotAnswer("Both a median and an average are asked for one figure: ask for one.")
    stat, stat_word = ("quantile_cont({}, 0.5)", "Median") if median else ("avg({})", "Average")
    for kind, pattern in CAME_BACK.items():
        if t.take_first(pattern):
            first, last = f"first_{kind}", f"last_{kind}"
            said = f"came back after their first {kind} (a later active {kind})"
            return _counted(share, f"{last} > {first}", f"returned_after_first_{kind}", said)
    if t.take_first(ONE_DAY):
        return _counted(share, "active_days = 1", "one_day_users", "were active on one day only")
    span, stay = t.take_first(SPAN), t.take_first(STAY)  # either, or both ("how long do they stay? days ...")
    if span or stay:
        t.take_first(rf"{_WHO} (?:stick around|stay)")
        days = stat.format("date_diff('day', first_day, last_day)")
        column = f"{days} AS days_first_to_last"
        return [column], f"{stat_word} days from a user's first to last active day"
    if t.take_first(ACTIVE_DAYS):
        t.take_first(r"(?:per|for each|of each|of a|a) (?:user|person)")
        return [f"{stat.format('active_days')} AS active_days"], f"{stat_word} active days per user"
    month = next(t.find(NEW_IN), None)
    new = r"(?:how many |the number of )?(?:brand[- ])?new (?:identified |known )?users"
    if month and not t.has(NEW_BY) and t.take_first(new):
        t.take(month)
        name = month[1]
        # "counting users whose very first generation was in October": the month said again
        t.take_first(
            r"(?:(?:counting|i e|that is|meaning|ie) )?(?:the )?(?:users|people|accounts) whose (?:very )?"
            rf"first (?:generation|active day|day) (?:was|fell|came|happened) (?:in|during) {name}"
            rf"(?: {month[2]})?"
        )
        gained = r"acquire|acquired|get|got|gain|gained|win|won|picked up|pick up"
        t.take_first(rf"(?:did )?(?:we |you )?(?:{gained})")
        year = month[2] or "(SELECT max(year(date_key)) FROM fact_generations)"  # the data's last year
        condition = f"month(first_day) = {MONTHS[name]} AND year(first_day) = {year}"
        said = f"New users in {MONTH_NAMES[MONTHS[name] - 1].capitalize()}"
        said += f" {month[2]}" if month[2] else ""
        return [f"count(*) FILTER (WHERE {condition}) AS new_users"], said + ", by their first active day"
    m = next(t.find(NEW_BY), None)
    if m and t.take_first(r"(?:how many |the number of )?(?:brand[- ])?new users"):
        t.take(m)
        unit = next(g for g in m.groups() if g).replace("monthly", "month").replace("daily", "day")
        expr = layer.dimensions[unit].expression("generations").replace("f.date_key", "first_day")
        said = f"New users per {unit}, by their first active day"
        return [f"{expr} AS {unit}", "count(*) AS new_users"], said
    raise CannotAnswer("I read a question on users' histories but not which figure: ask e.g. 'new users "
                       "per month' or 'share of users who came back on a later day'.")  # fmt: skip


def _counted(share: str | None, condition: str, name: str, said: str) -> tuple[list[str], str]:
    """The users meeting ``condition``: their share when one was asked for, else their count."""
    if share:
        rate = f"avg(CASE WHEN {condition} THEN 1.0 ELSE 0.0 END) AS {name}_share"
        return [rate], f"Share of users who {said}"
    return [f"count(*) FILTER (WHERE {condition}) AS {name}"], f"Users who {said}"
