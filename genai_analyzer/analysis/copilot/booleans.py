"""Conditions joined in words (blind set 42): "neither timeouts nor NSFW blocks", "used neither
k_lms nor k_euler", "k_lms or ddim, but only those with more than 40 steps", "above 10 and more
than 50 steps, but did not use k_lms", "were both successful and from enterprise users", "of paying
users, how many are on pro".

``BOOLEANS`` rewords the normalized question (spaces around every word) into the negations and
lists the value filters read ("not timeouts or nsfw blocks", "did not use k_lms or k_euler"): each
condition stays a filter, all of them together (AND), and "X or Y" of one dimension is both values
(splits.py). "but" joins one more condition; "both" before two conditions joined by "and" says that
both hold.
"""

from __future__ import annotations

BOOLEANS = (
    # "used neither k_lms nor k_euler": did not use either
    (r" (?:used|use|uses|using) neither (.+?) nor(?= )", r" did not use \1 or"),
    (r" (were|was|are|is) neither (.+?) nor(?= )", r" \1 not \2 or"),
    (r" neither (.+?) nor(?= )", r" not \1 or"),
    # "..., but only those with more than 40 steps": one more condition
    (r",? but (?=(?:only|just) )", " "),
    (r",? but (?=(?:not|did not|didn't|does not|doesn't|never|without|excluding|except|no) )", " and "),
    # "of paying users, how many are on pro": the users of both (it counted generations)
    (
        r"^ (?:of|among|out of) (?:the |all |our |those )?((?:[a-z_']+ ){0,3}?)"
        r"(users|customers|people|accounts) how many (are|were)(?= )",
        r" how many \1\2 \3",
    ),
    # "were both successful and from enterprise users": both conditions hold
    (r" (were|was|are|is|that were|which were) both(?= [a-z]+ (?:[a-z]+ )?and )", r" \1"),
)
