"""Asking for a chart or a view (blind set 38): "draw me a line of how many images we made per
day", "a pie showing how all generations break down by status", "stacked bar chart: generations
per tier, stacked by status", "scatter plot with one dot per sampler: average steps on x, average
latency on y", "show me a table with every sampler ...".

The answer is the data the chart would draw, and the app draws its own chart of it (a line over
time, bars over groups): the kind of chart is no part of the figure, so its words are read as
"show". What a chart's words do say is kept: "stacked by status" and "one line per tier" are a
grouping ("by status", "per tier")."""

from __future__ import annotations

_KIND = (
    r"(?:(?:stacked|grouped|clustered|horizontal|vertical|simple|multi[- ]?line|100%) )?"
    r"(?:bar|line|pie|donut|doughnut|area|scatter|bubble|column|heat ?map|time ?series)"
    r"(?: chart| graph| plot| diagram)?|bars|lines|columns|chart|graph|plot|heat ?map|table|visual|view"
)
# a chart's name that is nothing else ("waiting in line", "in the area of", "a column" are not charts)
_SAFE = (
    r"(?:(?:stacked|grouped|clustered|horizontal|vertical|simple|multi[- ]?line|100%) )?"
    r"(?:bar|line|pie|donut|doughnut|area|scatter|bubble|column|heat ?map)(?: chart| graph| plot| diagram)"
    r"|pie|donut|doughnut|heat ?map|scatter|bars|chart|graph|plot|table"
)
CHART_WORDS = (
    # "one line per tier", "one dot per sampler", "one point per week": a grouping
    (
        r" (?:with )?(?:one|a|1) (?:line|dot|point|bar|bubble|slice|series|column|row|cell|wedge) "
        r"(?:per|for each|for every|a)(?= )",
        " per",
    ),
    (r" (?:stacked|split|coloured|colored|segmented|broken up|layered) by(?= )", " by"),
    # "average steps on x, average latency on y": the figures' places on the chart
    (r" (?:on|along|for) (?:the )?(?:x|y|horizontal|vertical)(?:[- ]axis)?(?= )", " "),
    (r" (?:on )?(?:a |an |the )?(?:x|y)[- ]axis(?= )", " "),
    # "can you draw me a line of", "give me a pie showing", "visualise", "put ... on a graph"
    (
        r" (?:can you |could you |please )?(?:draw|plot|chart|graph|sketch|render|visuali[sz]e|show|give|"
        r"make|build|put|i need|i want|can i see|can i get)(?: me| us)? (?:a |an |the )?"
        rf"(?:{_KIND})(?: (?:of|showing|that shows|with|for|on|that|which shows))?(?= )",
        " show",
    ),
    # "Line chart of daily active users", "Heatmap of generations by ...": a chart named, then its data
    # ("the graph seems weird today - ..." is a remark before the question: background.py)
    (rf"^ (?:a |an |the )?(?:{_SAFE}) (?:of|showing|that shows|with|for)(?= )", " show"),
    (rf" (?:as|in|on|into) (?:a |an |the )?(?:{_SAFE})(?= )", " "),
    # "Chart how many sessions started", "please plot ...": the verb, at the start of a request
    (r"(^| please| pls| can you| could you| and) (?:visuali[sz]e|plot|graph|chart|draw)(?= )", r"\1 show"),
)
# what is left of a chart's words once the rewordings above have read them
_FILLER = """pie pies donut doughnut heatmap heat scatter bars bar chart charts graph graphs plot plots table
    tables visualise visualize visualisation visualization showing shows dashboard tile axis stacked area"""
FILLER = frozenset(_FILLER.split())
