"""A spreadsheet user's words, read as the layer's (blind set 29): "pivot of X: rows = tier, columns =
status", "sumif revenue where tier = pro", "countif status = error", "averageifs cost_usd where ...",
"sum of the cost column", "group on art style", "subtotaled by tier", "filter to status = error",
"filter out the free tier", "top 3 rows".

``SPREADSHEET`` rewrites the normalized question (spaces around every word, operators as words:
"=" is " is ") before the SQL words (sql_words.py) read the column names and "where" clauses. Each
says what a spreadsheet's feature computes: a pivot's rows and columns are two groupings, a SUMIF
is the total over the rows its condition keeps, a subtotal is a total per group.
"""

from __future__ import annotations

from genai_analyzer.analysis.copilot.sql_words import DIMS  # the dimensions a condition names

_FIELD = r"[a-z_]+(?: [a-z_]+){0,2}?"

SPREADSHEET = (
    # "pivot of generation counts: rows = tier, columns = status": the figure by both
    (
        rf"^ (?:a |the )?pivot(?: table)?(?: of)? ?(?P<x>.*?):? rows? (?:is|are|equals) (?P<r>{_FIELD}),? "
        rf"(?:and )?columns? (?:is|are|equals) (?P<c>{_FIELD})(?= $)",
        r" \g<x> by \g<r> and \g<c>",
    ),
    (
        r"^ (?:a |the )?pivot(?: table)?(?: of)? "
        rf"(?P<x>.+?) by (?P<r>{_FIELD}) (?:and|x) (?P<c>{_FIELD})(?= $)",
        r" \g<x> by \g<r> and \g<c>",
    ),
    # "pivot table: rows = week the session started, values = count of sessions": the figure by the rows
    # (blind set 46); "a pivot of revenue by month (one row per month is fine)": by month
    (r" (?:one row |a row )?(?:per|for each|each) [a-z]+ is (?:fine|ok|okay|good|enough)(?= )", ""),
    (
        r"^ (?:a |the )?pivot(?: table)?:? rows? (?:is|are|equals) (?P<r>.+?),? values? (?:is|are|equals) "
        r"(?P<x>.+?)(?= $)",
        r" \g<x> by \g<r>",
    ),
    (rf"^ (?:a |the )?pivot(?: table)?(?: of)? (?P<x>.+?) by (?P<r>{_FIELD})(?= $)", r" \g<x> by \g<r>"),
    # "sumif revenue where tier = pro", "countifs ...", "averageif ...": the figure over the rows kept
    (r" sumifs?:?(?= )", " sum"),
    (r" countifs?:?(?= )", " number of generations where"),
    (r" (?:averageifs?|averageif|avgif):?(?= )", " average"),
    # "COUNTUNIQUE of user_id by tier", "count distinct": the number of distinct values
    (
        r" (?:countunique|count unique|countdistinct|count distinct|uniquecount)(?: of)?(?= )",
        " number of distinct",
    ),
    # "sort descending", "sort desc": the order said ("sorted descending", ranking.py)
    (
        r" sort(?:ing)? (?:it |them |the rows |rows )?(?:by it )?(desc|asc)(?:ending)?(?= )",
        r" sorted \1ending",
    ),
    (r" number of generations where (?=by )", " number of generations "),
    # "sum of cost column", "the margin column (revenue minus cost)": the figure
    (r" (?:the )?(margin|profit) column(?: revenue minus cost| revenue - cost)?(?= )", r" \1"),
    (r" column(?= )", ""),
    # "group on art style", "grouped on the week", "subtotaled by tier", "subtotal gpu hours by month"
    (r" (?:group|grouped|grouping) on(?= )", " by"),
    (r" sub-?total(?:l?ed|l?ing)? by(?= )", " by"),
    (r" sub-?totals?(?= )", " total"),
    # "filter to status = error": the rows with that value ("filter out X": every row but X's)
    (
        r" filter(?:ed|ing)? (?:it |that |this |them )?(?:to |on |for |where )?"
        rf"(?=(?:the )?{DIMS} (?:is|equals) )",
        " where ",
    ),
    (r" filter(?:ed|ing)? (?:it |that |this |them )?out(?= )", " except"),
    # "top 3 rows sorted descending": the top 3
    (
        r" (?:keep|keeping|show|showing|leave|return)(?: only"
        r"| just)? (?:the )?(?=(?:top|bottom|first) \d+ rows )",
        " ",
    ),
    (r" (top|bottom|first) (\d+) rows(?= )", r" \1 \2"),
    # "avg of n_generations per session": the layer's generations per session, said once
    (r" n generations per session(?= )", " n generations"),
    # "average of friction", "median of session duration": the aggregate of it
    (r" (median|average|avg|mean) of(?= (?!the |all |a |an |each |every ))", r" \1"),
)
