"""New users in a growth lead's words (blind set 44): "brand-new people", "first-timers",
"newcomers", "users who showed up for the first time", "how many new users did we get". Reworded to
"new users", which the weekly lifecycle (per week) and users' lifetimes (per month or day) read:
a user is new on their first active day (docs/cohorts.md). ``NEWCOMER_WORDS`` rewords the normalized
question (spaces around every word) among the layer's rewordings (vocabulary.py).
"""

from __future__ import annotations

_PEOPLE = r"(?:users|people|persons|customers|accounts|creators)"

NEWCOMER_WORDS = (
    # "new free users per day": new users, of that tier (a tier's name between the two words)
    (
        r" new (?!(?:users|people|active|returning|resurrected|dormant|known|unknown|unique|distinct|"
        rf"different)(?![a-z]))([a-z]+) {_PEOPLE}(?= )",
        r" new users for \1 users",
    ),
    (rf" (?:brand[- ]new|first[- ]time|new) {_PEOPLE}(?= )", " new users"),
    (r" (?:first[- ]timers?|newcomers?|new joiners?|new arrivals?)(?= )", " new users"),
    (
        rf" {_PEOPLE} (?:who |that )?(?:showed up|show up|appeared|were seen|was seen|generated|came) "
        r"for the (?:very )?first time(?= )",
        " new users",
    ),
    # "how many brand-new people showed up each week", "how many first-timers did we get"
    (
        r" new users (?:showed up|show up|turned up|arrived|came in|joined|did we get|did we see|we got|"
        r"were there)(?= )",
        " new users",
    ),
)
