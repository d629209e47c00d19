"""A question written as a form or a config (blind set 37): "Metric: p95 latency | Split: art style |
Window: last 7 days", "measure=gpu hours; group=sampler; filter=tier is enterprise", a JSON object
``{"measure": "error rate", "group_by": "domain", "month": "2025-09"}``, a bulleted list of
"KPI: ..." lines, "[metric] average friction [by] week [filter] free tier", "fields -> cost,
revenue; dimension -> tier", "Top N: 3 | Rank by: revenue | Entity: users".

``as_sentence`` rewrites such a form into the sentence it stands for ("p95 latency by art style
last 7 days") before anything else reads the question. Each key has one role (the figure, the
grouping, a filter, the period, a ranking); a form with a key it does not know ("action=update;
table=dim_users") is left as written, so that the words nothing reads still stop the answer.
"""

from __future__ import annotations

import re

from genai_analyzer.analysis.copilot.vocabulary import MONTH_NAMES

# role -> the keys that name it (lowercase, "_" and "-" read as spaces)
KEYS = {
    "metric": (
        "metric",
        "metrics",
        "measure",
        "measures",
        "kpi",
        "kpis",
        "report",
        "q",
        "fields",
        "field",
        "select",
        "figure",
        "figures",
        "stat",
        "statistic",
        "value",
        "values",
        "show",
        "calculate",
        "compute",
        "aggregate",
        "rank by",
        "sort by",
        "order by",
        "ranked by",
        "ranking",
    ),
    "group": (
        "split",
        "split by",
        "group",
        "group by",
        "groupby",
        "grouping",
        "breakdown",
        "break down",
        "broken down by",
        "by",
        "dimension",
        "dimensions",
        "dim",
        "per",
        "axis",
        "x axis",
        "rows",
        "entity",
        "entities",
        "level",
        "grain",
    ),
    "filter": ("filter", "filters", "where", "segment", "scope", "only", "condition", "subset", "audience"),
    "period": (
        "window",
        "period",
        "range",
        "date range",
        "dates",
        "date",
        "time",
        "timeframe",
        "time range",
        "time window",
        "month",
        "week",
        "day",
        "when",
        "span",
        "between",
    ),
    "top": ("top n", "top", "limit", "n", "how many", "count"),
    "compare": ("compare", "comparison", "vs", "versus", "contrast"),
}
_ROLE = {key: role for role, keys in KEYS.items() for key in keys}  # fmt: skip
_NOTHING = {"none", "all", "-", "n/a", "na", "any", "everything", "everyone", "no filter", ""}

_SEPARATOR = r"\s*(?::|=|->|=>|—|–|\s-\s)\s*"
_PAIR = re.compile(
    rf"^\s*(?:[-*•]\s+)?\"?(?P<key>[a-z][a-z _\-]{{0,20}}?)\"?{_SEPARATOR}(?P<value>.*?)\s*[.,]?\s*$", re.I
)


def _pairs(question: str) -> list[tuple[str, str]] | None:
    """The (key, value) pairs of a form, or None when the question is not one."""
    q = question.strip()
    if q.startswith("{") and q.endswith("}"):  # JSON: {"measure": "error rate", "top": 3}
        found = re.findall(r'"([^"]+)"\s*:\s*(?:"([^"]*)"|([\w.\-]+))', q)
        return [(k, a or b) for k, a, b in found] or None
    if q.startswith("["):  # "[metric] average friction [by] week"
        found = re.findall(r"\[([^\]]+)\]\s*([^\[]*)", q)
        return [(k, v.strip()) for k, v in found] if "".join(f"[{k}]{v}" for k, v in found) else None
    fields = re.split(r"\s*(?:\n|\||;|\s/\s|(?<=[a-z0-9])\.\s+(?=[A-Za-z]))\s*", q)
    pairs = []
    for field in fields:
        if not field.strip():
            continue
        m = _PAIR.match(field)
        if m is None:
            return None
        pairs.append((m["key"], m["value"].strip().strip('"').strip()))
    return pairs


def _period(value: str) -> str:
    """ "2025-09" -> "in september 2025", "2025-10-01 to 2025-10-07" -> "from ... to ...",
    "September 2025" -> "in September 2025"; "last 7 days" as it is."""
    if m := re.fullmatch(r"(\d{4})-(\d{2})", value):
        month = int(m[2])
        return f"in {MONTH_NAMES[month - 1]} {m[1]}" if 1 <= month <= 12 else value
    if re.match(r"\d{4}-\d{2}-\d{2} (?:to|until|through|-) ", value):
        return f"from {value}"
    if re.match(r"(?:last|this|past|previous|since|between|from|in|during|before|after|on|yesterday|today)\b",
                value, re.I):  # fmt: skip
        return value
    return f"in {value}"


def _filter(value: str) -> str:
    """ "tier is enterprise" -> "where tier is enterprise"; "pro users" -> "for pro users"."""
    if re.search(r"\b(?:is|=|equals|in)\b", value) and not re.match(r"(?:sessions?|generations?)\b", value):
        return f"where {value}"
    return f"for {value}"


def _role(key: str) -> str | None:
    """The role a form's key names ("Group_By" -> "group"), or None for a key it does not know."""
    return _ROLE.get(key.lower().replace("_", " ").replace("-", " ").strip())


def as_sentence(question: str) -> str:
    """The sentence a form stands for, or the question unchanged when it is not a form."""
    same = re.match(r"\s*(same(?: request| query| thing| again| report)?(?: but)?(?: with| for)?)\s+(.*)$",
                    question, re.I | re.S)  # fmt: skip
    body = same[2] if same else question
    pairs = _pairs(body)
    if not pairs or any(_role(key) is None for key, _ in pairs):
        return question
    parts: dict[str, list[str]] = {}
    for key, value in pairs:
        if value.strip().lower() not in _NOTHING:
            parts.setdefault(_role(key), []).append(value.strip())
    if not parts:
        return question
    metric = " and ".join(parts.get("metric", []))
    if re.match(r"(?:distinct|unique|different) ", metric, re.I):  # "measure: distinct prompts": counted
        metric = f"number of {metric}"
    groups = [g for value in parts.get("group", []) for g in re.split(r"\s*,\s*|\s+and\s+", value)]
    words = []
    if top := parts.get("top"):
        words.append(f"top {top[0]} {' and '.join(groups)}".strip())
        words.append(f"by {metric}" if metric else "")
    else:
        words.append(metric)
        if groups:
            words.append("by " + " and ".join(groups))
    words += [", " + value for value in parts.get("compare", [])]
    words += [_filter(value) for value in parts.get("filter", [])]
    words += [_period(value) for value in parts.get("period", [])]
    sentence = " ".join(w for w in words if w).replace(" , ", ", ")
    return f"same but {sentence}" if same else sentence
