"""How a question is said, not what it asks: greetings, politeness, chat shorthand (blind set 23).

``CHATTER`` rewrites phrases of the normalized question (spaces around every word, punctuation and
emoji gone) before any other rewording reads it. Each phrase says nothing about which figure, rows
or period are asked for: "hey quick q", "I was wondering whether you could tell me", "would it be
possible to see", "if it's not too much trouble", "thx in advance", "pls". A sentence of context
before the question is left out only in one narrow form, a figure or a chart said to look wrong
("the dashboard looks off", "ngl the tail feels bad"), made only of such words ("dashboard",
"chart", "revenue", "latency", ...): "pro looks slow, what's the p95" or "the chart for pro users
looks off, what's the error rate" keep their words and are never answered as everyone's figure.
"""

from __future__ import annotations

_OPENER = (
    r"(?:hey|hi|hello|heya|yo|ok|okay|so|hmm+|um+|uh+|lol|ngl|tbh|fyi|btw|guys|team|q(?! time)|"
    r"(?:a )?(?:quick|random|dumb|silly) (?:q|question|one)|(?:a )?quick sanity check|sanity check|real quick)"
)
_SAID_WRONG = (  # the words of a figure said to look wrong
    r"(?:the|our|my|this|that|dashboard|chart|graph|numbers?|report|tail|metrics?|data|things?|trend|line|plot|"
    r"figures?|it|revenue|latency|errors?|costs?|usage|traffic|volume|p95|p99)"
)
# who a question is passed on from: a name, a role or a team ("Sam", "our CFO", "the design team",
# "someone in finance", "Jordan from ops"), any word but a question's own ("which tier needs the
# most gpu hours" is a question, not one passed on)
_NOT_ASKER = (
    r"which|what|how|who|whose|when|where|why|do|does|did|is|are|was|were|can|could|should|will|would|"
    r"show|list|give|tell|each|every|all|tiers?|plans?|users?|sessions?|samplers?|domains?|styles?|"
    r"prompts?|generations?|images?|pro|free|enterprise|paying|paid"
)
_ASKER = rf"(?!(?:{_NOT_ASKER})\b)[a-z]+"
_LOOKS = r"(?:looks?|looked|looking|seems?|seemed|feels?|felt|is|are|was|were|says?|said|shows?|showed)"
_WRONG = (
    r"(?:off|weird|wrong|strange|odd|funny|broken|bad|worse|slow|high|low|down|up|dipped|dropped|spiked|"
    r"jumped|fell|rose|tanked)"
)


def _rate_word(m) -> str:
    """ "err%", "fail pct", "succ%": the rate of that outcome."""
    return {"err": " error rate", "fail": " failure rate"}.get(m[1], " success rate")


CHATTER = (
    # greetings and chat openers at the start: "hey quick q", "ok so", "yo", "hmm", "ngl"
    (rf"^(?: {_OPENER}:?)+(?= )", ""),
    # a figure or a chart said to look wrong, before the question: "the dashboard looks off",
    # "dashboard says revenue dipped lately", "the tail feels bad" (only these words: a value such as
    # "pro" or "k_lms" there would narrow the question, and is never left out)
    (
        rf"^ (?:{_SAID_WRONG} ){{1,4}}?{_LOOKS} (?:{_SAID_WRONG} )?"
        rf"(?:a bit |kinda |kind of |really |very |pretty |super )?{_WRONG}(?: lately| today| recently| again)?:?(?: -+)?"
        r"(?= (?:how|what|what's|whats|which|who|when|can|could|would|show|give|is|are|do|does|did|pls|please)"
        r" )",
        "",
    ),
    # asking around the question: "I was wondering whether you could tell me", "would it be possible
    # to see", "would you mind telling me", "I'd be grateful if you could show me", "kindly show me"
    (
        r" i was (?:wondering|hoping)(?: (?:whether|if))?(?: (?:you|u) (?:could|can|might|would))?"
        r"(?: (?:tell|show|give|get) me| to (?:find out|see|know|get|learn|ask))?(?= )",
        "",
    ),
    (
        r" (?:would|could|will|is) (?:it be|it) possible (?:to|for you to)(?: (?:see|get|have|know|find out|"
        r"show me|tell me|give me|pull))?(?= )",
        "",
    ),
    (r" (?:would|could|will) (?:you|u) be able to(?: (?:tell|show|give|get|pull) me)?(?= )", ""),
    (r" would (?:you|u) mind(?: (?:telling|showing|giving|pulling|getting) me)?(?= )", ""),
    (
        r" i(?:'d| would) be (?:grateful|thankful|glad|happy|obliged) if (?:you|u) could(?: (?:show|tell|give|"
        r"get) me)?(?= )",
        "",
    ),
    (r" if it's not too much (?:trouble|bother)(?= )", ""),
    (r" (?:kindly|please kindly)(?: (?:show|tell|give|list) me)?(?= )", ""),
    (r" i(?:'d| would) (?:like|love) to (?:know|see|find out|get|learn)(?= )", ""),
    (r" (?:if possible|if you can|if you could|when you get a (?:chance|sec|second|minute))(?= )", ""),
    (r" (?:does )?any(?:one|body) (?:know|have|got)(?= )", ""),
    # a question passed on for someone else (blind set 30): "Sam asked me how many ...", "the board is
    # asking what share ...", "our CFO wants the margin by month", "could you find out for Priya what
    # ...", "can you tell Marco what ...": who asks says nothing about the figure
    (
        rf"^ (?:(?:our|my|the) )?(?:{_ASKER} ){{0,2}}?{_ASKER}(?: from [a-z]+| in [a-z]+)? "
        r"(?:asked(?: me)?(?: for)?|asks(?: for)?|is asking(?: me)?(?: for)?|was asking(?: for)?|wants(?: to know)?|"
        r"wanted(?: to know)?|would like(?: to know)?|needs(?: to know)?|is wondering)(?= )",
        "",
    ),
    (r"^ (?:could|can|would) (?:you|u) (?:find out|check|look up)(?: for [a-z]+)?(?= )", ""),
    (r"^ (?:could|can|would) (?:you|u) tell [a-z]+(?= (?:what|how|which|whether|if|the) )", ""),
    # thanks and "please": "thx in advance", "thank you", "pls", "ty"
    (r" (?:thx|thanks|thank you|thank u|ty|tia|cheers)(?: (?:so much|a lot|in advance|again))?(?= )", ""),
    (r" (?:pls|plz|pleeease|please)(?= )", ""),
    # chat shorthand: "u", "ur", "ppl", "gens", "imgs", "w/", "w/o"
    (r" u(?= )", " you"),
    (r" ur(?= )", " your"),
    (r" ppl(?= )", " people"),
    (r" gens(?=/| )", " generations"),
    (r" imgs?(?= )", " images"),
    # "p50 lat w/w", "wk/wk": last week against the one before (before "w/" is "with"); "trending
    # week over week" is a weekly series (test_copilot_more_phrasings)
    (r"(?<!trending)(?<!trend) (?:w/w|wk/wk)(?= )", " last week compared with the week before"),
    (r" w/o(?= )", " without"),
    (r" w/(?= )", " with"),
    (r" w/(?=[a-z])", " with "),
    # blind set 25: typed on a phone
    (r" teh(?= )", " the"),
    (r" (?:wich|whcih|whihc)(?= )", " which"),
    (r" (?:wat|wut)(?= )", " what"),
    (r" (?:wk|wek)(?= )", " week"),
    (r" (?:wks|weks)(?= )", " weeks"),
    (r" dys(?= )", " days"),
    (r" diff(?= (?:prompts|users|styles|samplers|sessions) )", " different"),
    (r" q time(?= )", " queue time"),
    (r" (different|new|another|separate|unrelated|other) q:?(?= )", r" \1 question"),
    (r" diff q:?(?= )", " different question"),
    (r" (?:specifically|in particular|particularly)(?= $)", ""),
    # blind set 31, typed fast in a chat app: "yday", "err rate", "k now just oct", "lol"
    (r" (?:yday|yest|ystrdy)(?= )", " yesterday"),
    (r"^ (?:walk|take|talk) (?:me|us) through(?= )", " show"),  # "walk me through revenue over ..."
    (r" err(?= (?:rate|rates|codes?)(?: ))", " error"),
    # (not the "k" of a sampler said first, "k_lms vs every other sampler": the "_" is a space here)
    (r"^ (?:k|kk|okk|okey|oki)(?= )(?! (?:lms|euler|dpm|heun)(?![a-z]))", " ok"),
    (r" (?:lol|lmao|haha+|hehe+|tbh|ngl|fyi|btw|imo|imho)(?= )", ""),
    # "fail rate 4 anime prompts": after a rate, "4" before the rows it is of is "for"
    (r"(?<=rate|ates) 4(?= [a-z]+ (?:prompts|images|generations|sessions|users|people|customers) )", " for"),
    # "how many ...? just the count" / "both numbers pls": what was asked, said again
    (r" just (?:the |a )?(?:count|number|total|figure)(?= $)", ""),
    (r" both (?:numbers|figures|values)(?= )", ""),
    # blind set 35, a team chat: "SR per sampler", "err% free vs pro", "p50 lat", "uniq users",
    # "avg gens/session", "avg q time ent vs free", "nsfw blk rate", "prev 14d", "# sessions" (text.py)
    (r" sr(?= )", " success rate"),
    (r" (err|fail|succ|success)(?: ?%| pct)(?= )", _rate_word),
    (r" lat(?= )", " latency"),
    (r" uniq(?= users? )", " unique"),
    (r"(?<=[a-z])/(?=(?:sessions?|users?|days?|generations?|images?) )", " per "),
    (r" ent(?= )", " enterprise"),
    (r" blk(?= )", " block"),
    (r" prev(?= )", " previous"),
    # "for each week, both the number of generations and the failure rate": "both" adds nothing to "and"
    (r" both (?=the (?:number|count|total|average|avg|median|mean|share|rate|sum|p50|p95|p99) )", " "),
)
