"""A data scientist's code as a question (blind set 49): pandas chains and SQL calls typed into the
box, "df.groupby('tier').latency_ms.mean()", "art_style.value_counts()", "len(df[df.status ==
'error'])", "cfg.agg(['min', 'max', 'mean'])", "sort_values(ascending=False).head(3)",
"quantile_cont(duration_s, 0.5)/60".

``CODE_WORDS`` rewords the normalized question (punctuation gone, quotes and operators kept as
words: text.py) before the SQL words (sql_words.py) read the columns. Each says what the code
computes in the words the steps read: a group-by with an aggregate is that statistic by those
columns, ``size``/``count``/``len`` count the rows (generations), ``value_counts`` counts them per
value, ``nunique`` counts distinct values, a sort with ``head(n)`` is a top or bottom n. A call
nothing here reads stays unread, and the question is declined naming it.
"""

from __future__ import annotations

import re

_AGG = {"mean": "average", "avg": "average", "average": "average", "sum": "total", "median": "median",
        "max": "maximum", "min": "minimum", "nunique": "number of distinct"}  # fmt: skip
_CALLS = "mean|avg|sum|median|max|min|nunique|size|count"


def _grouped(m: re.Match) -> str:
    """ "groupby 'tier' 'status' size", "groupby 'tier' latency ms mean": the statistic by the columns."""
    columns = " and ".join(c.strip(" '") for c in re.findall(r"'[a-z ]+'", m[1]))
    value, call = (m[2] or "").strip(), m[3]
    if call in ("size", "count") or not value:
        figure = f"number of {value}" if call == "count" and value else "number of generations"
    else:
        figure = f"{_AGG[call]} {value}"
    return f" {figure} by {columns}"


def _listed(m: re.Match) -> str:
    """ "cfg agg 'min' 'max' 'mean'": each statistic of the column, listed."""
    column = m[1].strip()
    return " " + " and ".join(f"{_AGG[c]} {column}" for c in re.findall(r"[a-z]+", m[2])) + " "


CODE_WORDS = (
    # "len(df[df.status == 'error'])": the rows kept, counted
    (r" (?:len|length) (?:df ?)+", " number of generations "),
    (r"(?<= )df(?: df)*(?= )", ""),  # the frame's name
    (r"^ (?:dim|fact|fct) (?:sessions|generations|users|prompts|prompt edits) ?:?(?= )", ""),
    (rf" group ?by ((?:'[a-z ]+' ?)+) ?((?:[a-z]+ ){{0,3}}?)({_CALLS})(?= )", _grouped),
    (r" group ?by(?= )", " by"),
    # "art_style.value_counts()": generations per style
    (r"^ ([a-z]+(?: [a-z]+)?) value counts(?: normalize equals true)?(?= )", r" number of generations by \1"),
    (r" sort values(?: by '?[a-z ]+'?)? ascending equals false head (\d+)(?= )", r" top \1"),
    (r" sort values(?: by '?[a-z ]+'?)?(?: ascending equals true)? head (\d+)(?= )", r" bottom \1"),
    (r" nlargest (\d+)(?= )", r" top \1"),
    (r" nsmallest (\d+)(?= )", r" bottom \1"),
    (r" ([a-z]+(?: [a-z]+)?) agg ((?:'(?:min|max|mean|median|sum)' ?){2,5})(?= )", _listed),
    (r" agg(?:regate)?(?= (?:sum|total|mean|avg|average|median|min|max) )", ""),
    (r" nunique(?= )", " number of distinct"),
    # "quantile_cont(duration_s, 0.5)", "latency_ms.quantile(0.95)": the median, the p95
    (r" quantile(?: cont| disc)? (.+?) 0\.5(?= )", r" median \1"),
    (r" quantile(?: cont| disc)? (.+?) 0\.(95|99)(?= )", r" p\2 \1"),
    (r" ([a-z]+(?: ms| s)?) quantile 0\.5(?= )", r" median \1"),
    (r" ([a-z]+(?: ms| s)?) quantile 0\.(95|99)(?= )", r" p\2 \1"),
    # "latency_ms p95 per sampler": the statistic after the column is the one asked (it answered the
    # median beside it, "latency" alone being the median)
    (r" (latency|queue time|queue)(?: ms)? (p\d\d|median|mean|avg|max|min)(?= )", r" \2 \1"),
    (r" n chars(?= )", " prompt length in characters"),
    (r" n words(?= )", " prompt length in words"),
    # ".query(\"tier == 'free'\") first": those rows only
    (r" (?:with )?query (.+?)(?: first)?(?= $)", r" only \1"),
    (r" (?:where|for|of) (?:the )?abandoned(?: sessions)?(?= )", " of sessions that ended on a failure"),
)
