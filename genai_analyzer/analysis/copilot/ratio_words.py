"""The words of a ratio of two figures (ratios.py), apart so that the rewordings can use them:
"revenue to cost ratio", "the ratio of GPU hours to generations", "p95 latency as a multiple of the
median", "margin relative to revenue"."""

from __future__ import annotations

BETWEEN = (
    r"divided by|as an? (?:multiple|fraction|proportion|percentage|share) of|relative to|"
    r"compared to|in proportion to|per unit of"
)
RATIO = r"ratios?|multiple"
CUES = rf"{RATIO}|{BETWEEN}"  # words only this step reads: never corrected as typos

# "the ratio of gpu hours to generations", "gpu hours to generations ratio": listed with "and", so
# that a count named with a bare noun ("generations") is kept beside the other figure
RATIO_WORDS = (
    (r" ratio (of|between) ((?:[a-z0-9]+ ){1,5}?)(?:to|over|vs|versus)(?= )", r" ratio \1 \2and"),
    (r"(?<=[a-z])(?: to |-to-)((?:[a-z0-9]+[ -]){1,4}?)ratio(?= )", r" and \1ratio"),
)
