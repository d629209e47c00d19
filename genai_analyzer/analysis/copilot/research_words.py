"""A UX researcher's words for the layer's figures (blind set 48): "what share of sessions are bounces,
where the person made a single generation and left", "how many generation attempts does a typical
session contain", "how long do people stay in a session", "task success rate by plan", "median think
time between consecutive generations", "which kind of prompt edit do people make most often".

``RESEARCH_WORDS`` rewords the normalized question (spaces around every word) among the layer's
rewordings (vocabulary.py). Each says the same thing in the words the steps read: a bounce is a
session with a single generation, an attempt a generation, a task a generation, the time a person
stays in a session its length, think time the seconds since the previous generation.
"""

from __future__ import annotations

_PERSON = r"(?:the (?:person|user|visitor|customer)|people|someone|they|a (?:user|person)|users)"
_ONE = r"(?:a single|one|only one|just one|exactly one|1)"

RESEARCH_WORDS = (
    # "sessions are bounces, where the person made a single generation and left": one generation
    (
        r" (?:are|were|is|was|that are|that were) (?:a )?bounces?,?"
        rf"(?: (?:where|when|i\.?e\.?|meaning|that is),? "
        rf"{_PERSON} (?:made|make|makes|did|had|ran|generated|created) {_ONE} (?:generation|image|render)"
        r"(?: and (?:then )?(?:left|quit|went away|bounced|stopped|closed))?)?(?= )",
        " had a single generation",
    ),
    (r" (?:the )?bounce (?:rate|share)(?= )", " the share of sessions that had a single generation"),
    (r" bounced sessions(?= )", " sessions that had a single generation"),
    # "generation attempts": generations (an attempt is one generation)
    (r" (?:generation |image |render )?attempts(?= )", " generations"),
    # "how long do people stay in a session": the session's length
    (
        rf" how long do {_PERSON} (?:stay|spend|remain|hang around) in "
        r"(?:a |their |each |one )?sessions?(?= )",
        " how long do sessions last",
    ),
    # "task success rate by plan, counting each generation attempt as one task": the success rate
    (r" task (success|completion|failure) rate(?= )", r" \1 rate"),
    (r" task completion(?= )", " success"),
    (r",? counting each (?:generation|image)(?: attempt)? as (?:one|a|1) task(?= )", ""),
    # "median think time between consecutive generations in a session": the seconds since the
    # previous generation (of the same session: that is how the layer counts it)
    (
        r" (?:think(?:ing)? time|idle time)(?:,? in seconds,?)?(?: between (?:consecutive |successive "
        r"|back-to-back )?generations(?: (?:in|within) (?:a |the same |one )?session)?)?(?= )",
        " seconds since the previous generation",
    ),
    (
        r" (?:pause|pauses|gap|gaps)(?:,? in seconds,?)? between (?:consecutive |successive |back-to-back )?"
        r"generations(?: (?:in|within) (?:a |the same |one )?session)?(?= )",
        " seconds since the previous generation",
    ),
    (
        r" how many seconds (?:pass|elapse|go by) between one generation and the next"
        r"(?: (?:in|within) (?:a |the same |one )?session)?(?= )",
        " seconds since the previous generation",
    ),
    # "which kind of prompt edit do people make most often": the most common edit type
    (
        rf" (?:which|what) (?:(?:kind|type|sort) of )?(?:prompt )?edit(?: type)?s? do {_PERSON} (?:make|do) "
        r"(?:the )?most(?: often)?(?: to (?:their|the|a) prompts?)?(?= )",
        " which edit type is the most common",
    ),
    # "How verbose are prompts? Mean words per prompt by art style": the question after it says how
    (
        r"^ how (?:verbose|wordy|long-winded) are (?:the |our )?prompts(?= (?:mean|average|avg|median|"
        r"typical|the|what|show|give|number)\b)",
        "",
    ),
    (r",? counted over (?:the )?generations(?= )", ""),
    # "new users per month, by the month of their first generation": how new users are counted
    (r",? by the (?:month|week|day) of their first (?:generation|activity|active day|visit)(?= )", ""),
    # "(known users only)": new users are known users already (docs/cohorts.md)
    (r"( new users(?: [a-z]+){0,6}?) (?:known users only|only known users|only the known users)(?= )", r"\1"),
)
