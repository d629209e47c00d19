"""A command bar's shorthand and a report's set phrases, read as the words the parser knows (blind
set 28: terse commands, a finance analyst, a product designer): "top3", "desc", "last 7d", "l30d",
"rev", "tier x error rate", "as a share of the total", "out of all the ideas, what share ...".

``SHORTHAND`` rewrites the normalized question (spaces around every word, punctuation gone) before
the layer's rewordings. Each abbreviation stands for one phrase whatever the question around it, so
reading it changes no question that did not use it: "rev" is revenue only as a word of its own,
"x" joins two words only between letters ("1024 x 1024" is a size, params.py).
"""

from __future__ import annotations

_ORDERED = r"(?<!sorted)(?<!ordered)(?<! in)"  # "in descending order" is read as it stands (ranking.py)
_USED = r" (?:the )?(most|least) (?:frequent|common|used|popular) first(?= )"
# "month-to-date revenue for october": that month's days, run along (vocabulary.py imports this module)
_MONTH = r"jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|"
_MONTH += r"oct(?:ober)?|nov(?:ember)?|dec(?:ember)?"
_SHARE = r"share|fraction|proportion|percentage|percent"
_FULL = {m[:3]: m for m in ("january", "february", "march", "april", "june", "july", "august", "september",
                            "october", "november", "december")}  # fmt: skip
_EXTREME = {"longest": "maximum", "shortest": "minimum"}
_SHORT = r"jan|feb|mar|apr|jun|jul|aug|sept?|oct|nov|dec"  # a month cut short

SHORTHAND = (
    # "top3 styles", "bottom-5 samplers": the number apart
    (r" (top|bottom)-?(\d+)(?= )", r" \1 \2"),
    # "last 7d", "past 2w", "l30d", "last 24h": the days, weeks or hours (never "m": months or minutes)
    (r" (?:(?:last|past) ?|l)(\d+) ?d(?:ays?)?(?= )", r" last \1 days"),
    (r" (?:(?:last|past) ?|l)(\d+) ?w(?:ks?)?(?= )", r" last \1 weeks"),
    (r" (?:(?:last|past) ?|l)(\d+) ?h(?= )", r" last \1 hours"),
    # "p95 lat last 7d vs prev 7d" (blind set 47): the days before; "prev 14d?" alone, after an answer
    # over the last 14 days, is the 14 days before that (blind set 35: the same 14 days were answered)
    (r" (vs|versus|against) (?:prev|previous|prior) ?(\d+) ?d(?:ays?)?(?= )", r" \1 previous \2 days"),
    (r" (vs|versus|against) (?:prev|previous|prior) ?(\d+) ?w(?:ks?)?(?= )", r" \1 previous \2 weeks"),
    (r" (?:prev|previous|prior) ?(\d+) ?d(?= )", r" the \1 days before that"),
    # "p95 desc", "by cost asc": the order, as "sorted descending" says it
    (rf"{_ORDERED} (?:desc|descending)(?= (?!order))", " sorted descending"),
    (rf"{_ORDERED} (?:asc|ascending)(?= (?!order))", " sorted ascending"),
    # "error codes, most frequent first": the values used most first
    (
        _USED,
        lambda m: " by number of generations sorted " + ("descending" if m[1] == "most" else "ascending"),
    ),
    # "error codes, most frequent first", "list error codes by count": the failed generations of each
    # code ("error" alone would be read as the failures' figure before "error codes" as the grouping)
    (
        r"^ ((?:list|show|rank|count) )?(?:the |all )?error codes?"
        r"(?: by (?:number of generations|count|frequency))?(?= sorted | ranked | ordered | $)",
        r" \1generations by error code",
    ),
    # "how does revenue split across tiers as a share of the total": the share of it by tier
    (
        r" (?:how (?:does|do|is|are) )?(revenue|cost|generations|sessions|gpu hours)"
        r"(?: split| divided| broken down| distributed)? (?:across|by|among|between|per) (?:the )?"
        rf"([a-z]+(?: [a-z]+)?),? as an? (?:{_SHARE}) of (?:the |all |its )?(?:total|whole|overall)(?= )",
        r" share of \1 by \2",
    ),
    # "out of all the ideas people start, what share end in a kept image": the share of them that do
    (
        r" out of (?:all )?(?:the |their )?([a-z]+)(?: (?:people|users|folks|customers) "
        r"(?:start|started|make|made|have|had|create|created|begin|began))?,? (?:what|which) "
        rf"({_SHARE})(?= (?:end|ends|ended|are|were|is|was|get|got|had|have|did|do|make|made) )",
        r" what \2 of \1",
    ),
    # "sessions that are a single generation and done": sessions with exactly one
    (
        r" (?:that |which )?(?:are|were|is|was) (?:just |only )?(?:a single|one|1) "
        r"(generation|image|render)s?(?: and (?:done|out|gone|that's it|that is it))?(?= )",
        r" with exactly 1 \1s",
    ),
    # "after an NSFW block, how often does the session just end there": the share ending after one
    (
        r" after (an? (?:nsfw block|failure|failed generation|error))(?:ed)?,? how often (?:does|do|did) "
        r"(?:the |a )?sessions? (?:just )?(?:end|stop)(?: there| right there| then| right away)?(?= )",
        r" share of sessions that end after \1",
    ),
    # "revenue month to date", "mtd": this month so far ("to date" alone is every date)
    # ("to-date" is left for running.py: "month-to-date revenue, day by day" runs along the days)
    # "October month-to-date revenue, day by day" (blind set 48): the month named before
    (rf" ({_MONTH}) (?:month[- ]to[- ]date|mtd)(?= )", r" \1 to-date"),
    (
        rf" (?:the )?(?:month[- ]to[- ]date|mtd)(?=(?: [a-z]+){{0,3}} (?:for|in|of|during) (?:{_MONTH}) )",
        " to-date",
    ),
    (r" (?:the )?(?:month[- ]to[- ]date|mtd)(?= )", " this month to-date"),
    (r" (?:the )?(?:week[- ]to[- ]date|wtd)(?= )", " this week to-date"),
    # "average cost", "avg revenue where ...": per generation (not before another "per": "average
    # cost per user" is read as it stands)
    (
        r" (?:the )?(?:average|avg|mean) (cost|revenue|margin) (?:of|for|per) (?:a |an |one |each |every )?"
        r"(session|user|generation|image|picture)s?(?= )",
        r" \1 per \2",
    ),
    (
        r" (?:the )?(?:average|avg|mean) (cost|revenue|margin)"
        r"(?! per| of| for (?:a|an|one|each|every) )(?= )",
        r" \1 per generation",
    ),
    # "show me 10" after a top 5: the top 10 (blind set 43; "10" was left unread)
    (
        r"^ (?:now |ok |okay )?(?:show|give|list|get)(?: me| us)? (?:the )?(\d+)(?: instead| of them| rows)?"
        r"(?: please)? $",
        r" top \1 ",
    ),
    # a manager's phone (blind set 47): "gens/wk + chg vs prior wk" (each week's change), "fails oct 12"
    (r" ([a-z]+)/(wk|wks|mo|yr|img|imgs|sess)(?= )", r" \1 per \2"),
    (
        r" (?:chg|delta|diff) (?:vs|versus|from|over) (?:the )?(?:prior|prev|previous|last) "
        r"(?:wk|week)(?= )",
        " with the change from the week before",
    ),
    (r" (?:wk|week) over (?:wk|week)(?= )", " week over week"),
    (r" (wk|mo)(?= )", lambda m: {"wk": " week", "mo": " month"}[m[1]]),
    (r" wks(?= )", " weeks"),
    (r" imgs?(?= )", " images"),
    (r" succ(?= )", " success"),
    (r" mins(?= )", " minutes"),
    (r" yday(?= )", " yesterday"),
    (r"^ fails(?= )", " failed generations"),
    # "fails oct 12": that day ("on" said, unless a word before says how the day is meant: "from oct 1")
    (
        r"(?<! on)(?<! from)(?<! to)(?<! since)(?<! until)(?<! between)(?<! and)(?<! before)(?<! after)"
        rf"(?<! through)(?<! till)(?<! of)(?<! thru) ({_SHORT}) (\d{{1,2}})(?= )",
        lambda m: f" on {_FULL[m[1][:3]]} {m[2]}",
    ),
    (rf" ({_SHORT}) (\d{{1,2}})(?= )", lambda m: f" {_FULL[m[1][:3]]} {m[2]}"),
    # words cut short (blind sets 22 and 28)
    (r" len(?= )", " length"),
    (r" hrs(?= )", " hours"),
    (r" hr(?= )", " hour"),
    (r" pct(?= )", " percent"),
    (r" wkly(?= )", " weekly"),
    (r" rev(?= )", " revenue"),
    # "longest sess in mins?": the one session (as records.py reads "longest session", before this table)
    (r" (longest|shortest) sess(?= )", lambda m: f" {_EXTREME[m[1]]} session length"),
    (r" sess(?= )", " sessions"),
    (r" cnt(?= )", " count"),
    # a manager's KPI line (blind set 43): "rev/gen", "gens/session" (a figure per unit), "gross margin
    # %" (the margin over the revenue, in percent; "p50 / p95 / p99" is a list: sql_words.py),
    # "unit economics by sampler: rev/gen, cost/gen" (a heading over the figures it lists)
    (r" ([a-z]+)/(gens?|generations?|images?|users?|sessions?|days?)(?= )", r" \1 per \2"),
    (r" (?:gross )?margins? (?:%|percent(?:age)?|rate)(?= )", " margin relative to revenue as a percentage"),
    (r" unit economics(?= (?:by|per|for|of) )", ""),
    (r" in (?:%|percent(?:age)?) terms(?= )", " in percent"),  # "how much did it grow, in % terms"
    (
        r" (?:the |a |its |their )?(?:%|percent(?:age)?) (change|growth|increase|difference)(?= )",
        r" the \1 in percent",
    ),
    (r" gen(?= )", " generation"),
    # "tier x error rate": a cross of a grouping and a figure, as a pivot table's axes say it
    (r"(?<=[a-z]) x (?=[a-z])", " by "),
)
