"""When something first or last happened (blind set 39): "when did the first CUDA_OOM error happen",
"when was the most recent NSFW block", "when did an enterprise user make their first generation in
October", "on what day did the k_heun sampler have its first failure".

``WHEN`` rewords them into the layer's own figures, the time of the first or the last generation
(``min(f.created_at)``, ``max(f.created_at)``) or, asked for a day, the first or the last day with
generations (``min(f.date_key)``), of the rows the rest of the question names: "the first CUDA_OOM
error" is the first generation with that error code, read by the filters as any other. A session's
start is the layer's own figure ("when did the first session start"), left alone."""

from __future__ import annotations

import re

_FIRST = {"first": "first", "earliest": "first", "very first": "first", "last": "last", "latest": "last",
          "most recent": "last", "final": "last", "newest": "last", "oldest": "first"}  # fmt: skip
_END = "|".join(sorted(_FIRST, key=len, reverse=True))  # the words _FIRST reads
_HAPPENED = (
    r"(?: (?:ever )?(?:happen|happened|occur|occurred|come in|came in|come|came|arrive|arrived|take place|"
    r"took place|show up|showed up|appear|appeared|get made|got made|get logged|got logged))?"
)
_ROW = r"(?:generation|image|render|request|job|picture)"


def _time(m) -> str:
    """ "the last timeout for free users": the generations of free users that timed out (a status said
    as a noun would be read as its rate)."""
    rows = m["rows"]
    if said := re.match(r"(nsfw blocks?|blocks?|time ?outs?|errors?|failures?|successes)(?: (.*))?$", rows):
        noun = said[1].replace("time out", "timeout")
        rows = f"{said[2] or ''} {_HAD.get(noun, _HAD.get(noun.rstrip('s'), ''))}"
    return f" time of the {_FIRST[m['end']]} generation for {rows.strip()}"


# "have its first failure": the status the rows had, said as their own ("failed"), not as a rate
_HAD = {"failure": "that failed", "failures": "that failed", "fail": "that failed", "error": "that errored",
        "errors": "that errored", "timeout": "that timed out", "time out": "that timed out",
        "timeouts": "that timed out", "nsfw block": "nsfw blocked", "block": "nsfw blocked",
        "success": "successful", "successful generation": "successful"}  # fmt: skip


def _day(m) -> str:
    what = _HAD.get(m["what"] or "", m["what"] or "")
    return f" date of the {_FIRST[m['end']]} generation for {m['rows']}" + (f" {what}" if what else "")


WHEN = (
    # "on what day did the k_heun sampler have its first failure": the first day with such rows
    (
        rf" (?:on )?(?:what|which) (?:day|date) (?:did|was|were) (?:the |an? |any )?(?P<rows>.+?) "
        rf"(?:have|get|see|hit|record|log|make|run into) (?:its|their|his|her|the|a) (?P<end>{_END})"
        rf"(?: (?P<what>.+?))?(?= $)",
        _day,
    ),
    (
        rf" (?:on )?(?:what|which) (?:day|date) (?:did|was|were) (?:the |our |an? |any )?(?:very )?"
        rf"(?P<end>{_END}) (?!sessions? |one )(?P<rows>.+?){_HAPPENED}(?P<what>)(?= $)",
        _day,
    ),
    # "when did an enterprise user make their first generation in october"
    (
        rf" (?:when|at what time|what time) did (?:an? |the |any )?(?P<rows>.+?) "
        rf"(?:make|run|submit|generate|create|get|request) (?:their|its|his|her|the|a) (?P<end>{_END}) "
        rf"{_ROW}s?",
        _time,
    ),
    # "when did the first cuda_oom error happen", "when was the most recent nsfw block"
    (
        rf" (?:when|at what time|what time) (?:did|was|were|has|had|is) (?:the |our |an? |any )?(?:very )?"
        rf"(?P<end>{_END}) (?!sessions? |one )(?P<rows>.+?){_HAPPENED}(?= $)",
        _time,
    ),
)
