"""The copilot's words: months and numbers, refusal patterns, status words, cues for groupings and
follow-ups, stop and filler words, and the rewordings applied before anything is matched."""

from __future__ import annotations

import re

MONTH_NAMES = ("january", "february", "march", "april", "may", "june", "july", "august", "september",
               "october", "november", "december")  # fmt: skip
MONTHS = {m: i + 1 for i, m in enumerate(MONTH_NAMES)}
MONTHS.update({name[:3]: n for name, n in list(MONTHS.items())} | {"sept": 9})
NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "ten": 10, "twenty": 20}
DESTRUCTIVE = re.compile(
    r"\b(delete|drop|truncate|insert|update|alter|remove|erase|wipe|overwrite|modify|grant|revoke|"
    r"create|replace\s+table|rename|attach|copy|install|pragma|add\s+(?:a\s+|an\s+)?new|"
    r"set\s+(?:\S+\s+){0,4}to|change\s+(?:\S+\s+){0,4}to|assign|reset|grant)\b"
)
INJECTION = re.compile(
    r"(ignore (all |your |the |any |previous |prior )+(rules|instructions)|system\s*:|/etc/|passwd|"
    r"read_csv|read_parquet|getenv|https?://|file://|\bshell\b|\bexecute\b|\bsudo\b|"
    r"you (may|can|must) now|you are now|developer mode|new instructions|jailbreak|"
    r"(?:^|\s)/[a-z_.]+/|'[^']*\.(?:csv|parquet|json|txt|db|duckdb)')"
)
GROUP_CUES = (
    r"(?:by|per|for each|for every|each|across|split by|broken down by|broken out by|split out by|"
    r"segmented by|grouped by|group by|over)"
)
FAILED_WORDS = ["failed generations", "failures", "failed", "fail", "unsuccessful"]  # any status but success
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
    ],
    "success": ["successful", "successes", "succeeded", "success"],
}


def word_number(word: str) -> int:
    """'7' or 'seven'-style number words the questions use, as an int."""
    return int(word) if word.isdigit() else NUMBERS[word]


def status_words(statuses: list[str], *, absent_too: bool = False) -> list[tuple[str, list[str]]]:
    """(words, the statuses they stand for): one status each, or every failure in ``statuses``
    for "failed". ``absent_too`` keeps the words of statuses this warehouse does not have."""
    one = [(w, [s]) for s, ws in STATUS_WORDS.items() for w in ws if absent_too or s in statuses]
    return one + [(w, [s for s in statuses if s != "success"]) for w in FAILED_WORDS]


AMBIGUOUS_VALUES = {"other", "unknown", "none", "all", "any"}  # never read as a filter by themselves
FOLLOW_UP_CUES = re.compile(
    r"^(now|only|and|what about|how about|instead|same|also|then|just|but|ok|okay|make (?:that|it)|"
    r"switch to|change (?:that|it) to)\b|\binstead\b"
)
_STOP_WORDS = """a an the of for in on at to is are was were be been what whats which who how show me give
    list
    tell please our we us my i do does did per by with and or all total overall number data each much
    many any there their its it this that these those from as into over get see can you value values
    up so far across has have had time times"""
STOP = set(_STOP_WORDS.split())
# Everyday words a question may carry around what it asks (verbs, adverbs, pronouns): never read
# as unknown things. Two or more words outside these and the semantic layer's vocabulary make
# the question one about something the warehouse does not know ("favourite colours of users").
_FILLER_WORDS = """
    vary varies depend depends relate relates prior usd dollars often shows
    about above after again against ago almost along already also although always am among another
    anything anyway around average away back bad because been before being below best better between
    big both bring brings burn can't change changed changes chart come comes compare compared
    comparison could currently day did didn't different does doing don't done down draw during either
    else end ended ends enough even ever every everything evolve evolved far few find first generate
    generated generating generation get gets give go going good got graph had happen happened has have
    having help here high how however if image instead into just keep kind know last late least less
    let like likely line little long look looking lot low made main make makes making may maybe me
    might more most much must need new next no not now number often okay once one ones only other
    others out over own part people please plot point points pretty previous probably put quite rather
    really recent recently report right run same saw say see seem show shown since some something still
    such sure take tell than thanks that's them then there these they thing things think those though
    through together too top total trend try under until use used using usually utc versus very vs want
    was way well went what's when where whether while who whom whose why will within would yet you your"""
FILLER = set(_FILLER_WORDS.split())
SIMILARITY_THRESHOLD = 0.62
# Metric words so generic that another metric named in the same question wins over them
# ("how often do generations break" asks for a failure rate, not a count of generations).
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
}


# Everyday wordings rewritten to the ones the layer names, before anything is matched.
REWORDINGS = (
    (r" (?:in|within) (?:a|one|each|every) session", " per session"),
    (r" (?:kicked off|kick off|began|begun|opened|were opened|got started)", " started"),
    (r" finish(?:ed|es|ing)?(?= on| with| after| in)", " end"),
    (r" (?:aren't|isn't|are not|is not|weren't|not) (?:on|in|using)(?: the| a)?", " except"),
    (r" utilisation", " utilization"),
    (r" hrs(?= )", " hours"),
    (r" mins(?= )", " minutes"),
    (r" wau(?= )", " active users per week"),
    (r" dau(?= )", " active users per day"),
    (r" mau(?= )", " active users per month"),
    (r" (?:image|generation|render|request)s? count", " number of generations"),
    (
        r" (mean|average|avg|median|p50|p95) and (mean|average|avg|median|p50|p95) (?:generation )?latency",
        r" \1 latency and \2 latency",
    ),
    (r" (?:paid|spent|spend|spending) (?:for|on) (?:compute|gpus?)", " cost"),
    (r" how complex", " complexity"),
    (r" waited (longer |less |more )?in (?:the )?queue", r" queue time \1"),
    (
        r" how many (?:images|generations|pictures|renders) (?:does|do|did) (?:a |an |the )?([a-z ]+?) "
        r"(?:make|create|generate|produce|render) per session",
        r" generations per session for \1",
    ),
    (r" side by side", " "),
    (r" through ", " to "),
    (r" who (?:are|were) not(?: on| in)?(?: the)?", " except"),
    (
        r" (?:leaving out|leave out|left out|omitting|omit|not counting|aside from|besides)"
        r"(?= )",
        " except",
    ),
    (r" (?:to date|till date|all time|of all time)(?= )", " so far"),
    (r" (?:start|starts|begin|begins)(?= in | on | at | per | by | each | every | during )", " started"),
)
