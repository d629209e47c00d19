"""An on-call engineer's words for the layer's figures (blind set 48): "how many timeouts in the last
24 hours", "top 3 error codes by count", "the worst single latency we've ever recorded", "which UTC
hours breach a 5% failure rate".

``ONCALL_WORDS`` rewords the normalized question (spaces around every word) among the layer's
rewordings (vocabulary.py). Each says the same thing in the words the steps read: the last 24 hours
are the data's last day (the warehouse keeps days, the hours of the last day all in it), a count is
the number of generations, the worst single latency is the largest one recorded, and a rate
"breached" is a rate above the figure.
"""

from __future__ import annotations

_STAT = r"(?:latency|latencies|response time|generation time)"
_ONE = r"(?:single |individual )"
_HIGH = rf"(?:the )?{_ONE}?(?:worst|highest|longest|slowest|biggest|largest)"
_LOW = rf"(?:the )?{_ONE}?(?:best|lowest|shortest|fastest|smallest)"
# "we've ever recorded", "ever seen", "on record": said of one generation, not of a group's figure
_EVER = (
    r"(?: (?:that )?(?:we'?ve|we have|we|ever|have|has|had) ?)*(?: (?:ever ))?"
    r"(?: (?:recorded|seen|observed|measured|logged|hit|had))(?: ever)?|(?: ever)? on record"
)
_EVER = rf"(?:{_EVER})"

ONCALL_WORDS = (
    (
        r" (?:in |over |during |for |within )?(?:the )?(?:last|past|previous) (?:24|twenty four) ?"
        r"(?:hours|hrs|h)(?= )",
        " on the last day",
    ),
    # "top 3 error codes by count": ranked by how many generations each has
    (
        r" by (?:the |their |its )?(?:raw )?(?:count|frequency|volume|occurrences?)(?! of)(?= )",
        " by number of generations",
    ),  # fmt: skip
    # "the worst single latency we've ever recorded", "the highest latency on record": the largest
    # latency of any generation ("which sampler has the worst latency" ranks samplers: left alone)
    (rf" {_HIGH} (?:{_ONE}{_STAT}{_EVER}?|{_STAT}{_EVER})(?= )", " the maximum latency"),
    (rf" {_LOW} (?:{_ONE}{_STAT}{_EVER}?|{_STAT}{_EVER})(?= )", " the minimum latency"),
    # "which UTC hours breach a 5% failure rate": the hours whose rate is above it
    (
        r" (?:breach|breached|breaches|breaching|bust|busts|busted|blow through|blew through|cross|"
        r"crossed|crosses) (?:a |an |the |our )?(\d+(?:\.\d+)? ?(?:%|percent|ms|s|seconds)?) "
        r"((?:[a-z0-9]+ ){0,2}?(?:rate|latency))(?= )",
        r" have a \2 above \1",
    ),
)
