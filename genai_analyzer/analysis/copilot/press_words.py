"""A reporter's words (blind set 47: a journalist writing about how people use the generator): "the
lion's share of revenue comes from which plan", "how many people made just one image and never
another", "the five biggest paying customers, measured by the revenue they brought in", "how many
image requests failed outright", "which day of the week sees the most activity, counted in images
made", "once you take GPU costs away from revenue, how much did the service make or lose", "how long
did it take from asking for an image to getting it back".

``PRESS_WORDS`` reword the normalized question (spaces around every word) after the layer's own
rewordings have run ("brought in" is "earned" by then, "made" after "images" is gone); each maps a
phrase onto one the copilot reads, and reads nothing new.
"""

from __future__ import annotations

_GROUPS = r"plan|tier|style|art style|sampler|domain|model|day|weekday"
_MONEY = r"revenue|cost|margin|generations|gpu hours|sessions"

PRESS_WORDS = (
    # "the lion's share of revenue comes from which plan, and how much did that plan bring in": the
    # plan with the most revenue, and its revenue (which the answer shows)
    (
        rf" (?:the )?lion(?:'s)? share of (?:the )?({_MONEY}) (?:comes?|came|is coming) "
        rf"from which ({_GROUPS})(?:,? and how much (?:did|does) (?:that|this|the|it) (?:\2|one)? ?"
        r"(?:earned|earn|make|made|bring in|brought in|generate|generated|account for))?(?= )",
        r" which \2 has the most \1",
    ),
    # "people with exactly 1 images and never another": the users with exactly one generation
    (
        r" (people|users|customers|accounts) with exactly 1 (?:images?|generations?|pictures?)"
        r" and never (?:another|again|more|a second)(?= )",
        r" \1 with exactly 1 generations",
    ),
    # "the 5 biggest paying users, the revenue they earned": the top users by revenue
    (
        r" (?:the )?(\d+ )?(?:biggest|largest|top) paying (?:users|customers|accounts),?\s+"
        r"(?:measured |ranked )?(?:by )?(?:the )?revenue(?: they (?:earned|brought in|paid|generated))?(?= )",
        r" top \1users by revenue",
    ),
    # "failed outright", "failed completely": failed
    (r"(?<= failed) (?:outright|completely|altogether|entirely)(?= )", ""),
    # "the most activity, counted in images made": the most generations
    (
        r" (?:the )?most activity,? (?:counted|measured) in (?:images|pictures|generations)(?: made)?(?= )",
        " the most generations",
    ),  # fmt: skip
    # "once you take cost away from revenue, how much did the service make or lose (overall)": the margin
    (
        r" (?:once|after|when|if) you (?:take|subtract|deduct) (?:the )?cost (?:away )?from "
        r"(?:the )?revenue,? how much did (?:the service|the company|the business|we|it|they) "
        r"(?:make|earn)(?: or lose)?(?: overall| in total)?(?= )",
        " margin",
    ),
    # "how long did it take from asking for an image to getting it back": the latency
    (
        r" how long (?:did|does|do) it (?:take|took) (?:from )?(?:asking|requesting|ordering) (?:for )?"
        r"(?:an? |the )?(?:image|picture|generation) (?:to|until) (?:getting|receiving|seeing|having) "
        r"(?:it|one|the image)(?: back)?(?= )",
        " latency",
    ),
)
