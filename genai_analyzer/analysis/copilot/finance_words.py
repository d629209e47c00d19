"""A finance lead's words for the layer's money figures (blind set 44): "failure cost by plan", "the
write-off on failed generations", "where margin is negative", "put revenue next
to GPU cost", "the swing between September and October", "book margin".

``FINANCE_WORDS`` rewords the normalized question (spaces around every word) among the layer's
rewordings (vocabulary.py). "Failure cost" is the cost of the failed generations: before, it was read
as two figures, the failure rate and the whole cost, beside each other, an answer to another
question. "Next to" between two figures lists them; "next to the overall" (a baseline, against.py)
and "next to it" (everyday.py) keep their own readings.
"""

from __future__ import annotations

_FAILED = r"(?:failures?|failed|failing|unsuccessful)"

FINANCE_WORDS = (
    # "failure cost", "failed spend", "the cost of failures", "money wasted on failures"
    (rf" {_FAILED} (?:gpu )?(?:costs?|spend|spending|dollars)(?= )", " cost of failed generations"),
    (
        r" (?:gpu )?(?:costs?|spend|spending|money|dollars)"
        r"(?:(?: was| were| got)? (?:lost|wasted|burned|burnt))? "
        rf"(?:on|of|from|for) (?:the |our |all )?{_FAILED}"
        r"(?: (?:generations|images|renders|requests|jobs|gens))?(?= )",
        " cost of failed generations",
    ),
    (r" (?:the )?write[- ]?offs? (?:on|of|from|for)(?= )", " cost of"),
    # "how much GPU spend went on generations that failed": the cost of those generations
    (
        r" (?:gpu )?(?:spend|spending|costs?) (?:went|goes|go|was spent|were spent) (?:into|on)(?= )",
        " cost of",
    ),
    # "the cost of generations that failed": of the failed ones, not their count beside the cost
    (
        r" (cost|revenue|margin) (?:of|on|for) (?:the |all |our )?(?:generations|images|renders|gens) "
        r"(?:that|which) (?:failed|fail|errored|didn't succeed|did not succeed)(?= )",
        r" \1 of failed generations",
    ),
    # "margin is negative" in a condition ("tiers where margin is negative", "plans whose margin came
    # out negative"); "which plans are underwater" is slang.py's, read only as the question itself
    # ("margin by plan. I want to see which plans are underwater" asks for every plan: blind set 32)
    (
        r" (where|whose|with) ((?:the |their |its )?(?:gross )?margin) (?:is|are|was|were|goes|go|went|"
        r"turns?|turned|comes? out|came out) negative(?= )",
        r" \1 \2 below 0",
    ),
    # "put revenue next to GPU cost": two figures listed
    (r" (?:put|place|lay|set) (?=[a-z]+ (?:[a-z]+ )?(?:next to|alongside|beside|side by side with) )", " "),
    (
        r" (?:next to|alongside|beside|side by side with)(?! (?:the |its |their |our )?(?:overall|average|"
        r"total|all|whole|mean|median|baseline|rest|others?|it|that|this|them|each other)(?![a-z]))(?= )",
        " and",
    ),
    (r" (?:is |are |was |were )?(?:carried|borne|driven|accounted for|taken up|eaten up) by(?= )", " from"),
    (r" revenue less (?:the )?(?:gpu )?costs?(?= )", " revenue minus cost"),
    # "margin by sampler ... for each one": each of the groups already named
    (r"^( .* by [a-z].*?) (?:for )?each one(?= )", r"\1"),
    (r" p (?:and )?l(?: view| statement)?(?= )", " "),
    (r" (?:the )?swing(?= )", " the change"),
    # "gross margin as a percent of revenue": the margin percent, as shorthand.py reads "gross margin %"
    (
        r" (?:gross )?margin as an? (?:percent|percentage|%|share|fraction) of (?:the |our )?revenue(?= )",
        " margin relative to revenue as a percentage",
    ),
    # "for our two paid plans, pro and enterprise": each plan named, side by side
    (
        r" (?:for |across |of )?(?:our |the )?(?:two|both|2|three|3) (?:paid |paying )?(?:plans|tiers),? "
        r"([a-z]+),? and ([a-z]+)(?= )",
        r" for \1 vs \2",
    ),
    (r" book (margin|revenue|cost|profit)(?= )", r" \1"),
    (
        r" dollars? (?:earned|made|of revenue|in revenue|brought in) (?:per|for (?:each|every)) dollar "
        r"(?:of |in )?(?:gpu )?(?:spend|spent|costs?)(?= )",
        " revenue to cost ratio",
    ),  # fmt: skip
    # blind set 48: "booked revenue for October", "how much revenue did we book from enterprise": the
    # revenue (the warehouse books each generation's revenue as it runs); "cost of goods (sold)", "COGS":
    # the cost
    (r" booked (revenue|sales|margin|cost)(?= )", r" \1"),
    (r" (revenue|sales|margin) (?:did|do|have|has) (?:we |they |you )?(?:book|booked)(?= )", r" \1"),
    (r" (?:the )?(?:cost of (?:the )?goods(?: sold)?|cogs)(?= )", " cost"),
)
