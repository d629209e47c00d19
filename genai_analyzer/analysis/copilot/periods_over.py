"""Periods said against each other in words: "week over week", "month over month for the last 4
months", "last 3 days vs the 3 days before", and in a follow-up "the 7 days before that".

``PERIODS_OVER`` rewords the normalized question (spaces around every word) among the layer's
rewordings (vocabulary.py, in their order): a series when a window is named with it, a comparison with
the period before when a change is asked, and "the N days before" as the previous N days ("before
that" is kept for the follow-up's merge, followup.py).
"""

from __future__ import annotations

PERIODS_OVER = (
    # "is the error rate creeping up or coming down?", "going up or down": which way it trends
    (
        r" (?:going|creeping|trending|moving|heading|drifting|edging|inching|climbing|getting) up or "
        r"(?:(?:going|coming|trending|moving|heading|drifting|edging|inching|getting) )?down(?= )",
        " trending",
    ),
    (r" (?:getting )?(?:better or worse|worse or better)(?= )", " trending"),
    # "weekly numbers pls": the weekly figure
    (r" (daily|weekly|monthly) (?:numbers|figures|values|totals|stats|breakdown)(?= )", r" \1"),
    (r" (day|week|month)[- ]on[- ]\1(?= )", r" \1 over \1"),  # "week on week"
    # "day-over-day change for the last 7 days", "month over month growth": each period's change from
    # the one before, along a series (running.py); a week's alone is last week's (below)
    (
        r" (day|week|month)[- ]over[- ]\1 (change|growth|difference|delta|increase)s?"
        r"(?= (?:.* )?(?:for|over|in|during|across) (?:the )?(?:last|past) \w+ (?:day|week|month)s )",
        r" by \1 with the \2 from the previous \1",
    ),
    (
        r" (day|month)[- ]over[- ]\1 (change|growth|difference|delta|increase)s?(?= )",
        r" by \1 with the \2 from the previous \1",
    ),
    # "week over week for the last 4 weeks": a weekly series over the window, not two periods
    (r" (day|week|month)[- ]over[- ]\1(?= (?:for|over|in|during|across) (?:the )?(?:last|past) )", r" by \1"),
    (
        r"( (?:for|over|in|during|across) (?:the )?(?:last|past) \w+ (day|week|month)s),?"
        r" \2[- ]over[- ]\2(?= )",
        r"\1 by \2",
    ),
    # "how's the error rate trending week over week": a trend asked that way is a weekly series
    (
        r" (trend(?:s|ing|ed)?|evolv(?:e|es|ing|ed)|chang(?:e|es|ing|ed)|grow(?:s|ing|n)?|doing|going|"
        r"looking|moving|performing|holding up)(?: up| down| upwards?| downwards?)? "
        r"(day|week|month)[- ]over[- ]\2(?= )",
        r" \1 by \2",
    ),
    # "week over week change in the error rate": last week against the week before; "abandonment
    # rate week over week" alone is a weekly series, as month over month and day over day are
    (
        r" week[- ]over[- ]week(?= (?:change|growth|difference|delta|increase|decrease|drop)s? )",
        " compared with the week before",
    ),
    (
        r"( (?:change|growth|difference|delta|increase|decrease|drop)s? .*?) week[- ]over[- ]week(?= )",
        r"\1 compared with the week before",
    ),
    (r" week[- ]over[- ]week(?= )", " by week"),
    # "the median latency on each of the last 5 days": a series by day over the window (the "each of"
    # was left unread, answering one figure for the five days: blind set 42)
    (
        r" (?:on |for |in |over |during |across |from )?each of the (last|past|previous) (\w+) "
        r"(day|week|month)s(?= )",
        r" by \3 over the \1 \2 \3s",
    ),
    # "split each week by tier too": each period split by the grouping, the periods kept
    (
        r" (split|break down|broken down|break out|broken out) (?:each|every) (day|week|month|hour)(?= by )",
        r" \1",
    ),
    # "last 3 days vs the 3 days before": the period of the same length before it
    # ("the 7 days before that" in a follow-up: before the answer's period, followup.py)
    (r" (?:the )?(\d+) (days|weeks) before (that|it|them|then)(?= )", r" the previous \1 \2 before \3"),
    (r" (?:the )?(\d+) (days|weeks) before(?! (?:that|it|them|then) )(?= )", r" the previous \1 \2"),
)
