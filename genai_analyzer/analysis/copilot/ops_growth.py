"""An on-call engineer's and a growth PM's words for figures the layer has (blind set 33): "which
error code fired the most", "max single latency recorded", "over the whole dataset", "images 768
pixels wide", "power users by number of generations", "users with at least one generation",
"revenue divided by the number of distinct active users".

``OPS_GROWTH`` rewords the normalized question (spaces around every word) before the layer's own
rewordings. A growth word that names no figure by itself ("power users", "activation") is never
given one here: "how many power users" stays unanswered, "the top 5 power users by generations" is
the top 5 users by generations, the ranking saying what "power" means.
"""

from __future__ import annotations

_UNIT = r"(?:active )?(user|session|generation|image|prompt)s?"

OPS_GROWTH = (
    # "which error code fired the most", "the code that was thrown most often": occurred
    (
        r" (?:fired|fires|triggered|was thrown|were thrown|got thrown|was raised|were raised|showed up|"
        r"occurred|occurs|occur|happened|happens|happen|appeared|appears|appear|popped up|pops up|pop up|"
        r"shows up|show up|comes up|come up|came up|turns up|turn up|crops up|crop up)"
        r" (?:the )?(most|least)(?: often| "
        r"frequently)?(?= )",
        r" is the \1 common",
    ),
    # "max single latency recorded per sampler": the maximum (EXTREMES reads "single")
    (r" (latency|queue time|wait time) (?:ever )?(?:recorded|seen|observed|logged|measured)(?= )", r" \1"),
    (r" (max|maximum|min|minimum) single (latency|queue time|wait time)(?= )", r" \1 \2"),
    # "Power users: how many users made more than 50 generations": a heading the question defines
    (r"^ power users?:(?= )", ""),
    # "over the whole dataset", "for the entire period": all the data, which is the default
    (
        r" (?:(?:over|for|across|in|on|during|of) )?(?:the )?(?:whole|entire|full|complete) "
        r"(?:dataset|data set|data|"
        r"period|time range|history|range)(?= |$)",
        " ",
    ),
    (r" (?:whole|entire) (?:dataset|data set)(?= )", " "),
    # "how many generations are in the warehouse in total", "p99 latency over all generations": all
    # the data, as with no period
    (r" (?:are |is )?(?:in|within) (?:the |our |this )?(?:warehouse|database|data ?set|data)(?= )", " "),
    (r" (?:over|across|for) all (?:the |our )?(?:generations|images|data|rows)(?= |$)", " "),
    # "images 768 pixels wide", "512 px tall": the width or height, exactly
    (r" (\d+) ?(?:pixels?|px) wide(?= )", r" with a width of exactly \1"),
    (r" (\d+) ?(?:pixels?|px) (?:tall|high)(?= )", r" with a height of exactly \1"),
    # "our top 5 power users by number of generations": the ranking says what "power" is
    (r"(?<= top \d) power (users?)(?= by )", r" \1"),
    (r"(?<= top \d\d) power (users?)(?= by )", r" \1"),
    # "users with at least one generation", "distinct users with 1 or more generations": active users
    (
        r" (?:distinct |unique )?users (?:with|who made|who had|having|that made) (?:at least "
        r"(?:one|1)|1 or more|"
        r"one or more|any) (?:generations?|images?)(?= )",
        " active users",
    ),
    # "what fraction of last week's active users": of the active users, last week
    (
        r" of ((?:last|this|previous|past) (?:week|month|\d+ days))'s? ((?:active |paying |paid "
        r")?(?:users|customers|"
        r"revenue|sessions|generations|images|cost|gpu hours))(?= )",
        r" of \2 \1",
    ),
    # "per paying active user", "per active paying user": per paying user
    (r" (paying|paid) active (users?)(?= )", r" \1 \2"),
    (r" active (paying|paid) (users?)(?= )", r" \1 \2"),
    # "total revenue divided by the number of distinct active users": revenue per user
    (
        rf" divided by (?:the )?(?:total )?(?:number|count|#) of (?:distinct |unique )?{_UNIT}(?= )",
        r" per \1",
    ),
    (rf" divided by (?:the )?(?:distinct |unique )?(?:count of )?{_UNIT}(?= )", r" per \1"),
)
