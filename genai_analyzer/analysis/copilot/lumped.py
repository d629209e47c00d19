"""The top N as one part of the whole (blind set 39): "the top 3 samplers by generations, with all
the remaining samplers lumped together in one row labelled 'all others'", "top 5 domains plus an
'other' bucket", "what share of total revenue comes from the top 10 users".

Two answers, both from one grouping ranked by the first figure:
- ``spec.rest`` (the rest's label): the top N rows, then one row for every other value, its figure
  computed over their generations together (a rate is the rate of the rest's rows, not a sum of
  rates); the label is the one said in quotes, or "all others".
- ``spec.top_share``: the top N's figure together over the figure of all rows, one number: a share,
  so only of a total or a count (shares.py), and said with the top N as the part ("comes from the
  top 10 users", "held by the top 5 tiers"); "each of the top 10 users' share" is the per-row share.

Ties at the cut are broken by the value's name, so that the answer is one and the same each time.
"""

from __future__ import annotations

import re

from genai_analyzer.analysis.copilot.shares import SHARE, is_total, share_sql
from genai_analyzer.analysis.copilot.spec import CannotAnswer, QuerySpec
from genai_analyzer.analysis.copilot.text import QuestionText
from genai_analyzer.analysis.copilot.units import expressed
from genai_analyzer.analysis.semantic import SemanticLayer, literal

DEFAULT_LABEL = "all others"
_QUOTED = r"(?:'([^']{1,40})'|\"([^\"]{1,40})\"|“([^”]{1,40})”|‘([^’]{1,40})’)"
_NAMED = rf"(?:labell?ed|called|named|marked|tagged)(?: as)? {_QUOTED}"
# the rest said: "all the remaining samplers", "everything else", "the others", "the rest of them"
_REST = (
    r"(?:all |the |all the )*(?:rest(?: of (?:them|the [a-z_]+))?|remaining(?: [a-z_]+)?|remainder|others|"
    r"other [a-z_]+|everything else|everyone else|all else|long tail|tail)"
)
_ONE_ROW = (
    r"(?:in|into|as|under) (?:a single|one|a|an|a combined|a final|an extra|its own|their own)"
    r"(?: [a-z']+)? (?:row|bucket|group|line|category|entry|bar|item|total)"
)
_LUMP = r"(?:lumped|grouped|bundled|combined|rolled|folded|merged|collapsed|pooled|summed|added|put)"
# "with all the remaining samplers lumped together in one row", "and the rest grouped as one bucket",
# "plus everything else in a single row"; "plus an 'other' row", "and an other bucket"
REST = (
    rf"(?:(?:with|and|plus|then) )?{_REST}"
    rf"(?: {_LUMP}(?: up)?(?: together)?(?: {_ONE_ROW})?| together {_ONE_ROW}| {_ONE_ROW})"
    rf"(?:,? {_NAMED}| as {_QUOTED})?"
    # "and bundle everything else into a row called 'misc'", "lump the rest together"
    rf"|(?:(?:and|then) )?(?:lump|group|bundle|combine|roll|fold|merge|collapse|pool|put)(?: up)? {_REST}"
    rf"(?: together)?(?: {_ONE_ROW})?(?:,? {_NAMED}| as {_QUOTED})?"
    rf"|(?:with|and|plus|then) (?:an? |one )?(?:{_QUOTED}|others?|everything else) "
    r"(?:row|bucket|group|line|category|entry|bar)"
    r"(?: for (?:the rest|everything else|all the others|the others))?"
)
# the top N said as the part of a share: "comes from the top 10 users", "held by the top 5 tiers"
_REST_SAID = (
    r"\b(?:rest|remaining|remainder|others?|everything else|everyone else|long tail|lumped|bucket|row)\b"
)
_ROW_AFTER = r"\s+(?:row|bucket|group|line|category|entry|bar)\b(?! by)"  # not "'error' group by tier"
TOP_PART = (
    r"(?:from|by|to|for|of|with|among) (?:the |our )?(?:single |one |very )?(?:top|biggest|largest|heaviest|"
    r"highest[- ][a-z]+)(?: \d+(?= [a-z])|(?= [a-z]*[^s ] ))"  # a number, or one unit: "our heaviest user"
)
_HELD = (
    r"(?:(?:is|are|was|were) )?(?:held|owned|captured|taken|accounted for|made up|contributed|driven|"
    r"generated|brought in|earned)(?= by )"
    r"|(?<=our |the )(?:single|one|very)(?= (?:heaviest|biggest|largest|top|most))"
)


def lift_label(question: str) -> tuple[str, str | None]:
    """(the question with a quoted label of the rest's row taken out, the label as written): a
    label is no word of the prompt's text, and keeps its case. A quote is a label where it is named
    so after words for the rest ("the rest in one row labelled 'other'") or is a row's name ("plus
    an 'other' row")."""
    for m in re.finditer(_QUOTED, question):
        before, after = question[max(0, m.start() - 80) : m.start()], question[m.end() : m.end() + 12]
        named = re.search(r"\b(?:labell?ed|called|named|marked|tagged|as)(?: as)?\s*$", before, re.I)
        row = re.search(r"\b(?:and|plus|with|then)(?: an?| one)?\s*$", before, re.I) and re.match(
            _ROW_AFTER, after, re.I
        )
        if (named and re.search(_REST_SAID, before, re.I)) or row:
            label = next(g for g in m.groups() if g)
            return f"{question[: m.start()]}''{question[m.end() :]}", label
    return question, None


def read_lumped(t: QuestionText, spec: QuerySpec, label: str | None) -> None:
    """The rest in one row or the top N's combined share, after ``read_top`` read the top N."""
    if not spec.top or spec.offset or spec.chrono:
        return
    for m in t.find(REST.replace(_QUOTED, "''")):
        t.take(m)
        spec.rest = label or DEFAULT_LABEL
        spec.matched[m.group(0).strip(" ,")] = f"the rest as one row '{spec.rest}'"
        return
    if t.has(TOP_PART) and t.has(SHARE) and not t.has(r"each|every|per"):
        spec.top_share = True
        for m in t.find(_HELD):  # "held by the top 3 users", "our single heaviest user"
            t.take(m)
        for m in t.find(r"how concentrated(?: is| are)?|(?:revenue |cost )?concentration(?: of)?"):
            t.take(m)  # "how concentrated is revenue? what share comes from the top 10 users": what it asks


def settle(layer: SemanticLayer, spec: QuerySpec) -> None:
    """Decline what the one grouping ranked cannot carry: a rest row needs one grouping, not a time;
    the top N's share is of a total or a count."""
    if not (spec.rest or spec.top_share):
        return
    grouped = [d for d in spec.dimensions if d not in spec.within]
    said = "the rest as one row" if spec.rest else "the top N's share"
    if len(grouped) != 1 or spec.within or layer.dimensions[grouped[0]].time:
        raise CannotAnswer(
            f"{said.capitalize()} reads one grouping ranked (e.g. 'top 3 samplers by generations with the "
            "rest as one row'); this question has " + (" and ".join(grouped) if grouped else "none") + "."
        )
    if spec.compare or spec.running or spec.against or spec.count_of or spec.splits or spec.bucket:
        raise CannotAnswer(f"{said.capitalize()} with a comparison, a running figure, a baseline or a split "
                           "is more than I can read in one question: ask for one of them.")  # fmt: skip
    if any(th[0] in layer.metrics for th in spec.thresholds):
        raise CannotAnswer(f"{said.capitalize()} with a threshold on the groups is more than I can read in "
                           "one question.")  # fmt: skip
    if spec.top_share and not is_total(layer.metrics[spec.metrics[0]]):
        raise CannotAnswer("The top N's share is defined for a total or a count only.")


def compiled(spec: QuerySpec, layer: SemanticLayer, grain, grain_name: str, dims, metrics, where, window):
    """(the SQL, its groupings, its figures' columns): the top N and the rest in one row, or the top
    N's share of all, each "as a percentage" or rounded where asked."""
    where = [*where, *(f"{expr} IS NOT NULL" for _, expr in dims)]  # a ranking names values
    if window:
        where.insert(0, f"{grain.date_sql} BETWEEN DATE '{window[0]}' AND DATE '{window[1]}'")
    from_sql = grain.from_reading(*(expr for _, expr in dims), *(sql for _, sql in metrics), *where)
    sql = compiled_sql(spec, from_sql, dims[0], metrics, where)
    names = [f"{metrics[0][0]}_share"] if spec.top_share else [m for m, _ in metrics]
    shown = expressed(spec, layer, [(n, n) for n in names])  # "as a percentage", "rounded"
    if shown != [(n, n) for n in names]:
        outer = ", ".join([*([] if spec.top_share else [dims[0][0]]), *(f"{sql} AS {n}" for n, sql in shown)])
        sql = f"SELECT {outer}\nFROM (\n{sql}\n)"
        names = [n for n, _ in shown]
    return sql, [] if spec.top_share else [dims[0][0]], names


def compiled_sql(
    spec: QuerySpec, from_sql: str, dim: tuple[str, str], metrics: list[tuple[str, str]], where: list[str]
) -> str:
    """The SELECT: the groups ranked by the first figure (ties by the value), then the top N's rows
    and the rest's (``spec.rest``) or the top N's combined share (``spec.top_share``)."""
    name, expr = dim
    first_sql = metrics[0][1]
    direction = "ASC" if spec.ascending else "DESC"
    filtered = ("\nWHERE " + "\n  AND ".join(where)) if where else ""
    ranked = (
        f"WITH ranked AS (\n  SELECT {expr} AS value\n  FROM {from_sql}{filtered}\n  GROUP BY ALL\n"
        f"  ORDER BY {first_sql} {direction}, value\n  LIMIT {int(spec.top)}\n)"
    )
    top = f"{expr} IN (SELECT value FROM ranked)"
    if spec.top_share:
        (metric, sql), *_ = metrics
        share = share_sql(spec, sql, [top], [])  # the part the top N's rows keep, over all (shares.py)
        return f"{ranked}\nSELECT {share} AS {metric}_share\nFROM {from_sql}{filtered}"
    label = literal(spec.rest)
    figures = ", ".join(f"{sql} AS {metric}" for metric, sql in metrics)
    return (
        f"{ranked}\nSELECT CASE WHEN {top} THEN CAST({expr} AS VARCHAR) ELSE {label} END AS {name}, {figures}"
        f"\nFROM {from_sql}{filtered}\nGROUP BY ALL\n"
        f"ORDER BY max(CASE WHEN {top} THEN 0 ELSE 1 END), {metrics[0][0]} {direction}, {name}"
    )


def describe(spec: QuerySpec, layer: SemanticLayer) -> str:
    if spec.rest:
        return f"top {spec.top}, then every other value together in one row '{spec.rest}'"
    ranked = layer.dimensions[spec.dimensions[0]].label if spec.dimensions else "value"
    return f"the top {spec.top} {ranked}{'s' * (spec.top != 1)} together, as a share of all"
