"""How long one generation or one session took, as a condition on its rows: "how many generations
took longer than 5 seconds", "images that waited over 2 s in the queue", "sessions that lasted more
than 10 minutes".

The layer's latency and queue metrics are figures over many generations (a median, an average), so
"generations with a latency above 5 s" is read on the generation's own value: the layer's
``latency_ms`` and ``queue_ms`` dimensions (unit ms, never grouped by), reached only from the
metric's plain words ("latency", "generation time", "queue time") said of the generations. A
statistic named with them ("generations with a p95 latency above 8 s") is no value of one
generation and stays declined. A session's length is already one per session: "sessions that lasted
longer than 10 minutes" keeps the sessions whose length passes.

``ROW_TIMES`` rewords the normalized question (spaces around every word) before the layer's own
rewordings; ``row_column`` names the dimension a row threshold on a metric reads.
"""

from __future__ import annotations

import re

# a time said with its unit, right after the comparison ("5 s", "2.5 seconds", "10 min")
_TIME = r"\d+(?:\.\d+)? ?(?:ms|milliseconds?|millis|s|secs?|seconds?|mins?|minutes?|hours?|hrs?)"
_CMP = r"(?:longer|more|less|shorter) than|over|under|above|below|at least|at most|in excess of"

ROW_TIMES = (
    # "sessions that lasted longer than 10 minutes", "sessions over 30 min": the sessions whose
    # length passes (not the session length compared with nothing)
    (
        rf" sessions (?:that |which )?(?:(?:lasted|last|lasting|ran|run|running|took|take|taking|went on|"
        rf"were|are) )?({_CMP}) ({_TIME})(?: long)?(?= )",
        r" sessions with a session length \1 \2",
    ),
    # "generations that waited more than 3 s in the queue", "queued for over 2 seconds"
    (
        rf" (?:that |which )?(?:waited|waits|wait|waiting|queued)(?: for)?(?: in (?:the )?queue)? "
        rf"({_CMP}) ({_TIME})(?: (?:in (?:the )?queue|queued|queueing|waiting))?(?= )",
        r" with a queue time \1 \2",
    ),
    # "successful generations from enterprise users took longer than 5 seconds": the generations'
    # time, said after the users they came from (it read the users' median latency: blind set 42)
    (
        rf" (generations|images|renders|requests|jobs|outputs|pictures) "
        rf"((?:from|by|of|for) (?:[a-z]+ ){{0,3}}(?:users|customers|accounts|people)) "
        rf"(?:that |which |who )?(?:took|take|ran|run|needed|need)(?: for)? "
        rf"({_CMP}) ({_TIME})(?= )(?! (?:in|waiting in) (?:the )?queue)",
        r" \1 with a latency \3 \4 \2",
    ),
    # "how many generations took longer than 5 seconds", "requests that ran over 10 s to finish"
    (
        rf" (?:that |which )?(?:took|take|takes|taking|ran|run|runs|running|needed|need|needs)(?: for)? "
        rf"({_CMP}) ({_TIME})(?: (?:to (?:generate|render|finish|complete|run|come back|return|respond|"
        rf"be generated|be rendered)|each|apiece))?(?= )(?! (?:in|waiting in) (?:the )?queue)",
        r" with a latency \1 \2",
    ),
)

# "sessions per week (by session start)", "by start date": how sessions are dated already; said of
# generations it stays unread (a generation is dated by its own day). It was read as a grouping by
# session (blind set 34)
DATED_BY_START = (
    (r" (?:dated |counted )?(?:by|on|from) (?:the |their |its )?(?:session'?s? )?start(?:ing)?"
     r"(?: dates?| times?| days?)?(?= )", " start"),
)  # fmt: skip

# the metric a row's value stands for when said in plain words, and the dimension holding that value
_ROW_VALUE = {
    "p50_latency_ms": "latency_ms", "avg_latency_ms": "latency_ms", "avg_queue_ms": "queue_ms",
    "cost_usd": "generation_cost_usd", "revenue_usd": "generation_revenue_usd",
    "gpu_hours": "generation_gpu_ms",
}  # fmt: skip
# a statistic of many values: no value of one row
_STATISTIC = re.compile(
    r"(?<![a-z0-9])(?:median|mean|average|avg|typical|p\d+|percentile|tail|worst|best|max|maximum|min|"
    r"minimum|total|overall)(?![a-z0-9])"
)


def row_column(metric: str | None, said: str) -> str | None:
    """The dimension holding each row's value of ``metric`` as said in the words ``said`` ("latency"
    of the generations: ``latency_ms``), or None when there is none or a statistic is named."""
    if metric not in _ROW_VALUE or _STATISTIC.search(said):
        return None
    return _ROW_VALUE[metric]
