"""Hypotheses and yes/no checks (blind set 26): "is it true that pro users fail less than free users?",
"I have a feeling k_heun is slower than k_lms. Correct?", "did failures go up?".

The answer to such a question is the figures that settle it, never a bare yes or no: the metric for
each of the two groups named, the figure before and after, the figure per week.

``HYPOTHESES`` rewrite the normalized question (spaces around every word, punctuation gone) before
the other rewordings read it:

- the frame goes ("is it true that", "am I right that", "my guess is", "I suspect", "hypothesis:",
  "... - am I right?", "correct?", "does the data agree?"), and leaves " is" at the start, which
  marks a yes/no question for the rules below (and for ``judgement``);
- "A <comparative> than B" in a yes/no question becomes "<metric> A vs B", the metric taken from the
  comparative when it names one ("fail less" is the failure rate, "slower" the latency, "get
  blocked more often" the NSFW block rate, "last longer" the session length) or kept where A names it
  ("is the median latency at night higher than ..."; "do enterprise users make more images per
  session than ..."). Only in a yes/no question: "which samplers are slower than k_lms" asks for
  other rows and is left to the rest of the parser. A number after "than" is a threshold, never a
  comparison;
- "cost us more than they bring in" is the cost and the revenue; "more than half of X going to Y" is
  the share of X from Y; "does a higher X lead to more Y" is Y by X; "has X stayed above N% every
  week" is X by week.

``judgement`` names the word of a yes/no question that asks for a verdict the data cannot give ("is
latency bad?", "are errors a problem?"): such a question is declined, never answered with the bare
figure (blind set 26 found "is latency bad?" answered with the p50 latency). ``counterfactual``
names the words of a question about what did not happen ("how many generations would we have had
without the errors?", "what if ..."), which is declined the same way (blind set 28).
"""

from __future__ import annotations

import re

_YES_NO = r"(?:is|are|was|were|do|does|did|has|have|will|would|isn't|aren't|don't|doesn't|didn't)"
_FRAME = (
    r"^ (?:so |ok |okay |quick one |hey )?(?:"
    r"is it (?:true|the case|correct|right|fair to say|accurate to say)(?: that)?|"
    r"am i (?:right|correct|wrong|mistaken)(?: (?:in thinking|to think|to say|in saying))?(?: that)?|"
    r"(?:my|our|the) (?:guess|hunch|hypothesis|theory|feeling|bet|assumption|intuition|impression|belief) "
    r"is(?: that)?|"
    r"i(?:'d| would)? (?:have a (?:feeling|hunch|suspicion|theory)|have the impression|suspect|believe|bet|"
    r"assume|reckon|feel like|think|guess|say|wager)(?: that)?|"
    r"(?:surely|presumably|obviously|clearly|i'm sure|i am sure|i'm pretty sure|i'm guessing)(?: that)?|"
    r"(?:(?:my|our) )?(?:hypothesis|theory|claim|hunch|assumption|true or false):?|"
    r"(?:someone|somebody|people|everyone|sales|marketing|support|finance|the team|"
    r"my (?:boss|manager|team|lead|colleague)) "
    r"(?:claims|claimed|says|said|thinks|thought|told me|believes|insists|swears|keeps saying)"
    r"(?: that)?|"
    r"(?:can|could) (?:you|u) (?:confirm|check|verify|tell me)(?: (?:that|whether|if))?|"
    r"(?:confirm|check|verify) (?:that|whether|if)|"
    r"i(?:'d| would) like to (?:check|confirm|verify|know) (?:that|whether|if)|"
    r"i (?:want|need) to (?:check|confirm|verify|know) (?:that|whether|if)"
    r")(?= )"
)
_TAIL = (
    r"(?: -+)?(?: (?:so|and|or))? (?:am i (?:right|correct|wrong)|(?:is|was) (?:that|this|it|i) "
    r"(?:right|true|correct|so|the case)|correct|right|true|yes or no|or not|no|isn't it|aren't they|"
    r"don't you think|wouldn't you say|(?:can you |could you )?(?:check|verify|confirm) (?:that|this|it)|"
    r"(?:what are|show me|give me) the (?:two |2 |both )?(?:numbers|figures)|"
    r"what do the (?:numbers|figures) say|"
    r"does the data (?:agree|confirm it|"
    r"support (?:it|this|that)|"
    r"back (?:it|this|that) up|say so|agree with (?:me|that|this))|do the (?:numbers|data|figures) (?:agree|"
    r"back (?:it|this|that) up|support (?:it|this|that)))(?: or not)? $"
)
_OFTEN = r"(?: (?:more|less) (?:often|frequently)| more| less)"
_SEE = r"(?:have|has|had|get|gets|see|sees) (?:more|fewer|less)"
_BE = r"(?:(?:is|are|was|were) )?"
# the comparative at the end of "A <comparative> than B", and the metric it names ("" : A names it)
_COMPARATIVES = (
    (rf"(?:fail|fails|failed|failing){_OFTEN}?|{_SEE} failures", "failure rate"),
    (rf"(?:error|errors|errored|error out|errors out){_OFTEN}|{_SEE} errors", "error rate"),
    (rf"(?:time out|times out|timed out|timeout){_OFTEN}|{_SEE} timeouts", "timeout rate"),
    (rf"(?:(?:get|gets|got|are|is|were|was) )?(?:nsfw blocked|nsfw-blocked|blocked|flagged|filtered|censored)"
     rf"(?: by (?:the )?(?:nsfw|safety|moderation) filter)?{_OFTEN}",
     "nsfw block rate"),
    (rf"(?:succeed|succeeds|succeeded|work|works|worked){_OFTEN}", "success rate"),
    (rf"(?:(?:get|gets|got|are|is|were|was) )?abandoned{_OFTEN}", "abandon rate"),
    (r"(?:earn|earns|earned)(?: us)? (?:more|less)(?: money)?|(?:make|makes|made|bring in|brings in)(?: us)? "
     r"(?:more|less) money",
     "revenue"),
    (r"(?:wait|waits|waited)(?: in (?:the )?queue)? (?:less|more|longer)(?: in (?:the )?queue)?",
     "queue time"),
    (r"(?:end|ends|ended|finish|finishes|quit|quits) (?:their |a |the )?sessions? (?:on|with|after) "
     rf"(?:a |an )?(?:failure|fail|failed generation|error){_OFTEN}",
     "share of sessions ending on a failure"),
    (r"(?:(?:is|are|was|were|run|runs|ran|get|gets|feel|feels) )?"
     r"(?:slower|faster|quicker|snappier|laggier|speedier)",
     "latency"),
    (r"(?:last|lasts|lasted|hangs? around|stays?|sticks? around) (?:longer|shorter)"
     r"(?: in (?:a|their|the|each) sessions?)?",
     "session length"),
    # "does k_lms take longer than ddim": the latency; "do sessions run longer": their length (_figure)
    (r"(?:run|runs|ran|go|goes|take|takes|took) (?:longer|shorter)", "time taken"),
    (rf"{_BE}(?:busier|quieter|more active|less active|more popular|less popular)", "generations"),
    (r"(?:(?:is|are|was|were|get|gets|run|runs) )?"
     r"(?:higher|lower|bigger|smaller|larger|greater|better|worse)",
     ""),
)  # fmt: skip
_MAKE = (
    r"make|makes|made|have|has|had|get|gets|got|see|sees|saw|bring in|brings in|generate|generates|generated|"
    r"create|creates|created|spend|spends|spent|run|runs|use|uses|used|produce|produces|produced|earn|earns|earned"
)
_MORE = r"more|fewer|less|higher|lower|bigger|larger|smaller|longer|shorter"
# "more X than": X is the figure; not "longer sessions than" nor "shorter last week than", where the
# comparative itself names the figure (the session length: read by the rest of the parser)
_MORE_OF = r"more|fewer|less|higher|lower|bigger|larger|smaller|worse|better"
# a number (or "a 5% ...") after "than" is a threshold ("is the error rate higher than 3%")
_NOT_A_NUMBER = r"(?!(?:a |an |the )?\d)"


# each comparative as the end of "A <comparative>", compiled once (read by _comparison and _without_than)
_ENDINGS = tuple((re.compile(rf"(?P<a>.+?) (?:{words})"), metric) for words, metric in _COMPARATIVES)


def _figure(metric: str, said: str) -> str:
    """The figure a comparative names, said of ``said``: the time taken is a session's length when
    sessions are compared, else the latency."""
    if metric == "time taken":
        return "session length" if "session" in said else "latency"
    return metric


def _comparison(m: re.Match) -> str:
    """ "is A <comparative> than B" as "<metric> A vs B" (the question unchanged when no rule reads
    the comparative)."""
    body, other = m["body"], m["other"]
    for ending, metric in _ENDINGS:
        if found := ending.fullmatch(body):
            metric = _figure(metric, found["a"])
            if metric == "generations" and re.search(r" in (?:number|terms|count) of ", f" {other} "):
                metric = ""  # "busier than weekdays, in number of generations": said after
            return f" {metric} {found['a']} vs {other} "
    # "do enterprise users make more images per session than pro users": the figure after "more"
    more_of = rf"(?P<a>.+?) (?:(?:{_MAKE}) )?(?:a |an )?(?:{_MORE_OF}) (?!often )(?P<x>.+)"
    if found := re.fullmatch(more_of, body):
        # "oil painting has to be more expensive per image than watercolor": the cost per image
        a = re.sub(r" (?:has to be|have to be|must be|should be|is|are|was|were)$", "", found["a"])
        x = re.sub(r"^(?:expensive|costly|pricey|pricier)(?= |$)", "cost", found["x"])
        return f" {a} {x} vs {other} "
    return m.group(0)


def _without_than(m: re.Match) -> str:
    """ "do sessions last longer on weekends": against the other days (a weekend's complement has a
    name; any other value's has not, and is left to the rest of the parser)."""
    for ending, metric in _ENDINGS:
        if found := ending.fullmatch(m["body"]):
            return f" {_figure(metric, found['a'])} {found['a']} on weekends vs weekdays "
    return m.group(0)


def _one_figure(m: re.Match) -> str:
    """ "is the median session under 2 minutes" as "median session length" (a subject that selects
    rows, "users with ...", is left as said)."""
    if re.search(r"\b(?:with|who|that|where|whose|which|by|per|for|of|in|on)\b", m["subj"]):
        return m.group(0)
    figure = "session length" if "session" in m["subj"] else m["subj"]
    return f" {m['agg'] or ''}{figure} "


HYPOTHESES = (
    (_FRAME, " is"),
    (_TAIL, " "),
    # "do free users cost us more than they bring in": the cost and the revenue
    (
        r" (?:cost|costs|cost us|costs us) (?:more|less) than (?:they|it|we|he|she|them) "
        r"(?:bring in|brings in|earn|earns|make|makes|pay|pays|generate|generates|bring|brings)(?= )",
        " cost and revenue",
    ),
    # "is more than half of our GPU cost going to free users": the share of that cost from them
    (
        r"^ (?:is|are|was|were|does|do) (?:(?:more|less) than|over|under|at least|at most|nearly|almost|"
        r"about) (?:half|a third|a quarter|two thirds|\d+(?:\.\d+)?%) of (?P<x>.+?) "
        r"(?:going to|go to|goes to|went to|from|coming from|comes from|spent on|made by|due to|paid by|"
        r"earned from|used by) (?P<y>.+?) $",
        r" share of \g<x> from \g<y> ",
    ),
    # "does a higher guidance scale lead to more errors": errors by guidance scale
    (
        rf"^ (?:does|do|did|will|would) (?:a |the |using (?:a )?)?(?:{_MORE}|greater) (?P<x>.+?) "
        r"(?:lead|leads|led|cause|causes|caused|mean|means|result|results|go|goes|come|comes|correlate|"
        r"correlates|coincide|coincides|tend|tends)(?: to| in| with)? (?:a |the )?"
        rf"(?:{_MORE}|worse|better|slower|faster) (?P<y>.+?) $",
        r" how does \g<y> change with \g<x> ",
    ),
    # "has the success rate stayed above 95% every single week": the success rate by week
    (
        rf"^ {_YES_NO} (?P<m>.+?) (?:always )?(?:stayed|stays|stay|remained|remains|remain|been|kept|held|"
        r"holds)(?: (?:consistently|always))? "
        r"(?:above|below|over|under|at least|at most|more than|less than) "
        r"\d+(?:\.\d+)?%? (?:in |for |on )?(?:every|each|all)(?: single)? "
        r"(?P<g>day|week|month|hour|quarter)s?(?: (?:so far|since launch|since the start))? $",
        r" \g<m> by \g<g> ",
    ),
    # "my guess is the median session lasts less than 2 minutes", "is the error rate above 3%": the
    # figure itself (a threshold compares groups, and here there is one figure)
    (
        rf"^ {_YES_NO} (?:the |our |overall )?(?P<agg>(?:median|average|mean|typical|p50|p90|p95|p99) )?"
        r"(?P<subj>[a-z ]+?)(?: (?:lasts?|lasted|is|are|was|takes?|took|runs?|stays?))? (?:under|over|below|"
        r"above|less than|more than|shorter than|longer than|higher than|lower than|at least|at most) "
        r"\d+(?:\.\d+)? ?(?:minutes?|mins?|seconds?|secs?|s|ms|hours?|%) $",
        _one_figure,
    ),
    # "is it true that pro users fail less than free users": the failure rate of both
    (rf"^ {_YES_NO} (?P<body>.+?) than {_NOT_A_NUMBER}(?P<other>.+?) $", _comparison),
    (rf"^ {_YES_NO} (?P<body>.+?) (?:on|at|during) weekends $", _without_than),
)

_VERDICT = (
    r"bad|good|ok|okay|fine|acceptable|normal|healthy|reasonable|terrible|awful|great|high|low|worrying|"
    r"concerning|alarming|a problem|an issue|a concern|too high|too low|too long|too short|expensive|cheap|"
    r"decent|poor|excessive|a lot|enough|on track|in line|improving|getting worse"
)
_JUDGEMENT = re.compile(
    rf"^ {_YES_NO} (?:the |our |my |this |that |it )?(?P<figure>.+?) "
    r"(?:(?:is|are|was|were|looking|look|looks|seem|seems) )?"
    r"(?:too |really |very |so |that |pretty |kinda |kind of |a bit |still |getting )?"
    rf"(?P<verdict>{_VERDICT})"
    # "is friction too high for free users?": a verdict on a group's figure (blind set 28)
    r"(?: (?:for|on|in|among|with|at) (?!least |most )(?:[a-z0-9_'-]+ ){0,3}?[a-z0-9_'-]+)?"
    r"(?: (?:right now|now|today|lately|these days|again|at the moment|for us))? $"
)
# "is it bad that so many sessions have one generation": a verdict on what follows
_JUDGEMENT_FIRST = re.compile(
    rf"^ (?:is|isn't|was) (?:it|that|this) (?:too |really |so |a bit )?(?P<verdict>{_VERDICT}) "
    r"(?:that|if|when|how) "
)
# "how many generations would we have had without the errors": what did not happen (blind set 28)
_COUNTERFACTUAL = re.compile(
    r" (?:would|could|might) (?:we|it|they|there|you|users|people) (?:have )?"
    r"(?:had|been|got|gotten|made|seen|earned|saved|lost|spent)(?= )|"
    r"(?:^| )what if(?= )|(?:^| )had (?:we|they) not(?= )"
)


def counterfactual(text: str) -> str | None:
    """The words asking about what did not happen ("would we have had", "what if"), or None."""
    m = _COUNTERFACTUAL.search(text)
    return m.group(0).strip() if m else None


def judgement(text: str) -> str | None:
    """The verdict word of a yes/no question that asks for a judgement ("is latency bad?", "is it a
    problem that ..."), or None."""
    m = _JUDGEMENT.match(text) or _JUDGEMENT_FIRST.match(text)
    return m["verdict"] if m else None


# the words the rewritings above read inside their own functions (_comparison, _without_than,
# judgement): never taken for typos ("abandoned" is not "abandon"), as the patterns' words are not
READ_BY_CALLS = (*(words for words, _ in _COMPARATIVES), _MAKE, _VERDICT)
