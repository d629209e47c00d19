"""A data-quality auditor's words for figures the layer has (blind set 46): "generation records",
"rows with zero revenue", "a blank prompt", "Completeness check before the report: ...", "in the logs".

``AUDIT`` rewords the normalized question (spaces around every word) before the layer's own
rewordings. A heading is dropped only when it is one of an audit's framing words alone ("Sanity
check:", "Reconciliation:", "Before I sign off on these numbers -"): a heading that names a figure, a
period or a filter is not dropped, so its words stay to be read or to stop the answer. "Zero X" of a
generation is its own value compared with 0 (the layer's row values: row_times.py), never a figure.
"""

from __future__ import annotations

_CHECK = (
    r"(?:completeness|sanity|integrity|consistency|quality|data quality|audit|duplicate|dupe|coverage|label)"
)
_FOR = r"(?: (?:before|for) (?:the |my |our |this )?(?:report|sign-?off|audit|release|review|board pack))?"
_DASH = r" ?[:\u2014\u2013-]"  # a colon or a dash after a heading (an em dash is gone once normalized)
_ASKS = r"(?= (?:how|what|which|are|is|do|does|did|list) )"  # a question word right after a heading
_ROWS = r"(?:log |data )?(?:records|entries|lines|rows)"
_SAY = r"(?:have|has|had|with|show|shows|showing|carry|carrying|report|reporting) (?:a |an )?(?:zero|no|0)"

AUDIT = (
    # "Completeness check before the report: ...", "Sanity check on coverage:", "Integrity check -"
    (
        rf"^ (?:a |quick |one more )?{_CHECK}(?: checks?| audit| review)?(?: on (?:coverage|the data))?"
        rf"{_FOR}{_DASH}(?= )",
        "",
    ),  # fmt: skip
    (rf"^ (?:a |quick |one more )?{_CHECK} (?:checks?|audit){_ASKS}", ""),  # "Duplicate check - how many ..."
    (
        rf"^ (?:reconciliation|data quality|auditing|audit|qa|label completeness|completeness){_DASH}(?= )",
        "",
    ),  # fmt: skip
    (
        rf"^ before (?:i|we) sign off(?: on)?(?: (?:these|the|this|our) (?:numbers|figures|report|data))?"
        rf"(?:{_DASH})?(?= )",
        "",
    ),  # fmt: skip
    # "auditing the status column: record count for each status value": the heading names the grouping
    (r"^ auditing the ([a-z_]+) column:(?= )", ""),
    # "generation records", "how many records", "record count": the generations (rows of the fact table)
    (r" generation (?:records|rows|entries|log lines|log rows)(?= )", " generations"),
    (r" (?:records?|entries|log lines|log rows) (?:counts?|numbers?)(?= )", " number of generations"),
    (
        rf"(?:(?<= many)|(?<= of)|(?<= all)|(?<= the)|(?<= any)|(?<= our)) {_ROWS}(?= )",
        " generations",
    ),  # fmt: skip
    (r"^ (?:records|entries)(?= )", " generations"),
    # "in the logs", "logged": where every row is
    (
        r" (?:in|from|across) (?:the |our )?(?:logs|log|data|dataset|warehouse|table|fact table)"
        r"(?= (?:and|,|$))",
        "",
    ),  # fmt: skip
    (r" (seconds|secs|time|hours|cost|revenue) (?:logged|recorded|booked)(?= )", r" \1"),
    # "records attributed to the unknown user": the rows of that user
    (r" (?:are |were |is |was )?(?:attributed|attributable|assigned|credited) to(?= )", " by"),
    # "so I can check they sum to the table total": why the auditor asks, not a figure
    (
        r",? so (?:that )?(?:i|we) can (?:check|verify|confirm"
        r"|make sure|see)(?: that)? (?:they|these|the counts|"
        r"the numbers|it|they all) (?:sum|add up|match|reconcile|tie out|agree)(?: to| with)?"
        r"(?: the (?:table |grand )?total| the row count| the total row count)?(?= $)",
        "",
    ),  # fmt: skip
    # "rows that carry the 'uncertain' domain label", "leave out the 'uncertain' label": the value
    (
        r" (?:carry|carries|carrying|bear|bearing|tagged with) (?:the |an? )?'?([a-z_-]+)'? "
        r"(domain|art style|style)(?: label| tag)?(?= )",
        r" with \2 \1",
    ),  # fmt: skip
    (r" (?:leave|leaving) out (?:the )?'?([a-z_-]+)'? (?:label|tag|value|bucket)(?= )", r" except \1"),
    # "the anonymous 'unknown' user, i.e. rows with no usable user name": the unknown user restated
    (
        r"(?<= user) i ?e (?:rows|records|generations|ones)"
        r" (?:with|that have) no (?:usable |known |real |valid )?"
        r"(?:user ?names?|user ids?|users?)(?= $)",
        "",
    ),  # fmt: skip
    # "prompt texts that show up under more than one user id": the prompts used by that many users
    (
        r" (?:show|shows|showed|turn|turns|turned) up (?:under|for|with|across) ((?:more than|at least|over) "
        r"(?:one|two|three|\d+)) (?:different |distinct )?(?:user ids|user id|users|user names)(?= )",
        r" used by \1 users",
    ),  # fmt: skip
    (r" prompt texts(?= )", " prompts"),
    # "(exact same text) submitted more than once, by anyone": a prompt used more than once
    (r" exact same text(?= )", ""),
    (r" (?:submitted|entered|typed|sent in|resubmitted)(?= (?:more than|at least|over|twice|\d))", " used"),
    (r"(?<= once),? by anyone(?= )", ""),
    (r" (?:used|run|generated|made) (more than once|at least twice)(?= )", r" \1"),
    (r" more than once(?= )", " more than 1 times"),
    (r" at least twice(?= )", " at least 2 times"),
    # "have zero revenue", "with zero GPU seconds", "showing zero cost": each generation's own value
    (rf" {_SAY} (cost|revenue)(?= )", r" with \1 exactly 0 dollars"),
    (rf" {_SAY} gpu (?:seconds|time|secs)(?= )", " with gpu time exactly 0 s"),
    # "a blank prompt (empty text)", "an empty prompt": a prompt of no characters
    (
        r" (?:a |an )?(?:blank|empty)(?: or (?:blank|empty))? prompts?(?: text)?"
        r"(?: empty text| blank text)?(?= )",
        " prompt characters exactly 0",
    ),  # fmt: skip
)
