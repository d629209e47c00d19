"""How many different values each unit used, said as a cut-off (blind set 42): "how many users have
tried more than one sampler?", "users who generated images in more than 3 distinct domains". The
number is of the values, so the words are written as the layer's ``distinct_*`` figures ("more than
1 distinct sampler"), which the thresholds read like any figure of a group ("users with more than 20
generations"). Before, "more than 1" was left unread and the question declined.

``VARIETY_WORDS`` rewords the normalized question (spaces around every word) among the layer's
rewordings (vocabulary.py). "How many distinct samplers" alone counts the values (distinct.py).
"""

from __future__ import annotations

VARIETY_WORDS = (
    (
        r" (more than|fewer than|less than|at least|at most|over|under|above|below|exactly) (\d+) "
        r"(?:(?:distinct|different|unique|separate) )?(samplers?|domains?|art styles?|styles?|prompts?)(?= )"
        r"(?! (?:words?|characters?|chars?|length|long))",  # "more than 40 prompt words": a length
        r" \1 \2 distinct \3",
    ),
)
