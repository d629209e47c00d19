"""Words of people who do not speak analytics, read as the layer's (blind set 29): a trust-and-safety
analyst's ("flagged", "safety filter hits", "tripped the nsfw filter", "repeat offenders:") and an
outsider's ("the computing bill", "how long does it usually take to get a picture back", "how many
people are paying", "what does one picture cost us", "how much money do we get").

``LAY_WORDS`` rewrite the normalized question (spaces around every word, punctuation gone) first of
all the rewordings, so that the hypotheses (hypotheses.py) and the layer read the words they know.
Each says what its words mean whatever the question around it.
"""

from __future__ import annotations

_FILTER = r"(?:the )?(?:nsfw|safety|moderation|content|adult content) filter"
_PICTURE = r"(?:picture|image|generation|render|pic|photo)"

LAY_WORDS = (
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
        r" (had|have|has|got|get) at least (?:one|1|a single) (?=nsfw|error|timeout|failure|failed|blocked)",
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
)
