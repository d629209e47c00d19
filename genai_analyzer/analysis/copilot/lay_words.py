"""Words of people who do not speak analytics, read as the layer's (blind set 29): a trust-and-safety
analyst's ("flagged", "safety filter hits", "tripped the nsfw filter", "repeat offenders:") and an
outsider's ("the computing bill", "how long does it usually take to get a picture back", "how many
people are paying", "what does one picture cost us", "how much money do we get"), and a reporter's
(blind set 31: "one sitting with the generator", "the time from hitting 'generate' to the finished
image showing up", "stopped by the safety filter", "all told").

``LAY_WORDS`` rewrite the normalized question (spaces around every word, punctuation gone) first of
all the rewordings, so that the hypotheses (hypotheses.py) and the layer read the words they know.
Each says what its words mean whatever the question around it.
"""

from __future__ import annotations

_FILTER = r"(?:the )?(?:nsfw|safety|moderation|content|adult content) filter"
_PICTURE = r"(?:picture|image|generation|render|pic|photo)"

LAY_WORDS = (
    # "how many different users did each domain attract": the users it had (blind set 42)
    (
        r"( how many (?:different |distinct |unique )?(?:users|people|customers|creators) did "
        r"(?:[a-z]+ ){1,4}?)(?:attract|attracted|draw|drew|pull in|pulled in|reach|reached|win|won)(?= )",
        r"\1have",
    ),
    # "how often do generations error out": error (blind set 38)
    (r" (error|errors|errored|erroring) out(?= )", r" \1"),
    # "the average retry share of sessions": the layer's retry share is already a mean over sessions
    # ("of sessions" is its own grain, not a share of the sessions: shares.py read it so)
    (
        r" (?:the )?(?:(?:average|mean) )?(retry share|share of retries)"
        r"(?: (?:of|across|over) (?:the |all )?sessions)?(?= )",
        r" \1",
    ),
    # "how long did session <id> last", "how long did it last in minutes": a session's length
    (
        r" how long (?:did|does|do) ((?:the |that |this |each )?sessions?(?: [a-z0-9]+)?|it|they) "
        r"(?:last|lasted|run|go on)(?= )",
        r" the session length of \1",
    ),
    # "how many times was prompt <id> used, and by how many users": the generations that used it (the
    # count was dropped beside the other figure: blind set 34)
    (
        r" how (?:many times|often) (?:was|were|has|have|had|did|is|are) ((?:[a-z0-9'-]+ ){1,4}?)(?:been )?"
        r"(?:used|run|generated|tried|requested|rendered|submitted)(?= )",
        r" how many generations used \1",
    ),
    # a moderator's: being flagged is being blocked by the NSFW filter
    (
        rf" (?:got |get |gets |were |was |been |being )?(?:flagged|tripped|tripping|trips|tripped up)"
        rf"(?: (?:by|as) (?:{_FILTER}|nsfw))?(?= )",
        " blocked by the nsfw filter",
    ),
    (
        rf" (?:tripped|trip|trips|hit|hits|triggered|trigger|triggers|set off|sets off) {_FILTER}(?= )",
        " got blocked by the nsfw filter",
    ),
    (
        r" (?:got |get |were |was |been )?blocked for (?:being )?(?:adult|nsfw|explicit|sexual|unsafe) "
        r"(?:content|material|images?)(?= )",
        " blocked by the nsfw filter",
    ),
    # "safety filter hits" are the blocked generations ("nsfw blocks" is the layer's word for the rate)
    (rf" {_FILTER.removeprefix('(?:the )?')} hits(?= )", " nsfw-blocked generations"),
    (r" (?:the )?filter hits(?= )", " nsfw-blocked generations"),
    (r" safety blocks(?= )", " nsfw-blocked generations"),
    (r" (?:an? )?safety block(?= )", " an nsfw block"),
    (r" (?:rack|racked|racking) up(?= )", " have"),
    # "users who tripped the filter at least once": who did it (once is at least once)
    (r" (?:at least once|one or more times|1 or more times|even once)(?= )", ""),
    (
        r" (had|have|has|got|get) at least (?:one|1|a single) "
        r"(?=nsfw|error|timeout|failure|failed|blocked|success|successful)",
        r" \1 an ",
    ),
    (r"^ repeat offenders:?(?= )", ""),
    # "pull the block rate ... for me, need it for the T&S review": the figure asked for
    (r"^ (?:pull|grab|fetch)(?: me)?(?= )", " show"),
    (r" for me(?= )", ""),
    (
        r",? (?:i |we )?need (?:it|this|that|them|these) for (?:the|my|our|a|an) (?:[a-z0-9&-]+ ){0,3}"
        r"(?:review|report|deck|meeting|slides?|presentation|memo|update|doc|sync)(?= )",
        "",
    ),
    # an outsider's: the bill for computing is the cost; "come to" is what it adds up to
    (
        r" (?:the )?(?:computing|compute|gpu|server|cloud|hosting) (?:bill|costs?|spend|spending)(?= )",
        " cost",
    ),
    (r" (?:come|comes|came|add up|adds up|added up) to(?= )", ""),
    # "how long does it usually take to get a picture back": the median latency
    (
        r" how long does it (?:usually |typically |normally )take (?:to )?"
        rf"(?:get|make|generate|render|create)(?: an?| one| the| my| your)? {_PICTURE}s?"
        r"(?: back| done| made| out)?(?= )",
        " median latency",
    ),
    # "how many people are paying for it": the paying users
    (
        r" (?:people|persons|folks|users|customers|accounts) (?:are |were )?paying"
        r"(?: for (?:it|this|that)| us)?(?= )",
        " paying users",
    ),
    # "what does one picture cost us": the cost per generation
    (
        rf" (?:what|how much) (?:does|did) (?:one|a|each|an|a single) {_PICTURE} cost(?: us)?(?= )",
        " cost per generation",
    ),
    # "how much money do we get per person": the revenue
    (r" how much money (?:do|does|did) (?:we|they|it) (?:get|make|earn|bring in|take in)(?= )", " revenue"),
    # "what two subjects do folks ask for most": the most used
    (
        r" (?:do|does|did) (?:the )?(?:folks|people|users|customers|they|most people) "
        r"(?:ask for|request|want|go for|pick|choose|prefer) (?:the )?most(?= )",
        " are used most",
    ),
    # "the paid folks' pictures", "enterprise accts": the users of those tiers
    (
        r" (paid|paying|free|pro|enterprise) (?:people|folks|persons|customers|ones)'?(?= )",
        r" \1 users",
    ),
    (r" accts?(?= )", " accounts"),
    # "non-success rate": the failure rate
    (r" non-? ?success(?:ful)? rate(?= )", " failure rate"),
    # "do the paid people wait in line": in the queue (not "on the line chart")
    (r" (wait|waits|waited|waiting|stand|stood|sit|sat) (?:in|on) (?:the )?line(?= )", r" \1 in the queue"),
    # a reporter's (blind set 31)
    (
        rf" (?:get |gets |got |are |were |is |was )?(?:stopped|caught|held back|rejected) by {_FILTER}(?= )",
        " blocked by the nsfw filter",
    ),  # fmt: skip
    (
        r" (?:the )?time (?:it takes )?from (?:hitting|clicking|pressing|pushing|tapping) (?:on )?'?"
        r"(?:generate|go|the button|enter)'? (?:to|until|till) (?:the )?(?:finished |final |first )?"
        r"(?:image|picture|result) "
        r"(?:showing up|shows up|appearing|appears|arriving|arrives|being ready|is ready|coming back)(?= )",
        " latency",
    ),
    (r"(?<=latency)(?: i mean)?(?: the median)?,? end[- ]to[- ]end(?= $)", ""),
    (r" end[- ]to[- ]end (latency|generation time)(?= )", r" \1"),
    (
        r" (?:one|a|each|an average|the average) sitting"
        r"(?: with the (?:generator|app|tool|site|product))?(?= )",
        " a session",
    ),  # fmt: skip
    (r" sittings(?= )", " sessions"),
    (
        r" fail(?:s|ed)? to (?:hand back|return|deliver|produce|give back|come back with|send back|spit out) "
        r"(?:an? |the |their )?(?:image|picture|result|pic)s?(?= )",
        " fail",
    ),
    (r"(?<= does) the (?:thing|generator|app|tool|system|service|site) simply(?= )", " it"),
    (r",? all told(?= )", " in total"),
    (r",? counting (?:the )?(?:images|generations|pictures|renders)(?: made| generated| created)?(?= $)", ""),
    (
        r" sit (?:in|on) (?:the )?queue before (?:a |the )?(?:gpu|server|machine|worker) (?:picks|takes) up "
        r"(?:their|the|a|your) (?:request|job|generation|image)s?(?= )",
        " wait in the queue",
    ),
    # "the single most popular art style": the most popular one
    (
        r" (?:the )?single (?=(?:most|least|highest|lowest|biggest|largest|best|worst|busiest|quietest) )",
        " the ",
    ),
    # "users who came back for a second session (two or more sessions)": with 2 sessions or more
    (
        r" (?:actually |ever )?(?:came|come|comes|coming|returned|return|returns) (?:back )?"
        r"(?:for|to) (?:a )?"
        r"(?:second|2nd|another) (?:session|visit)(?: 2 or more sessions| at least 2 sessions)?(?= )",
        " have 2 or more sessions",
    ),
    # "how many sessions free users started": the sessions they started
    (
        r" how many sessions ((?:[a-z]+ ){1,3}?)(?:started|began|opened)(?= )",
        r" how many sessions did \1start",
    ),
    # "sessions that consist of a single generation", "a session holds": what it has (blind set 37)
    (
        r" (?:consist(?:s|ed)?|consisting) (?:of )?(?:just |only )?"
        r"(?=(?:a |one |1 |a single |more than |at least ))",
        " have ",
    ),
    (r" (sessions?) (?:holds?|held|contains?|contained|involved?|involving)(?= )", r" \1 have"),
)
