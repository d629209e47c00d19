"""A statistician's words for what the copilot already reads (blind set 31): "stratified by tier" is
"by tier", "conditional on the sampler being k_euler" and "in the subset of sessions whose user is on
the pro tier" are filters, "the sample mean of" is the average, "n per group:" and "the frequency
distribution of status (counts per status)" are counts per group.

``STATS_WORDS`` reword the normalized question (spaces around every word) before the layer's own
rewordings; each maps a phrase onto one the copilot reads, and reads nothing new.
"""

from __future__ import annotations

STATS_WORDS = (
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
