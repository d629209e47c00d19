"""The copilot's words: months and numbers, refusal patterns, status words, cues for groupings and
follow-ups, stop and filler words, and the rewordings applied before anything is matched."""

from __future__ import annotations

import re

from genai_analyzer.analysis.copilot import (
    absence,
    bands,
    booleans,
    british,
    chart_words,
    composition,
    date_windows,
    everyday,
    hedges,
    numbers,
    presentation,
    records,
    slang,
    when_words,
)
from genai_analyzer.analysis.copilot.audit_words import AUDIT
from genai_analyzer.analysis.copilot.classroom_words import CLASSROOM_WORDS
from genai_analyzer.analysis.copilot.code_words import CODE_WORDS
from genai_analyzer.analysis.copilot.extremes import EXTREMES
from genai_analyzer.analysis.copilot.finance_words import FINANCE_WORDS
from genai_analyzer.analysis.copilot.hypotheses import READ_BY_CALLS
from genai_analyzer.analysis.copilot.investor import INVESTOR
from genai_analyzer.analysis.copilot.layer_words import LAYER_WORDS
from genai_analyzer.analysis.copilot.newcomer_words import NEWCOMER_WORDS
from genai_analyzer.analysis.copilot.oncall_words import ONCALL_WORDS
from genai_analyzer.analysis.copilot.ops_growth import OPS_GROWTH
from genai_analyzer.analysis.copilot.press_words import PRESS_WORDS
from genai_analyzer.analysis.copilot.prompt_length import PROMPT_LENGTH
from genai_analyzer.analysis.copilot.rank_words import RANK_WORDS
from genai_analyzer.analysis.copilot.ratio_words import CUES as RATIO_CUES
from genai_analyzer.analysis.copilot.ratio_words import RATIO_WORDS
from genai_analyzer.analysis.copilot.research_words import RESEARCH_WORDS
from genai_analyzer.analysis.copilot.row_times import DATED_BY_START, ROW_TIMES
from genai_analyzer.analysis.copilot.second_language import SECOND_LANGUAGE
from genai_analyzer.analysis.copilot.spoken import SPOKEN
from genai_analyzer.analysis.copilot.stats_words import STATS_WORDS

MONTH_NAMES = ("january", "february", "march", "april", "may", "june", "july", "august", "september",
               "october", "november", "december")  # fmt: skip
MONTHS = {m: i + 1 for i, m in enumerate(MONTH_NAMES)}
MONTHS.update({name[:3]: n for name, n in list(MONTHS.items())} | {"sept": 9})
NUMBERS = numbers.NUMBERS  # number words a question may hold (numbers.py)


GROUP_CUES = (
    r"(?:by|per|for each|for every|each|across|split by|broken down by|broken out by|split out by|"
    r"segmented by|grouped by|group by|over)"
)
FAILED_WORDS = [
    "failed generations",
    "failures",
    "failed",
    "fail",
    "unsuccessful",
    "went wrong",
    "gone wrong",
]  # any status but success
STATUS_WORDS = {  # words for one status, as a filter or in "how many ..."
    "error": ["errors", "error", "errored", "failed with an error"],
    "timeout": ["timeouts", "timeout", "timed out", "time outs"],
    "nsfw_blocked": [
        "blocked by the nsfw filter",
        "blocked by the safety filter",
        "nsfw filter",
        "nsfw blocks",
        "nsfw blocked",
        "nsfw-blocked",
        "blocked",
        "nsfw block",
        "rejected by the nsfw filter",
        "rejected by the safety filter",
        "caught by the nsfw filter",
        "blocked as nsfw",
        "flagged as nsfw",
        "blocked by moderation",
        "blocked by the moderation filter",
        "blocked by content moderation",
        "moderation blocks",
        "blocks",
    ],
    "success": ["successful", "successes", "succeeded", "success"],
}


def word_number(word: str) -> int:
    """'7' or 'one' (the number word a read question keeps; the others are digits by then), as an int."""
    return int(word) if word.isdigit() else NUMBERS[word]


def status_words(statuses: list[str], *, absent_too: bool = False) -> list[tuple[str, list[str]]]:
    """(words, the statuses they stand for): one status each, or every failure in ``statuses``
    for "failed". ``absent_too`` keeps the words of statuses this warehouse does not have."""
    one = [(w, [s]) for s, ws in STATUS_WORDS.items() for w in ws if absent_too or s in statuses]
    return one + [(w, [s for s in statuses if s != "success"]) for w in FAILED_WORDS]


# never read as a filter by themselves (the sample's samplers include one named 'others'), except
# after a negation on the dimension the question groups by ("cost by domain, excluding other")
AMBIGUOUS_VALUES = {"other", "others", "unknown", "none", "all", "any"}
# Words before a value that keep everything but it ("except free users", "generations that aren't
# photorealistic", "did not use the euler sampler" after REWORDINGS); the value's dimension decides
# whether the opposite filter answers the question (value_filters.py).
# A negated verb ("did not use", "never used"): of a group only when said of its values (value_filters.py).
NEGATED_VERB = (
    r"(?:did not|didn't|does not|doesn't|do not|don't|never|have not|haven't|has not|hasn't|were not|"
    r"was not|weren't|wasn't|are not|is not|aren't|isn't|not) (?:use|used|using|run on|ran on|come from|"
    r"came from|go through|went through|made|generated|rendered|created|tried|touched)"
    r"(?: with| by| on| from)?"
)
NEGATION = (
    rf"(?:{NEGATED_VERB}|except(?: for)?|excluding|exclude|other than|not|non|but not|apart from|"
    r"without|all but|"
    r"aren't|isn't|wasn't|weren't|"
    r"(?:(?<=everyone )|(?<=everybody )|(?<=everything )|(?<=anyone )|(?<=anybody )|(?<=all ))but)"
)
# Words for everything a negation takes from: "everyone except enterprise", "everything but anime".
EVERYONE = (
    r"(?:for )?(?:everyone|everybody|everything|anyone|anybody|"
    r"all(?: (?:the )?(?:users|customers|accounts|tiers|plans|generations|images|prompts|sessions))?)"
)
# Dimensions that are units counted one by one (a user, a session, a prompt): grouped by only when
# named with "by", "for each", "which" or a top N, never by the bare word ("how many sessions").
ENTITY_DIMENSIONS = ("user", "session", "prompt", "prompt_id")
# Other words for the units, and the words for a row of the generations grain.
UNIT_NOUNS = {"people": "user", "persons": "user", "subscribers": "user", "visits": "session"}
ROW_NOUNS = r"(?:generations?|images?|renders?|requests?|pictures?|jobs?)"
# the layer's count of each unit: "how many users had an error", "active users ... per user"
UNIT_COUNTS = {"user": "active_users", "session": "sessions"}
# the noun after "how many" that names the figure counted, when no metric's words say it
COUNT_NOUN_METRICS = {"users": "active_users", "user": "active_users", "people": "active_users",
                      "customers": "active_users", "accounts": "active_users", "folks": "active_users",
                      "members": "active_users", "sessions": "sessions", "session": "sessions",
                      "generations": "generations", "images": "generations", "renders": "generations",
                      "pictures": "generations", "requests": "generations"}  # fmt: skip
# every count of units, sessions counted by their start too ("how many of those", "in both periods")
UNIT_COUNT_METRICS = frozenset({*UNIT_COUNTS.values(), "session_count"})
# Things a question may count ("one generation", "a single session"): a number before one is a condition.
COUNTED_NOUNS = rf"(?:{ROW_NOUNS}|users?|sessions?|prompts?|edits?|days?|errors?|failures?|pics?)"
# What each unit carries, so that "users who did not use k_lms" is not read as the generations
# that did not: a negation about a unit is the opposite filter only on the unit's own attributes.
UNIT_ATTRIBUTES = {
    "user": {"user", "tier", "user_kind"},
    "session": {"session", "user", "tier", "user_kind"},
    "prompt": {"prompt", "domain", "art_style", "complexity", "prompt_words", "prompt_chars"},
}
# Parts of the day the semantic layer does not define: declined with the hours to ask for instead.
DAY_PARTS = (
    r"mornings?|afternoons?|evenings?|nights?|nighttime|night time|overnight|daytime|business hours|"
    r"office hours|working hours|work hours|lunchtime|lunch time|rush hours?|peak hours|off peak hours"
)
FOLLOW_UP_CUES = re.compile(
    r"^(now|only|and|what about|how about|instead|same|also|then|just|but|ok|okay|make (?:that|it)|add|"
    r"switch to|change (?:that|it) to|restrict (?:that|it|this)? ?to|rank (?:them|it|that) by|"
    r"sort (?:them|it|that) by)\b|\binstead\b|\b(?:too|as well)$|"
    # "how many of them were errors": the rows of the answer before (it counted everyone's errors)
    r"^(?:how many|what share|what percent(?:age)?|what fraction|how much) of (?:them|those|these)\b|"
    # "of those, how many were NSFW blocks?" (it counted everyone's: blind set 49)
    r"^(?:of|out of|among|from) (?:them|those|these|that)\b"
)
# "New question: ..." before a message: what follows is asked afresh, not as a follow-up.
NEW_QUESTION = re.compile(
    r"^(?:(?:a|another|one more|next|new|different|separate|unrelated|other)\s+)+question\s*(?:[:,;.\-\u2013\u2014]\s*)+",
    re.I,
)
# Words of a follow-up that say how it refines the answer before it, read only with a context.
FOLLOW_UP_WORDS = r"(?:now|instead|same(?: thing| numbers| figures| chart| again| ranking| check| analysis| question| split| grouping| cut| view| layout| format| shape| table| columns)?|also|then|just|but|only|what about|how about|restrict(?: that| it)?|rank(?: them| it)?|sort(?: them| it)?|make (?:that|it)|switch(?: to)?|(?<=^ )(?:add|include)|(?<=^ and )(?:add|include)(?: in)?|too|as well)"  # noqa: E501
_STOP_WORDS = """a an the of for in on at to is are was were be been what whats which who how show me give
    list
    tell please our we us my i do does did by with and or all total overall number data each much
    many any there their its it this that these those from as into get see can you value values
    so far across has have had times"""
STOP = set(_STOP_WORDS.split())
# Everyday words a question may carry around what it asks (verbs, pronouns, politeness, words for
# "show me"): they change nothing about the answer, so leaving them unread loses nothing.
_FILLER_WORDS = """
    usd dollars shows show shown about again almost along already also although always am among
    anything anyway around away back bad because been being bring brings burn can't chart come
    comes could currently day did does doing done draw either enough even ever every everything far
    find generate generated generating generation get gets give go going good got graph had happen
    happened has have having help here how however if image into just kind know let like likely
    line little look looking lot made main make makes making may maybe me might much must need now
    number okay one ones only own part people please plot point points pretty probably put quite
    really report right run saw say see seem some something still such sure take tell that's them
    then there these they thing things think those though through together too total try use used
    using usually utc very want was way well went what's when where whether while who whom whose
    within would yet you your high low overall generator name consumed consume consumes altogether customers
    customer accounts account subscribers members folks crowd thing appears appear ok cool great nice
    running ran express mostly
    awesome alright thanks"""
FILLER = set(_FILLER_WORDS.split()) | everyday.FILLER | chart_words.FILLER
# Words that change what is asked (a threshold, a comparison, a negation, "the others", an
# average of a total, a relationship): a question is answered only when a step of the parser read
# them. Left unread, the question is not answered: answering without them would answer another
# question (issue: "prompts used more than 3 times" answered as the count of all generations).
QUALIFIERS = frozenset(
    """above below over under more less fewer few than least most best worst better worse versus vs
    compare compared comparison between different other others else rest everyone everybody
    except excluding exclude not no never without didn't don't doesn't aren't isn't wasn't weren't once twice
    first last previous prior next new same average mean typical median change changes changed
    evolve evolved vary varies depend depends relate relates related relationship correlate
    correlation affect affects impact per ratio share fraction percent percentage proportion
    each both either since after before during until ago recent recently late later early
    earlier end ended ends ending start started starts trend trends trending often one single""".split()
)
# Words of a comparison (two periods, or named values side by side): read when a comparison is.
COMPARE_WORDS = frozenset(
    """compare compared comparing comparison vs versus than before prior previous preceding earlier
    change changed changes delta difference grew grow grown growth rose risen higher lower more fewer
    less longer shorter faster slower better worse up down increase increased decrease decreased move moved
    dropped fell shrank went go gone got get getting became become saw side by between difference differ
    differs different over drop drops fall falls rise rises climb climbs climbed dip dips dipped decline
    declines declined jump jumps jumped spike spikes spiked improve improved improves improving worsen
    worsened worsens worsening deteriorate deteriorated degrade degraded recover recovered""".split()
)
# Words saying a series is wanted, redundant once a time grouping is read ("revenue trend, weekly").
TREND_WORDS = frozenset(
    "trend trends trending evolve evolved evolving moved move develop developed change changed changes over "
    "grow grows growing grew grown "
    "vary varies varied".split()
)
# Words asking how one thing goes with another: the answer is the metric grouped by the other thing.
RELATION_WORDS = frozenset(
    """vary varies varied depend depends depending dependent relate relates related relationship
    correlate correlates correlation affect affects affected impact impacts change changes with
    against differ differs different""".split()
)
# "what's slow?", "what is failing": an adjective with "what" for its subject asks which thing is
# slow, and does not say which kind of thing (samplers? styles? tiers?): asked, never answered overall.
SUBJECTLESS = (
    r"(?:what|whats|what's|which)(?: is| are|'s)? (?:so |really |too |most |the most )?"
    r"(slow|slower|fast|faster|expensive|costly|pricey|unreliable|reliable|broken|failing|frustrating)"
)
# "how much time do people spend": time spent is not money spent, and which time (a session's
# length? waiting for images?) is not said: asked, never answered as cost.
TIME_SPENT = (
    r"(?:how much |what )?time (?:do |does |did )?(?:\w+ ){0,2}?(?:spend|spent|spending)|"
    r"(?:spend|spent|spending) (?:\w+ )?time"
)
TIME_SPENT_READINGS = ("average session length", "average latency", "average queue time")
# "how fast are sessions?": a session has a length, not a speed; its length, or how fast its images
# come (the latency), is not said: asked, never answered as either.
SESSION_SPEED = (
    r"(?:fast|slow|quick|speedy|snappy)(?:er)? (?:are|is|were|was) (?:our |the |my |a |user )?sessions?"
    r"(?![a-z])|sessions? (?:are |is |were |was |feel |seem )?(?:so |too |really )?(?:fast|slow|quick|"
    r"speedy|snappy)(?![a-z])|speed of (?:our |the |a )?sessions?|sessions? speed"
)
SESSION_SPEED_READINGS = ("average session length", "median latency")
# Questions that name no single figure: (pattern, why, readings to choose from), asked before reading.
ASKED = (
    (TIME_SPENT, "'Time spent' does not say which time: a session's length, or the wait for images?",
     TIME_SPENT_READINGS),
    (SESSION_SPEED, "A session has a length, not a speed: its length, or how fast its images come?",
     SESSION_SPEED_READINGS),
)  # fmt: skip
# A dimension's word that can only ask for a grouping: "hourly image volume from 6pm to midnight"
# groups the hours the range keeps ("pro tier" with a tier filter only restates the filter).
GROUPING_WORD = r"hourly|daily|weekly|monthly|(?:per|each|every|by) (?:hour|day|week|month)s?"
# Verbs asking how one figure goes with another ("how does step count relate to latency").
RELATION_VERBS = (
    r"relate|relates|related|relationship|correlate|correlates|correlated|correlation|vary|varies|"
    r"depend|depends|affect|affects|impact|impacts|go up with|goes up with|go down with|goes down with|"
    r"change with|changes with|changed with|move with|moves with|"
    r"(?:rise|rises|increase|increases|grow|grows|fall|falls|drop|drops|decrease|decreases|climb|climbs|"
    r"shrink|shrinks) with"
)
# "does the failure rate go up with complexity": a relationship asked with a direction.
RELATION_DIRECTION = (
    r"(?:go|goes|going|went|gone) (?:up|down)(?= with )|(?:rise|rises|increase|increases|grow|grows|"
    r"fall|falls|drop|drops|decrease|decreases|climb|climbs|shrink|shrinks)(?= with )"
)
AVERAGE_WORDS = frozenset("average avg mean typical".split())
UNIT_WORDS = {
    "ms": frozenset("ms milliseconds millisecond seconds secs".split()),
    "usd": frozenset("usd dollars dollar money spend spent dough cash bucks".split()),
    "rate": frozenset("% percent percentage percentages".split()),
}
# Messages that are not questions: answered with a short decline, never with the previous query.
CHITCHAT = re.compile(
    r"^\s*(?:(?:thanks|thank you|thx|ty|great|cool|nice|awesome|perfect|ok|okay|got it|"
    r"(?:hi|hello|hey|yo)(?: there| all| team| guys| folks)?|"
    r"bye|goodbye|good morning|good night|cheers|lol|haha+|hehe+|lmao|yes|no|sure)[\s,.!?]*)*"
    r"(?:(?:that'?s (?:all|it)(?: for now)?|see you(?: later| soon| tomorrow| monday)?|how are you(?: doing)?|"
    r"how(?:'?s| is) (?:your|the) (?:day|week|weekend|morning)(?: going| been)?|how(?:'?s| is) it going|"
    r"how are things|how have you been|what'?s up|sup|"
    r"have an? (?:good|nice|great|lovely) (?:day|weekend|evening|night|one|week)|"
    r"talk (?:to you )?(?:later|soon|tomorrow))[\s,.!?]*)?$"
)
# Phrases saying the message is a new question, not a refinement of the previous answer.
NEW_TOPIC = (
    r"(?:separate|different|another|new|unrelated|other) (?:question|topic|thing)|"
    r"(?:switching|changing|change of) (?:topics?|gears|subject)|unrelated(?:,? but)?|(?:on )?a different note|moving on|"
    r"something else(?: now)?|separately|(?:a )?separate one"
)
SIMILARITY_THRESHOLD = 0.62
# Metric words so generic that another metric named in the same question wins over them
# ("how often do generations break" asks for a failure rate, not a count of generations).
# Weak metric words that name units counted one by one: "users by revenue" ranks users.
COUNTED_UNITS = frozenset({"users", "sessions", "people", "customers", "accounts"})
WEAK_PHRASES = {
    "generations",
    "generation",
    "images",
    "image",
    "users",
    "user",
    "sessions",
    "people",
    "requests",
    "renders",
    "activity",
    "usage",
    "volume",
    "pics",
    "pictures",
}


# speech first (fillers, homophones), records before the superlatives rank, "render time" before "render"
REWORDINGS = (
    SPOKEN
    + SECOND_LANGUAGE
    + ONCALL_WORDS
    + CODE_WORDS
    + CLASSROOM_WORDS
    + RESEARCH_WORDS
    + hedges.HEDGES
    + booleans.BOOLEANS
    + british.BRITISH
    + slang.SLANG
    + bands.BANDS
    + date_windows.DATE_WINDOWS
    + when_words.WHEN
    + composition.COMPOSITION
    + absence.ABSENCE
    + AUDIT
    + OPS_GROWTH
    + chart_words.CHART_WORDS
    + RATIO_WORDS
    + EXTREMES
    + records.RECORDS
    + STATS_WORDS
    + INVESTOR
    + ROW_TIMES
    + DATED_BY_START
    + RANK_WORDS
    + everyday.BEFORE_LAYER
    + FINANCE_WORDS
    + NEWCOMER_WORDS
    + LAYER_WORDS
    + PROMPT_LENGTH
    + everyday.REWORDINGS
    + presentation.PRESENTATION
    + PRESS_WORDS
)


def words_in(*patterns: str) -> set[str]:
    """The words of four letters or more that regexes spell out, so that typo correction leaves
    alone a word some step reads ("exceeding" is not a typo of "excluding")."""
    return {w for p in patterns for w in re.findall(r"[a-z]{4,}", p)}


# Words the steps read by pattern rather than through the semantic layer: never corrected.
STEP_WORDS = frozenset(
    words_in(
        *(p for pair in REWORDINGS for p in pair if isinstance(p, str)), *READ_BY_CALLS, NEGATION,
        EVERYONE, GROUP_CUES, DAY_PARTS,
        FOLLOW_UP_CUES.pattern, FOLLOW_UP_WORDS, NEW_TOPIC, CHITCHAT.pattern, RELATION_VERBS, RELATION_DIRECTION,
        SUBJECTLESS, RATIO_CUES,
    )
    | COMPARE_WORDS | TREND_WORDS | RELATION_WORDS | AVERAGE_WORDS | set().union(*UNIT_WORDS.values())
)  # fmt: skip
