"""What a question says about itself rather than about the data (blind set 26, a tester's voice):
"(overall, no breakdown)", "yes, just that one day", "over the whole period", "the very first day of
the data (2025-09-01)", "error code counts".

``ASIDES`` rewrite the normalized question (spaces around every word, punctuation gone) before the
layer's rewordings. Each aside restates what the rest of the question already asks (one figure, one
day, all dates), so leaving it out changes no answer; a question that says nothing else is still
answered for all dates and with no grouping, as it would be without the aside.
"""

from __future__ import annotations

ASIDES = (
    # "(overall, no breakdown)", "not broken down": one figure, which a question with no grouping is
    # ("no breakdown by status or error code" at the end: the groupings not wanted are named, blind set 41)
    (
        r" (?:with )?(?:no |without (?:a |any )?)(?:breakdown|grouping|split|splitting)s?"
        r"(?:(?: by| per| into) [a-z_]+(?: [a-z_]+)?(?:,? (?:or|and|nor) [a-z_]+(?: [a-z_]+)?)?(?= $))?(?= )",
        "",
    ),
    (r" not (?:broken down|split|grouped)(?: by anything)?(?= )", ""),
    # "over the whole period", "across the entire dataset", "all time": every date, as with no period
    (
        r" (?:over|for|across|in|during) (?:the )?(?:whole|entire|full|complete) (?:period|time range|range|"
        r"dataset|data set|data|history|time|log|logs)(?= )",
        "",
    ),
    (r" (?:over |for |across )?all(?:[- ]time| of time| dates)(?= )", ""),
    # "on Oct 11 2025 - yes, just that one day": the day already named
    (
        r"(?: -+)? (?:yes|yeah|yep|yup)?,?(?: just| only)? (?:that|this|the) (?:one |single )?(?:day|date)"
        r"(?: only| alone)?(?= $)",
        "",
    ),
    # "on the very first day of the data (2025-09-01)": the date written after it
    (
        r" on the (?:very )?(?:first|last|final|latest|earliest) day (?:of|in) the "
        r"(?:data|dataset|logs?|warehouse)(?= \d{4}-\d{2}-\d{2} )",
        " on",
    ),
    # "error code counts", "status counts": the generations of each
    (r" (error codes?|statuses|status) counts?(?= )", r" generations by \1"),
    # "what are the counts per status": the generations of each
    (r" (?:the )?counts (?=(?:per|by|for each|in each|of each) )", " generations "),
    # "how many distinct art styles exist", "monthly rollup of generation counts", "sessions by the week
    # they started in": said again around what is asked
    (r" (?:that |which )?(?:exist|exists|are there|are present|there are)(?= $)", ""),
    (r" (?:roll-?up|rolled up|summary|aggregate) of(?= )", ""),
    (
        r" by the (day|week|month|hour) (?:they|it|each one|each|the sessions?|a session) "
        r"(?:started|began|were started|was started)"
        r"(?: in| on| at)?(?= )",
        r" by \1",
    ),
    # "throw enterprise in as well": add it
    (r" throw in(?= )", " add"),
    (r" throw ((?:[a-z0-9_-]+ ){1,3}?)in(?= as well | too | $)", r" add \1"),
    # "for the unit economics deck: ...", "for my weekly report,": what the figure is for
    (
        r"^ (?:this is )?for (?:the|my|our|a|an|tomorrow's|monday's) (?:[a-z0-9-]+ ){0,3}"
        r"(?:deck|slides?|report|review|meeting|presentation|memo|update|email|newsletter|post|article|story|"
        r"piece|write-?up|blog|blog post|column|podcast|thread|feature|interview|profile|explainer):?(?= )",
        "",
    ),
    # an auditor's purpose (blind set 30): "to reconcile with finance:", "for a reconciliation,", "audit
    # check:", "I want to verify the outcome rates sum to one:", "... so I can check they add up to the
    # total", "..., I'm checking the taxonomy coverage": why the figures are wanted, not which
    (
        r"^ (?:to reconcile(?: with (?:finance|accounting|the books|billing|the ledger))?|"
        r"(?:for|as) (?:a|an|the|my) (?:reconciliation|audit|data[- ]quality check|sanity check|qa check|"
        r"spot check|cross-check)|(?:audit|sanity|qa|spot|data[- ]quality) check):?(?= )",
        "",
    ),
    (
        r"^ (?:i (?:want|need|would like|'d like) to |just want to |to )(?:verify|check|confirm|make sure|"
        r"double-check|sanity-check)(?: that)?(?: [a-z0-9'-]+){0,6}? (?:sum|sums|add up|adds up|total|totals|"
        r"match|matches|tie out|line up|reconcile)(?: [a-z0-9'-]+){0,4}?:(?= )",
        "",
    ),
    (
        r",? so (?:that )?(?:i|we) can (?:check|verify|confirm|see|make sure)(?: that)? (?:they|it|these|"
        r"the (?:figures|numbers|counts|rates|totals))"
        r"(?: (?:add up|adds up|sum|total|match|tie out|line up))?"
        r"(?: (?:to |with )?(?:the |a |one )?(?:total|whole|one|100%|overall))?(?= $)",
        "",
    ),
    (
        r",? (?:i'm|i am|im|we're|we are) (?:checking|auditing|verifying|reconciling) (?:the |our )?"
        r"(?:[a-z]+ ){0,2}(?:coverage|totals?|counts?|numbers|figures|books)(?= $)",
        "",
    ),
    # "art style labels", "the domain label": the labels are the dimension's values
    (r" (domain|art style|style)s? (?:labels?|lables?|tags?)(?= )", r" \1"),
    # "each subject (portraits, animals, food and so on)": examples of the values, not a filter on them
    (
        r" (subjects?|domains?|styles?|tiers?|samplers?|status(?:es)?)"
        r"(?: such as| like| e g| eg| say)?(?: [a-z-]+){1,6} "
        r"(?:and so on|and so forth|etc|and the like|and such|and more|and others)(?= )",
        r" \1",
    ),
    # anywhere else "and so on" leaves the list open: never read as the values named alone
    (r" (?:and so on|and so forth|and the like|etc)(?= )", " etcetera"),
    # "did each tier produce": make them
    (r" (?:produce|produces|produced|producing)(?= )", " make"),
)
