"""A question said aloud and transcribed (blind set 30): fillers ("um", "uh"), homophones ("four
enterprise users", "the last to weeks", "cost buy week", "more then fifty") and spoken figures ("p
ninety five", after numbers.py has made "ninety five" 95).

``SPOKEN`` rewrites the normalized question (spaces around every word, punctuation gone, number words
digits) before the other rewordings. A homophone is read as the word it sounds like only where that
word is the one that fits the words around it ("four" before "the", a tier or a people word; "to"
between "last" and "weeks"), so no question that meant the other word changes.
"""

from __future__ import annotations

_AFTER_FOR = (
    r"the|a|an|all|each|every|this|last|pro|free|enterprise|paid|paying|users?|people|customers|"
    r"january|february|march|april|may|june|july|august|september|october|november|december"
)

SPOKEN = (
    # fillers
    (r" (?:um+|uh+|erm+|er|ah+|hmm+)(?= )", ""),
    # a self-correction (blind set 47): "by week no wait by day", "in milliseconds no in seconds", "top
    # 5 sorry top 3": what follows the correction word, begun with the same word, replaces what it
    # corrects (the correction word alone: "no" was left unread and the message declined)
    (
        r" (by|per|in|for|top|bottom|over|during|on|last|the) (?:[a-z0-9%]+ ){0,3}?"
        r"(?:no wait|wait no|no sorry|sorry|i mean|no no|no|or rather|actually|scratch that|make that|"
        r"make it|i meant),? (?=\1 )",
        " ",
    ),
    # "p ninety five" (95 by now): the percentile
    (r" p (50|90|95|99)(?= )", r" p\1"),
    # homophones: "four the last to weeks", "four enterprise users", "cost buy week", "more then 50"
    # ("four" is 4 by now: only after a figure's or a grouping's word, where no count can stand)
    (
        rf"(?<=rate|ency|time|cost|enue|rgin|ngth|ions|sers|tier|week|onth|ours) 4(?= (?:{_AFTER_FOR}) )",
        " for",
    ),
    (r" (last|past|previous|next) (?:to|too)(?= (?:days|weeks|months|quarters) )", r" \1 2"),
    (
        r" buy(?= (?:the )?(?:day|week|month|hour|tier|plan|sampler|domain|style|art style|user|status)s? )",
        " by",
    ),
    (r" (more|less|fewer|higher|lower|greater|bigger|smaller|longer|shorter|other) then(?= )", r" \1 than"),
    # "september 15th twenty twenty five" (numbers.py has made it "september 15th 20 25"): the year
    (
        r" (january|february|march|april|may|june|july|august|september|october|november|december) "
        r"(\d{1,2}(?:st|nd|rd|th)?) 20 (\d\d)(?= )",
        r" \1 \2 20\3",
    ),
)
