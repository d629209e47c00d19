"""The app's screens and charts named in a question (blind set 27): "the bar chart of error rate by
tier on the Overview - what are the numbers behind it?", "the daily activity chart with tier set to
pro", "the Overview headline numbers".

A user who saw a figure on a screen asks for it by where they saw it. The copilot answers the
figure the words name; where it was seen changes nothing. ``SCREENS`` rewrite the normalized
question (spaces around every word, punctuation gone) before the layer's rewordings: the screen's
name goes, the kind of chart goes ("bar chart", "KPI card", "headline numbers": a chart is a filler
word already), "the numbers behind it" goes, and a filter said as the screen's filter bar says it
("with tier set to pro", "with the tier filter on free") is the value (which would otherwise read as
"set ... to", a write). A chart named only by its figure ("on the success-rate-by-sampler chart,
which sampler comes out lowest?") keeps its words, which the parser reads or declines.
"""

from __future__ import annotations

_TAB = r"overview|analytics|session explorer|explorer|map|cohorts|leaderboards?|refinement|(?:sql )?copilot"
_DIMENSION = r"tier|plan|domain|sampler|art style|style|status|error code"

SCREENS = (
    # "on the Overview", "in the Session Explorer", "on the Analytics tab's funnel", "the Overview
    # headline numbers": where the figure was seen
    (
        rf" (?:(?:on|in|from|at) )?the (?:{_TAB})(?: (?:tab|page|view|screen|dashboard|charts?))?(?:'s)?"
        r"(?= |:)",
        "",
    ),
    (rf" (?:on|in|from|at) (?:{_TAB}) (?:tab|page|view|screen|dashboard)(?:'s)?(?= )", ""),
    # the kind of chart: "bar chart", "KPI card", "headline numbers", "lifecycle chart"
    (
        r" (?:bar|line|pie|area|stacked|daily activity|activity|kpi|headline|lifecycle|outcomes|summary)"
        r" (?:chart|graph|plot|card|numbers|figures|tiles?)s?(?= |:)",
        "",
    ),
    (r" kpi(?: card)?s?(?= )", ""),
    # "what are the numbers behind it", "the values under the bars"
    (
        r"(?: (?:what are|what's|give me|show me|can i (?:get|see)|i want))?(?: the)? (?:actual )?"
        r"(?:numbers|values|figures|data|counts) (?:behind|under|underneath|in|for|of) "
        r"(?:it|that|this|them|the bars?|the chart|the line|the graph|the plot)(?= )",
        "",
    ),
    (r" (?:what's|what is) the actual (?:number|figure|value)(?= )", ""),
    # "with tier set to pro", "with the tier filter on free": that value
    (
        rf" with (?:the )?(?:{_DIMENSION})(?: filter)? (?:set to|on|at|=|equal to|switched to)(?= )",
        " for",
    ),
)
