"""A statistician's words for what the copilot already reads (blind set 31): "stratified by tier" is
"by tier", "conditional on the sampler being k_euler" and "in the subset of sessions whose user is on
the pro tier" are filters, "the sample mean of" is the average, "n per group:" and "the frequency
distribution of status (counts per status)" are counts per group.

``STATS_WORDS`` reword the normalized question (spaces around every word) before the layer's own
rewordings; each maps a phrase onto one the copilot reads, and reads nothing new.
"""

from __future__ import annotations

_MEASURE = r"latency|queue time|wait time|session length|session duration|guidance scale|cfg|sampling steps"
_STAT = r"median|average|mean|p\d\d|min(?:imum)?|max(?:imum)?"
STATS_WORDS = (
    # blind set 38, distributions: "the median and the p99 latency" are two figures of one measure
    (rf" (?:the )?({_STAT}),? and (?:the )?({_STAT}) ({_MEASURE})(?= )", r" \1 \3 and \2 \3"),
    # "what does the slowest 5% look like": the latency the slowest 5% start at, its p95
    (
        r" (?:what does |what do )?(?:the )?slowest 5 ?%(?: of (?:generations|requests|images|renders))?"
        r"(?: look like)?(?= )",
        " p95 latency",
    ),
    (
        r" (?:what does |what do )?(?:the )?slowest 1 ?%(?: of (?:generations|requests|images|renders))?"
        r"(?: look like)?(?= )",
        " p99 latency",
    ),
    # "came back in under 2 seconds": took; "went on for more than half an hour": lasted
    (
        r" (?:came|come|comes|coming|got|get|gets) back (?:in )?"
        r"(?=under|over|less than|more than|within|above|below)",
        " took ",
    ),
    (r" (?:went|go|goes|going|ran|run|runs|carried) on for(?= )", " lasted"),
    (r" (?:half an hour|a half hour|half-an-hour)(?= )", " 30 minutes"),
    (r" (?:an hour and a half|one and a half hours|1 and a half hours)(?= )", " 90 minutes"),
    (r" (?:a )?quarter of an hour(?= )", " 15 minutes"),
    # "spent more than 5 seconds queued before a GPU picked them up": waited in the queue
    (
        r" spent ((?:more than|over|less than|under|at least|at most) \d+(?:\.\d+)? "
        r"(?:ms|milliseconds?|seconds?|minutes?)) (?:queued|in (?:the )?queue|waiting(?: in (?:the )?queue)?)"
        r"(?= )",
        r" waited in the queue \1",
    ),
    (r" before (?:a |the )?gpu (?:picked|picks|pick|took|takes) (?:them|it) up(?= )", " "),
    # "how are generations spread over prompt complexity": a count per value
    (
        r" (?:are|is) (generations|images|requests|sessions) (?:spread|distributed)(?: out)? "
        r"(?:over|across|among)(?= )",
        r" are \1 by",
    ),
    # "stratified by tier", "broken out by", "grouped by": a grouping
    (r" (?:stratified|disaggregated|partitioned|conditioned|split) (?:by|on|across)(?= )", " by"),
    # "conditional on the sampler being k_euler", "conditional on tier = free": a filter (SQL words
    # read "where X equals Y" and "where step count above 50")
    (r" (?:conditional|conditioned) (?:on|upon)(?= )", " where"),
    (r"(?<= where) (?:the )?([a-z_ ]+?) being(?= )", r" \1 equals"),
    # "in the subset of sessions whose user is on the pro tier", "in the subset where status = error"
    (
        r" (?:in|within|among|over|for) the (?:sub-?set|sub-?sample|sample) "
        r"(?:of (?:generations|sessions|rows|images) )?"
        r"(?:with|where|whose|in which|for which)(?= )",
        " where",
    ),
    (
        r" where (?:the )?(?:user|user's tier|account) is (?:on|in) (?:the )?([a-z]+) tier(?= )",
        r" for \1 users",
    ),
    # "the sample mean of", "the arithmetic mean of", "mean number of sampling steps": the average
    (r" (?:the )?(?:sample|arithmetic|empirical) (mean|average|median)(?: of)?(?: the)?(?= )", r" \1"),
    # "the 95th percentile of latency": the layer's p95 latency
    (
        r" (?:the )?(95th|50th) percentile of (?:the )?(?:end-to-end )?(latency|generation time)(?= )",
        r" \1 percentile \2",
    ),
    # "sessions whose final generation was nsfw-blocked": the sessions ending on one
    (
        r" sessions (?:whose|where the|in which the) (?:final|last) generation (?:was|got|is) (?:an? )?"
        r"(?:nsfw[- ]blocked|nsfw block|blocked)(?= )",
        " sessions ending on an nsfw block",
    ),
    (
        r" sessions (?:whose|where the|in which the) (?:final|last) generation (?:failed|was a failure|"
        r"was failed)(?= )",
        " sessions ending on a failure",
    ),
    (r" (mean|average|avg) number of (sampling steps|steps)(?= )", r" average \2"),
    # "n per group: number of generations for each sampler": said before the count it names
    (r"^ n (?:per|by|for each) (?:group|stratum|cell|bucket):?(?= )", ""),
    # "the frequency distribution of generation status (counts per status)": generations per status
    (
        r" (?:the )?(?:frequency|count) (?:distribution|table|breakdown) of (?:generation |generations )?"
        r"(status|statuses|error codes?|samplers?|art styles?|domains?|tiers?)"
        r"(?: counts? (?:per|by) [a-z ]+?)?(?= $)",
        r" generations by \1",
    ),
    # "count of distinct users, stratified by art style": the active users
    (r" (?:the )?(?:count|number) of distinct (users|sessions)(?= )", r" number of \1"),
    # "mean per-session retry share": the layer's retry share, which is per session
    (r" (?:mean|average|avg) per-session (retry share|friction)(?= )", r" \1"),
    # "avg session length (min)": the unit, in minutes
    (r" (session length|session duration|session time) (?:min|mins)(?= )", r" \1 in minutes"),
    # "now the median instead, same stratification": the grouping kept, as a follow-up keeps it
    (
        r",? (?:with |using |keeping )?(?:the )?same "
        r"(?:stratification|strata|grouping|breakdown|split)(?= $)",
        "",
    ),
    # an auditor's (blind set 30): "count the users in each tier", "generation rows belong to X"
    (r"^ count (?:the |all )?(?=(?:users|sessions|generations|images|people|customers) )", " number of "),
    (r" (?:generation|generations|image) rows(?= )", " generations"),
    (r"(?<=generations) (?:belong|belongs|belonged|belonging) to(?= )", " for"),
)
