"""Hallway and stand-up words (blind set 40, idioms and slang): "how many gens went sideways",
"what did we rake in", "which plan is stuck in line the longest", "which sampler is the workhorse".

``SLANG`` rewords each as the layer's own words, and only where one reading is defensible: "went
sideways" is failed, "rake in" is revenue, "stuck in line" is queue time, "the damage on the GPU
bill" is the cost. A slang word with two readings ("the damage" alone: cost or failures?) is not
reworded, and is declined as unread."""

from __future__ import annotations

_RENDERS = r"(?:the |our )?(?:pipeline|generator|service|generation|renders?|gens|generations|things|it)"

SLANG = (
    (r" gens(?= )", " generations"),
    # "who are our power users? give me the top 10 by ...": the users ranked; alone, a count of whom?
    (r" (?:our )?power users(?= .*\btop \d+)", " users"),
    (r" gpu (?:dollars|bucks|money|spend)(?= )", " cost"),
    (r" (?:went|go|goes|going|gone) (?:sideways|belly[- ]up|south|bust|kaput)(?= )", " failed"),
    (r" (?:rake|raked|raking|rakes) in(?= )", " revenue"),
    (
        r" (?:stuck|sat|sitting|sits) in (?:line|the queue|queue)"
        r"(?! (?:for )?(?:more|over|under|less|at))(?= )",
        " queue time",
    ),  # "sat in the queue for over 5 seconds" is a cut-off (bands.py)
    # "which sampler is the workhorse (around here)": the most used
    (
        r" (?:is|are|was|were) (?:the |our )?workhorses?(?: around here| here| of the (?:bunch|fleet))?(?= )",
        " is most used",
    ),
    # "what slice of the revenue pie does pro bring home": the share of revenue from pro
    (r" (?:slice|piece|chunk|cut|portion) of the (revenue|cost|gpu bill|spend) pie(?= )", r" share of \1"),
    (r" (?:bring|brings|brought|take|takes|took) home(?= )", " come from"),
    # "how snappy is the pipeline for enterprise": how fast generation is (the median latency)
    (rf" how (?:snappy|zippy|speedy) (?:is|are|was|were) {_RENDERS}(?= )", " median latency"),
    # "what's the damage on the gpu bill": the cost
    (r" (?:the )?damage on (?:the |our )?(?:gpu bill|compute bill|bill|cost|costs)(?= )", " cost"),
    # "which plans are in the red (once gpu costs come out of revenue)": a margin below zero, asked as the
    # question itself ("margin by plan. I want to see which plans are in the red" asks for every plan)
    (
        r"(?<=^ which )([a-z_]+(?: [a-z_]+)?) (?:are|is|were|was|go|went|running|run) "
        r"(?:in the red|losing money|underwater|under water|loss[- ]making|unprofitable)"
        r"(?: once (?:the )?(?:gpu )?costs? (?:come|comes|are taken|is taken|came) out"
        r"(?: of (?:the )?revenue)?)?"
        r"(?= )",
        r"\1 have margin below 0",
    ),
    # "the biggest money pit, going by margin": the lowest margin
    (
        r" (?:the )?(?:biggest|worst|largest) money pits?(?: going by margin| by margin)?(?= )",
        " the lowest margin",
    ),
    # "how often does the nsfw filter bite": the NSFW block rate
    (
        r" how often (?:does|do|did) (?:the )?nsfw (?:filter|check|blocker)s? "
        r"(?:bite|kick in|trigger|fire|step in|block)(?= )",
        " nsfw block rate",
    ),
    # "how many heads were cranking out images": people, the active users
    (r" how many heads(?= )", " how many users"),
    # "which domain is the flakiest": the one that fails most often
    (r" (\d+) (?:flakiest|most flaky)(?= )", r" \1 worst"),  # after an answer: the same figure
    (r" (?:the )?(?:flakiest|most flaky)(?= )", " the highest failure rate"),
    # "how ugly does the tail latency get": the figure itself
    (
        r" how (?:ugly|bad|nasty|rough) (?:does|do|did|is|are) (?:the |our )?(tail latency|p\d+ latency)"
        r"(?: get| run| go)?(?= )",
        r" \1",
    ),
    # "what are we clearing per image on pro, after gpu costs": the margin
    (
        r" (?:what|how much) (?:are|is|were|was|do|did) we (?:clearing|netting|pocketing|making)"
        r"(.{0,40}?) after (?:the )?(?:gpu )?costs?(?= )",
        r" margin\1",
    ),
)
