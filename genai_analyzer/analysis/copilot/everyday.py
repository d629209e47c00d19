"""Everyday words for what the layer names, read as the words the parser knows (session 17).

``REWORDINGS`` rewrite a phrase of the normalized question (spaces around every word) before any
step reads it; ``FILLER`` are words that change nothing about the answer. Each was found in a
question a blind set asked, and each says the same thing as the words it stands for, whatever the
question around it: a word that could change what is asked is never made filler.
"""

from __future__ import annotations

import re

from genai_analyzer.analysis.copilot.asides import ASIDES
from genai_analyzer.analysis.copilot.chatter import CHATTER
from genai_analyzer.analysis.copilot.hypotheses import HYPOTHESES
from genai_analyzer.analysis.copilot.lay_words import LAY_WORDS
from genai_analyzer.analysis.copilot.numbers import MONTH as _MONTH
from genai_analyzer.analysis.copilot.params import PARAMS
from genai_analyzer.analysis.copilot.screens import SCREENS
from genai_analyzer.analysis.copilot.shorthand import SHORTHAND
from genai_analyzer.analysis.copilot.spreadsheet import SPREADSHEET
from genai_analyzer.analysis.copilot.sql_words import SQL_WORDS

_DAY = r"(?:the )?(\d{1,2})(?:st|nd|rd|th)?"

# Found by blind sets 18 to 21 (sessions 22 and 23). Applied before every other rewording
# (vocabulary.py), so that "render time" is the latency before "render" can be read as a generation.
EARLY = (
    # blind set 21: "leaving out 'uncertain'": a value in single quotes is that value (a possessive's
    # apostrophe has no opening quote before it)
    (r" '([a-z0-9][a-z0-9 _-]*?)'(?= )", r" \1"),
    (r" '(?=[a-z0-9])", " "),  # (an opening quote alone: the typo step may have read the closing one)
    # first, so that the rewordings after it read it: "render time", "processing time" are the latency
    # of a generation ("generation time" is the layer's own)
    (
        r" (?:render|rendering|processing|run|running|response|turnaround|wall clock|wall) ?times?(?= )",
        " latency",
    ),
    # "does the failure rate go up as prompts get more complex": Y grouped by the prompt complexity
    (
        r" as (?:the )?prompts? (?:get|gets|getting|become|becomes|grow|grows) (?:more )?(?:complex|complicated)"
        r"(?= )",
        " with complexity",
    ),
    # "waiting in line before their picture starts": the queue time says as much
    (
        r"((?:wait|waits|waiting|waited|queue|queued|queueing|line)(?: [a-z]+){0,4}?) before (?:the |their |his |"
        r"her |my |our |an? )?(?:picture|image|generation|render|job)s? (?:starts?|started|begins?|gets? made|"
        r"is made|renders?)(?= )",
        r"\1",
    ),
    # "which sampler runs the most steps": the steps it has
    (
        r" (?:runs|run|uses|use|takes|take|needs|need|ran|used|took|does|do) (?=(?:the )?(?:most|fewest|least|more|"
        r"fewer|highest|lowest) (?:number of )?(?:sampling )?steps )",
        " has ",
    ),
    # "the first half of september vs the second half": the month said once holds for both halves
    (
        rf" (first|second|1st|2nd|last) half of ({_MONTH})( (?:vs|versus|against|compared to|"
        r"compared with|compare with|compare to|and|to) (?:the )?)(first|second|1st|2nd|last) half(?! of)",
        r" \1 half of \2\3\4 half of \2",
    ),
    # "time" alone is no stop word ("image time" is no figure); its phrases that say nothing more:
    (r" (?:over|across|through) time(?= )", " trend"),  # a series, once a time grouping is read
    (r"(\d%) of the time(?= )", r"\1"),  # "errors more than 10% of the time": a rate above 10%
    # "GPU seconds per image": GPU time, in seconds
    (r" gpu (seconds|minutes)(?= )", r" gpu time in \1"),
    # "people stuck waiting in line": the wait itself
    (r" (?:stuck|left|kept) (?=wait)", " "),
    # "how many sessions did paying customers start": the sessions started, by those users
    (
        r" sessions (?:did|do|does|have|had|were) ((?:[a-z]+ ){0,3}?[a-z]+) (?:start|started|begin|began|open|"
        r"opened)(?= )",
        r" sessions started for \1",
    ),
    # "which prompt do people run the most": the prompt's uses, not how many people used it
    (
        r" (?:do|does|did) (?:people|users|folks|customers|creators|we) (?:run|use|reuse|generate|render|"
        r"submit|try|type)(?= (?:the )?most| most)",
        " is used",
    ),
    (r" gen(?= )", " generation"),
    (r" rev(?= )", " revenue"),
    (r" lat(?= )", " latency"),  # blind set 20: "p95 lat by sampler"
    # blind set 21: "quick one: how many images ...": how it is asked, not what
    (
        r"^ (?:a )?(?:quick|simple|easy|short|small|fast|dumb|silly) (?:one|q|question)(?: for you)?:?(?= )",
        " ",
    ),
    # blind set 20 (session 23): "the average time spent waiting in the queue" is the queue time;
    # "how does the error rate behave across ..." varies; "how many different users" are distinct
    # ones; "clients" are the customers
    (r" time (?:spent )?(?:waiting )?in (?:the )?(?:queue|line)(?= )", " queue time"),
    (r" (minutes|seconds) (?:spent )?(?:waiting )?in (?:the )?(?:queue|line)(?= )", r" queue time in \1"),
    (r" time spent waiting(?= )", " queue time"),
    (r" (?:behaves|behave|behaved|behaving)(?= )", " varies"),
    (r" (how many|number of|count of) different(?= )", r" \1 distinct"),
    (r" client(s?)(?= )", r" customer\1"),
    # "which error code did customers see most": the most common one (it grouped by user as well);
    # "did pro users see": for them
    (
        r" (?:do|does|did) ((?:[a-z]+ )?)(?:people|users|folks|customers|members|ppl|we|they) "
        r"(?:see|get|hit|encounter|experience|run into|face|receive|saw|got)(?: the)? most(?= )",
        lambda m: (
            " is most common"
            + (f" for {m.group(1)}users" if m.group(1).strip() not in ("", "the", "our", "all") else "")
        ),
    ),
    # "breakdown of error codes for the last 14 days": the generations counted by error code, when no
    # "by" follows ("breakdown of revenue by tier" is the revenue by tier) and a plural names what
    # is broken down (not a figure: "distribution of latency" stays declined)
    (
        r" (?:an? )?(?:breakdown|distribution) of (?:the |our |all )?(?!.* by )"
        r"(?!(?:sessions|users|people|customers|generations|images|renders|pictures|prompts|costs|requests) )"
        r"(?=(?:[a-z]+ ){0,2}[a-z]+s )",
        " count by ",
    ),
    # "a guidance scale (cfg) above 10": the name said twice is one dimension; "image size (width x
    # height)" and "resolution" are the width and the height
    (r" (guidance scale|guidance|cfg scale|cfg) (?:cfg|cfg scale|guidance scale)(?= )", r" \1"),
    (
        r" (?:(?:image|picture|output) (?:sizes?|resolutions?|dimensions)|resolutions?)(?: width x height)?(?= )",
        " width and height",
    ),  # fmt: skip
    (r" width x height(?= )", " width and height"),
    (r",? side by side with(?= )", " and"),  # "the error rate, side by side with the success rate"
    # "queue wait for free and enterprise users, side by side": one row each, as "separately" (the
    # comparison cue of splits.py; it answered one figure over both)
    (r",? (?:side by side|respectively|individually)(?= )", " separately"),
    # "avg queue time for each of the two": the two sides named, one row each
    (r" (?:for )?(?:each|both) of the (?:two|2)(?= )", " "),
    # "our busiest, i.e. the most generations": what follows restates what comes before
    (r" (?:i e|ie|e g|eg|that is|in other words|meaning)(?= )", " "),
    # "for the board deck I need ...", "over everything we have": why it is asked, and all the data
    (
        r"^ (?:for|in) (?:the |our |my |a |an )?(?:board |investor |exec |executive |weekly |monthly |quarterly )?"
        r"(?:deck|report|meeting|update|review|slides?|presentation|memo):?(?: (?:i|we) need| please)?(?= )",
        " ",
    ),
    (
        r" (?:over|across|for|of) (?:everything|all time|all of it)(?: (?:we have|we've got|there is))?(?= )(?! else)",
        " ",
    ),
    # "revenue, cost and margin: just the three numbers": the figures named, as they are
    (r" (?:just|only) (?:the |these |those )?(?:two|three|four|2|3|4) (?:numbers|figures|values)(?= )", " "),
    # "users who made more than 100 images, with how many each made": the count shown beside them
    (
        r",? with how many (?:each|each one|each of them|they each|they) (?:made|generated|created|ran|did|have|had)"
        r"(?= )",
        " ",
    ),
)

# Found by blind set 22 (session 23): written in a hurry, and debugging a bad day.
HURRIED = (  # (and its words cut short: shorthand.py)
    (r" medians(?= )", " median"),
    (r" plus(?= )", " and"),  # "the two medians, plus the difference"
    # "leaving out the generations that timed out": the timeouts
    (
        r" (?:the )?(?:generations|images|renders|requests|ones|jobs) (?:that|which) (timed out|time out|errored)(?= )",
        lambda m: " errors" if m.group(1) == "errored" else " timeouts",
    ),
    # "rank the error codes by how often they happened": by their count
    (
        r" by how (?:often|frequently|many times) (?:they|it|each(?: one)?|each of them)? ?(?:happened|occurred|"
        r"came up|appeared|showed up|happen|occur|were seen)(?= )",
        " by number of generations",
    ),
    # "generations wider than 512 pixels": the image width
    (r" wider than(?= )", " with a width above"),
    (r" narrower than(?= )", " with a width below"),
    (r" taller than(?= )", " with a height above"),
    (r" (\d+) ?(?:pixels|px)(?= )", r" \1"),
    # "error rate on Sept 30 vs Oct 1": the second day is "on" it too (two days compared)
    (
        rf"( on (?:the )?(?:{_MONTH} \d{{1,2}}(?:st|nd|rd|th)?|\d{{1,2}}(?:st|nd|rd|th)? (?:of )?{_MONTH}) "
        rf"(?:vs|versus|compared to|compared with|against) )(?=(?:the )?(?:{_MONTH} \d|\d{{1,2}}(?:st|nd|rd|th)? "
        rf"(?:of )?{_MONTH}))",
        r"\1on ",
    ),
    # "users who started more than 20 sessions": who had them
    (
        r" (?:started|began|opened|kicked off)(?= (?:more than|over|at least|fewer than|less than|under|"
        r"no more than|at most) \d+ sessions )",
        " had",
    ),
    # "sessions that ended after an nsfw block": the layer says "end after"
    (r" (?:ended|ending) after(?= )", " end after"),
    # "last 7 days vs the previous 7": days, as the period before said
    (
        r" (the )?(previous|prior|preceding) (\d+)(?! (?:days?|weeks?) )(?= )",
        lambda m: (
            f" {m.group(1) or ''}{m.group(2)} {m.group(3)}"
            + (" days" if " days " in m.string[: m.start()] else "")
        ),
    ),
)
_NEVER = (
    r"(?:have |has |had |did )?(?:never|not once) (?:have |has |had |get |got |hit |see |saw |seen |run into |"
    r"ran into |experienced? |encountered? |produced? )?(?:a |an |any |one |a single |even one )?"
)
_ROWS = r"(?:generation|image|render|job)s?"  # "no failed generations at all"
_STATUS_RATES = {
    "error rate": r"errors?|errored",
    "timeout rate": r"time ?outs?|timed out",
    "nsfw block rate": r"blocked by (?:the )?(?:nsfw|safety|moderation) filter|nsfw[ -]blocks?|nsfw[ -]blocked|blocks?|blocked",
    "failure rate": r"failures?|fail|failed",
}
_STATUS_RATE = "|".join(_STATUS_RATES.values())


def _rate_of(status: str) -> str:
    """The layer's rate of the status said ("blocked by the nsfw filter" -> "nsfw block rate")."""
    return next(rate for rate, words in _STATUS_RATES.items() if re.fullmatch(words, status))


# Found by blind set 23 (session 24): numbers, times and exclusions written out in words.
WRITTEN_OUT = (
    # clock times in words: "between midnight and six in the morning" is 12am to 6am (clock.py)
    (r" midnight(?= )", " 12am"),
    (r" (?:noon|midday)(?= )", " 12pm"),
    (r" (\d{1,2}) (?:o'clock )?in the morning(?= )", r" \1am"),
    (r" (\d{1,2}) (?:o'clock )?in the (?:afternoon|evening)(?= )", r" \1pm"),
    # "above 2 percent": a threshold in percent, as "2%" ("what percent of ..." has no number before)
    (r" (\d+(?:\.\d+)?) (?:percent|per cent)(?= )", r" \1%"),
    # "how many generations did not fail": the successful ones (a failure is any status but success)
    (
        r" (generations?|images?|renders?|jobs?|requests?|ones) (?:that |which )?(?:did not|didn't|have not|"
        r"haven't|has not|hasn't) fail(?:ed)?(?= )",
        r" successful \1",
    ),
    # "non-enterprise users": every user but those (value_filters.py reads "not" before a value)
    (r" non[- ](?=[a-z])", " not "),
    (r" (?:brought|bring|brings|bringing) in(?= )", " earned"),  # "the money enterprise brought in": earned
    (r" actually(?= )", ""),
    # "which samplers never had a generation blocked", "which hours of the day had no errors": the groups
    # whose rate of that status is 0 (the groups with no row at all are not asked about)
    (
        rf" (which|what) ((?:[a-z]+ )?[a-z]+s(?: of the (?:day|week))?(?: utc)?) (?:{_NEVER}|(?:have|has|had|"
        rf"got|saw|with) (?:no|zero|0) )(?:{_ROWS} )?(?:that |which )?(?:were |was |got |get )?({_STATUS_RATE})"
        rf"(?: {_ROWS})?(?: at all| whatsoever)?(?= )",
        lambda m: f" {m.group(1)} {m.group(2)} have a {_rate_of(m.group(3))} of exactly 0%",
    ),
    # "which plan's customers have the longest sessions": the plans (not each customer of them)
    (
        r" (which|what) (tiers?|plans?|subscriptions?)(?:'s|s')? (?:users|customers|people|folks|members|accounts|"
        r"subscribers)(?= )",
        r" \1 \2",
    ),
    # "how much $$ did enterprise bring in": how much money
    (r" how much (?:\$ )+", " how much money "),
)
# Found by blind set 24 (session 24): business shorthand and comparisons over time.
BUSINESS = (
    # "how many people used the product last week": the product is the generator, not the domain
    # 'product' (it counted the users of product images)
    (
        r" (?:used|use|uses|using|tried|try|tries|visited|visit|visits|opened|open|opens|engaged with|came back to|"
        r"returned to|on) (?:the|our) (?:product|app|service|tool|platform|site|website|generator)(?= )",
        " generated",
    ),
    # "cost per image and revenue per image": both per image (the second "per image" was dropped)
    (
        r" ((?:[a-z0-9]+ ){0,2}[a-z0-9]+) per (image|generation|session|user|day|render) (and|vs|versus) "
        r"((?:[a-z0-9]+ ){0,2}?[a-z0-9]+) per \2(?= )",
        r" \1 \3 \4 per \2",
    ),
    # "day over day: active users yesterday vs today": the two periods named say it already
    (r" (day|week|month)[- ]over[- ]\1:?(?=.* (?:vs|versus|against|compared (?:to|with)) )", ""),
    # "ARPU, i.e. average revenue per user": said once (the "i.e." is gone by now)
    (
        r" arpu(?: +(?:i e|ie|that is|meaning))? +(?:the )?(?:average )?revenue per (?:user|customer)(?= )",
        " revenue per user",
    ),
    (r" arpu(?= )", " revenue per user"),
    (r" arppu(?= )", " revenue per paying user"),
    # "our top 3 money-making art styles": ranked by revenue
    (r"( top \d+)? money[- ]?making ((?:[a-z]+ )?[a-z]+s)(?= )", r"\1 \2 by revenue"),
    (r" break (?:it|that|this|them|those) (?:down|out)(?= )", " broken down"),
)
# applied before the layer's own rewordings (vocabulary.py); how a question is said first (chatter.py),
# then a hypothesis as the figures that settle it (hypotheses.py); generation parameters (params.py)
# after the SQL words, which read "="; what a question says about itself (asides.py) and the app's
# screens it names (screens.py)
BEFORE_LAYER: tuple = sum(
    (
        CHATTER,
        LAY_WORDS,
        HYPOTHESES,
        SPREADSHEET,
        SQL_WORDS,
        PARAMS,
        ASIDES,
        SCREENS,
        SHORTHAND,
        EARLY,
        HURRIED,
        WRITTEN_OUT,
        BUSINESS,
    ),
    (),
)

REWORDINGS = (
    # "how many sessions lasted longer than the average session (length)": the session length against
    # the mean of the sessions (against.py; "longer" alone is no figure of a session)
    (
        r" (sessions?) (?:lasted|ran|went on|were|was|are|is) (longer|shorter) than (?:the )?(average|mean|median) "
        r"session(?: length| duration)?(?= )",
        r" \1 with a \2 session length than the \3 session",
    ),
    # thresholds said with a compass: "an error rate north of 3%"
    (r" (?:north|upwards) of(?= )", " above"),
    (r" south of(?= )", " below"),
    # who asks, and why, says nothing about the figure: "my boss is asking how many ...", "kinda
    # curious: ...", "... any idea?"
    (
        r"^ (?:my|our) (?:boss|manager|team|lead|ceo|cto|cfo|investors?) (?:is |are )?"
        r"(?:asking|asks|asked|wants to know|wanted to know|needs to know|wonders|wondering)(?: me)?(?= )",
        " ",
    ),
    (r"^ (?:i'm |i am |im |just |kinda |kind of |i was |i'm just )*curious(?: to know)?:?(?= )", " "),
    (r" any (?:idea|clue|thoughts)(?: at all)? $", " "),
    # making images said in slang: "crank out pics" is make them
    (
        r" (?:crank|churn|pump)(?:s|ed|ing)? out(?= )",
        " make",
    ),
    # "what hour do people make the most pics": the people are who makes them, not a second figure
    # (active users) ranked before the images
    (
        r" (do|does|did) (?:the )?(?:people|users|folks|customers|members|ppl)"
        r"(?= (?:make|generate|create|produce|render)s? )",
        r" \1",
    ),
    # days of one month: "from 3 to 10 september", "from the 15th to the 21st of september", "the
    # first 10 days of october", "the first week of october" (its days 1 to 7)
    (
        rf" (?:from |between )?{_DAY} (?:to|and|through|until|till) {_DAY}(?: of)? ({_MONTH})(?= )",
        r" between \3 \1 and \3 \2",
    ),
    (rf" (?:in |during )?the first (\d{{1,2}}) days (?:of|in) ({_MONTH})(?= )", r" between \2 1 and \2 \1"),
    (rf" (?:in |during )?the first week (?:of|in) ({_MONTH})(?= )", r" between \1 1 and \1 7"),
    # "per head" (person) is per user; "which single day" is which day; "split across" is by
    (r" per (?:head|person|individual)(?= )", " per user"),
    (r" which single(?= )", " which"),
    (r" (?:split|broken down|spread|divided) (?:across|among|between)(?= )", " by"),
    # "free vs paid": the paying users, as "free vs paying users" is
    (
        r" (free(?: users| tier| plan)?) (vs\.?|versus) paid(?=:? )(?!:? (?:users|customers|tiers?|plans?) )",
        r" \1 \2 paid users",
    ),
    # "what does a session cost us (on average)": the cost per session
    (
        r" what (?:does|do|did) (?:an? |each |one |every )(session|user|generation|image|customer) cost"
        r"(?: us| me)?(?: on average| on avg)?(?= )",
        r" cost per \1",
    ),
    # "how many images does an enterprise user make (on average)": images per user, for enterprise
    (
        r" how many (images|generations|pictures|pics|renders|sessions) (?:does|do|did) "
        r"(?:an? |each |every |the average |the typical |one )([a-z]+ )?(user|customer|session)s? "
        r"(?:have|has|make|makes|generate|create|produce|start|run)(?= )",
        r" \1 per \3 \2",
    ),
    # "free vs paid: the success rate on each side": both sides, read only with two sides (accounting)
    (r" (?:on |for |in )?(?:each|either|both) sides?(?= )", " both"),
    # "how many keepers did free users end up with": the kept images they have
    (r" (keepers?|kept images?)((?: [a-z']+){0,4}?) (?:end|ended|ends|wind|wound) up with(?= )", r" \1\2"),
    # "how long do people stick around in a session": the session's length
    (
        r" (?:stick|sticks|stuck|hang|hangs|hung|stay|stays|stayed) around (?:in|during|for|per) "
        r"(?:an? |each |their |the )?sessions?(?= )",
        " session length",
    ),
    # "did sessions get longer", "were sessions shorter last week": their length compared, not their
    # number (the comparison reads "longer")
    (
        r" (?:(?:are|were|did|do|have|has)(?: the| our)? )?sessions (?:get |got |getting |gotten |grow |"
        r"grew |become |became |are |were |been |last |lasted )?(longer|shorter)(?= )",
        r" session length \1",
    ),
    # "saturdays and sundays" are the weekend: compared with workdays, the weekend is one side
    (r" (?:on )?(?:saturdays?|sat) (?:and|&|\+) (?:sundays?|sun)(?= )", " on weekends"),
    (r" (?:on )?(?:sundays?|sun) (?:and|&|\+) (?:saturdays?|sat)(?= )", " on weekends"),
    # "which tier has the longest sessions": ranked by the sessions' length, not their number
    (r" the (longest|shortest) sessions(?= )", r" the \1 session length"),
    # "w/o the free tier" is without it ("w/" with): single letters are never read, so the negation
    # would be lost
    (r" w/o(?:ut)?(?= )", " without"),
    (r" w/(?= )", " with"),
    # "margin per hour of gpu": per GPU hour
    (r" per hour of (?:gpu|compute)(?: time)?(?= )", " per gpu hour"),
    # "photorealistic vs all the other styles": all other styles, the rest of the values (not a value
    # named "other"), read with the dimension they name
    (r" (vs\.?|versus|against|compared (?:to|with)|than) (?:all )?the other(?= )", r" \1 all other"),
    (
        r" (the rest|all other [a-z]+) (?:combined|together|put together|taken together|as a whole)(?= )",
        r" \1",
    ),
    # "who've generated": who have ("'ve" is never read on its own)
    (r" (who|we|they|you|i)'ve(?= )", r" \1 have"),
    # "didn't succeed" is failed
    (r" (?:didn't|did not|don't|do not|never|not) succeed(?:ed|s)?(?= )", " failed"),
    # "can I also see the p95 next to it": that figure too
    (r" (?:next to|alongside|beside) (?:it|that|this|them)(?= )", " too"),
    # "brand new users" are new users; "users showed up" came, a verb of being there
    (r" brand[- ]new(?= )", " new"),
    (r" (?:showed|show|shows|showing|turned|turn|turns) up(?= )", " "),
    # session 19 (blind set 15): chat spellings; "makes us the most money" is revenue; the peak
    # hour is the busiest; cents are hundredths of a dollar; "rather than" is instead of
    (r" (?:waht|wat|whta|wht)(?='s | is | are )", " what"),
    (r" wk(?= )", " week"),
    (r" wks(?= )", " weeks"),
    (
        r" (?:makes?|made|brings? in|brought in|earns?|earned) (?:us )?(?:the )?(most|least) "
        r"(?:money|cash|dough)(?= )",
        r" has the \1 revenue",
    ),
    (r" peak (hour|day|weekday|week|month)(?= )", r" busiest \1"),
    (r" (\d+(?:\.\d+)?) cents?(?= )", lambda m: f" {float(m.group(1)) / 100:g} dollars"),
    (r" (cost|costs|costed) us(?= (?:more|less|over|under|above|below) )", r" \1"),
    (r" rather than(?= )", " instead of"),
    # "1-7 October": the first to the seventh
    (rf" (\d{{1,2}})-(\d{{1,2}}) ({_MONTH})(?= )", r" \3 \1 to \3 \2"),
    # "the third quarter compared with the fourth": quarters by number
    (
        r" (?:the )?(first|second|third|fourth) quarter(?= )",
        lambda m: f" q{('first', 'second', 'third', 'fourth').index(m.group(1)) + 1}",
    ),
    (
        r"( q[1-4] (?:[a-z0-9]+ )*?(?:with|to|vs|versus|and|than) )(?:the )?(first|second|third|fourth)(?= )",
        lambda m: f"{m.group(1)}q{('first', 'second', 'third', 'fourth').index(m.group(2)) + 1}",
    ),
    # "which style do pro users pick the most": the style used most by them
    (
        r" which ([a-z ]+?) (?:do|does|did) ([a-z ]+?) "
        r"(?:use|pick|choose|go for|select)s? (?:the )?most(?= )",
        r" which \1 is used most by \2",
    ),
    # "rank the plans by profit, least profitable first": the plans by margin, lowest first
    (r"^ (?:rank|sort|order)(?= (?:the |all |our )?(?:[a-z]+ ){1,2}by )", " "),
    # (only adjectives that point the way their figure does: "most reliable first" by error rate is
    # the lowest first, so such words stay unread)
    (r" (?:the )?least (?:profitable|lucrative|expensive|costly|used|popular) first(?= )", " lowest first"),
    (r" (?:the )?most (?:profitable|lucrative|expensive|costly|used|popular) first(?= )", " highest first"),
    # "which tier sits in the queue the longest": the longest queue time
    (
        r" (?:sits?|sat|waits?|waited|stays?|stayed|spends?|spent) (?:in|on) (?:the )?queue (?:the )?"
        r"(longest|shortest)(?= )",
        r" has the \1 queue time",
    ),
    # "generations that succeeded" are the successful ones
    (
        r" (generations?|images?|renders?) (?:that|which) (?:succeeded|worked|were successful)(?= )",
        r" successful \1",
    ),
)
# Verbs of using and making and the generic noun for the rows: "stuff" is the "things" asked about
# ("anime stuff": anime generations), "tried" is used, "burned" spent (as "burn" already was).
FILLER = frozenset(
    [
        "stuff",
        "who's",
        "whos",
        "tried",
        "tries",
        "trying",
        "burned",
        "burning",
        "burnt",
        "came",
        "getting",
        "roughly",
        "approximately",
        "approx",
        # "images rendered with over 50 steps": made, as "generated" is
        "rendered",
        # "how many errors did the free tier hit": the errors they had
        "hit",
        "hits",
        # "which plan generates the most images" ("generate" and "generated" were already)
        "generates",
        # "could you analyse ...", "please summarise ...": what is asked for is the figure itself
        "analyse",
        "analyze",
        "summarise",
        "summarize",
        # blind set 23: "how many images did pro users create" (as "made" and "generated")
        "create",
        "creates",
        "created",
        "creating",
    ]
)
