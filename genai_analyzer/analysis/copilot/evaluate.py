"""Execution accuracy of the copilot on an evaluation set of questions with hand-written gold SQL.

An item is answered correctly when:

- its gold is null (out of scope) and the copilot refused;
- otherwise the copilot answered, and the gold query's result equals the answer's: rows compared as
  a multiset (as a list when ``order_matters``), numbers to 6 significant digits, column names
  ignored. The gold columns must appear in the answer in the same order; the answer may carry
  more columns (a comparison shows the values before and after as well as the change). One label
  of a column may differ where all the others agree: the name of a two-way split's side made of
  several values is free text ("everyone else" or "rest"), its rows and numbers are compared.
- Where the question (or one it follows up) asks for a percentage ("what percentage", "per cent",
  "%"), one figure given as a fraction where the gold has it times 100, or the reverse, is the same
  figure in the other unit: counted right, and counted apart (``in_other_unit``), because the sets'
  writers differ on it (21 golds of "what percentage of ..." are fractions, 5 are times 100) and
  the answer shows a share as a percentage either way.

Follow-ups (``context: <id>``) are asked after the item they follow, with its answer's context.
``scripts/eval_copilot.py`` prints the report; a test holds the targets.
"""

from __future__ import annotations

import itertools
import math
import re
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import yaml

from genai_analyzer.analysis.copilot.core import Answer, Copilot
from genai_analyzer.core.jsonable import records
from genai_analyzer.warehouse.reader import Warehouse


@dataclass
class Outcome:
    id: str
    category: str
    question: str
    correct: bool
    refused: bool
    in_scope: bool
    ms: float
    note: str = ""
    answer_kind: str = "answer"  # answer | declined | clarify | smalltalk (what the copilot did)
    item_kind: str = ""  # the set's own kind where it has one: plain | unusual | decline | ...


def _cell(value):
    """A comparable cell: floats for numbers, day text for midnight timestamps, text otherwise; a NaN
    is a NULL read through a data frame (the first week's change from the week before: none)."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, float | np.floating) and math.isnan(value):
        return None
    if isinstance(value, int | float | np.number):
        return float(value)
    text = str(value)
    if len(text) >= 19 and text[4] == "-" and text[10] in "T " and text[11:19] == "00:00:00":
        return text[:10]
    return text


def _sort_key(row: tuple):
    return tuple((0, f"{v:.4g}") if isinstance(v, float) else (1, str(v)) for v in row)


def _rows_equal(got: list[tuple], gold: list[tuple]) -> bool:
    return all(
        a == b
        or (isinstance(a, float) and isinstance(b, float) and math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-9))
        for row_a, row_b in zip(got, gold, strict=True)
        for a, b in zip(row_a, row_b, strict=True)
    )


def same_result(answer_rows: list[list], gold_rows: list[list], *, ordered: bool) -> bool:
    """Whether some choice of the answer's columns, in any order, gives the gold rows (numbers
    within a relative 1e-6): column names and order do not matter, as the evaluation sets' format
    tells their writers ("timeout rate and NSFW block rate by tier" may list either rate first).
    A comparison of two periods may come as one row (the earlier value, the later one, the change)
    where the gold has a row per period: see ``_periods_in_one_row``."""
    if len(answer_rows) == 1 and len(gold_rows) == 2 and _periods_in_one_row(answer_rows[0], gold_rows):
        return True
    if len(answer_rows) != len(gold_rows):
        # a row whose every figure is 0 is the row not there: a side named with none of the rows
        # ("timeouts for pro vs free users": pro at 0) is shown by the copilot and left out by a gold
        # that groups only the rows it finds, or the reverse
        shown, gold_shown = _without_zero_rows(answer_rows), _without_zero_rows(gold_rows)
        if len(shown) == len(gold_shown):  # (some row was left out: the lengths differed)
            return same_result(shown, gold_shown, ordered=ordered)
        return False
    if not gold_rows:
        return True
    width, gold_width = len(answer_rows[0]), len(gold_rows[0])
    gold = [tuple(_cell(v) for v in row) for row in gold_rows]
    gold = _ties_sorted(gold) if ordered else sorted(gold, key=_sort_key)
    for columns in itertools.permutations(range(width), gold_width):
        picked = [tuple(_cell(row[c]) for c in columns) for row in answer_rows]
        for got in (picked, *_relabelled(picked, gold)):
            if _rows_equal(_ties_sorted(got) if ordered else sorted(got, key=_sort_key), gold):
                return True
    return False


def _without_zero_rows(rows: list[list]) -> list[list]:
    def zero(row) -> bool:
        numbers = [v for v in map(_cell, row) if isinstance(v, float)]
        return bool(numbers) and len(numbers) < len(row) and all(v == 0 for v in numbers)

    return [row for row in rows if not zero(row)]


def _ties_sorted(rows: list[tuple]) -> list[tuple]:
    """Ordered rows with each run of neighbours that have the same figures (every number equal)
    put in one order: no question orders rows tied on all their figures ("the top 10 users by
    revenue" where the 8th and 9th earned the same), so a gold's order among them is the engine's
    and any answer's order among them is as right."""
    out, run = [], []
    for row in rows:
        if run and not _same_figures(run[0], row):
            out += sorted(run, key=_sort_key)
            run = []
        run.append(row)
    return out + sorted(run, key=_sort_key)


def _same_figures(a: tuple, b: tuple) -> bool:
    numbers = [(x, y) for x, y in zip(a, b, strict=True) if isinstance(x, float) or isinstance(y, float)]
    return bool(numbers) and all(
        isinstance(x, float) and isinstance(y, float) and math.isclose(x, y, rel_tol=1e-6, abs_tol=1e-9)
        for x, y in numbers
    )


def _periods_in_one_row(answer_row: list, gold_rows: list[list]) -> bool:
    """Whether the gold is two periods, a row each (a day labelling the period, and the metric),
    and the answer's one row holds the earlier period's value, then the later one's (the
    copilot's comparison: before, now, change). The layout differs, the figures are the same."""
    gold = [tuple(_cell(v) for v in row) for row in gold_rows]
    if len(gold[0]) != 2:
        return False
    days = [i for i in range(2) if all(isinstance(r[i], str) and _is_day(r[i]) for r in gold)]
    if len(days) != 1:
        return False
    day, value = days[0], 1 - days[0]
    earlier, later = sorted(gold, key=lambda r: r[day])
    cells = [_cell(v) for v in answer_row]
    return any(
        _rows_equal([(cells[i], cells[j])], [(earlier[value], later[value])])
        for i, j in itertools.combinations(range(len(cells)), 2)
    )


def _is_day(text: str) -> bool:
    return len(text) == 10 and text[4] == "-" and text[7] == "-" and text.replace("-", "").isdigit()


def _relabelled(got: list[tuple], gold: list[tuple]) -> list[list[tuple]]:
    """``got`` with the one label of a column that differs from the gold's put in its place, where
    every other label of that column is the same: the side of a two-way split that is made of
    several values is named by the question's words ("everyone else") or by the gold writer's
    ("rest"); its rows and numbers are what is compared."""
    out = []
    for c in range(len(gold[0]) if gold else 0):
        mine = {row[c] for row in got if isinstance(row[c], str)}
        theirs = {row[c] for row in gold if isinstance(row[c], str)}
        extra, missing = mine - theirs, theirs - mine
        if len(extra) == 1 and len(missing) == 1 and mine & theirs:
            (old,), (new,) = extra, missing
            out.append([(*row[:c], new if row[c] == old else row[c], *row[c + 1 :]) for row in got])
    return out


def evaluate(copilot: Copilot, wh: Warehouse, items: list[dict]) -> list[Outcome]:
    """Ask every item, in file order, and score it against its gold query."""
    answers: dict[str, Answer] = {}
    by_id = {item["id"]: item for item in items}
    outcomes = []
    for item in items:
        context = _context(answers, by_id, item["id"], copilot)
        started = time.perf_counter()
        answer = _ask(copilot, item["question"], context)
        ms = 1000 * (time.perf_counter() - started)
        answers[item["id"]] = answer
        gold_sql = item.get("gold")
        if answer.kind == "error":  # a crash is never right, not even on a question to decline
            correct, note = False, answer.explanation
        elif gold_sql is None:
            correct, note = answer.refused, "" if answer.refused else f"answered: {answer.sql}"
        elif answer.refused:
            correct, note = False, f"refused: {answer.explanation.splitlines()[0]}"
        else:
            gold = [list(r.values()) for r in records(wh.query(gold_sql))]
            ordered = bool(item.get("order_matters"))
            correct, note = same_result(answer.rows, gold, ordered=ordered), ""
            percent = any(PERCENT.search(q) for q in _asked(by_id, item))
            if not correct and percent and _in_other_unit(answer.rows, gold, ordered):
                correct, note = True, "right in the other unit (a fraction for a percentage, or the reverse)"
            note = note if correct else f"different result from: {answer.sql}"
        outcomes.append(
            Outcome(
                item["id"],
                item["category"],
                item["question"],
                correct,
                answer.refused,
                gold_sql is not None,
                ms,
                note,
                answer.kind,
                item.get("kind", ""),
            )  # fmt: skip
        )
    return outcomes


PERCENT = re.compile(r"percent|per cent|percentage|%", re.I)


def _asked(by_id: dict, item: dict) -> list[str]:
    """The item's question and those it follows up ("only for October" after "what percentage ...")."""
    asked = [item["question"]]
    while (parent := item.get("context")) and parent in by_id and len(asked) < 20:
        item = by_id[parent]
        asked.append(item["question"])
    return asked


def _in_other_unit(answer_rows: list[list], gold_rows: list[list], ordered: bool) -> bool:
    """Whether the answer is the gold with one numeric column times 100 or divided by 100."""
    width = len(gold_rows[0]) if gold_rows else 0
    numeric = [c for c in range(width) if all(isinstance(r[c], int | float | np.number) for r in gold_rows)]
    return any(
        same_result(
            answer_rows,
            [[v * factor if i == c else v for i, v in enumerate(r)] for r in gold_rows],
            ordered=ordered,
        )  # fmt: skip
        for c in numeric
        for factor in (100, 0.01)
    )


def _ask(copilot: Copilot, question: str, context) -> Answer:
    """The copilot's answer, or for a question it crashed on, no answer of kind "error" that says
    so: one crash is counted (``crashes``) and named, and the run goes on to the other items."""
    try:
        return copilot.ask(question, context)
    except Exception as exc:  # noqa: BLE001 - any crash is an outcome to count, not the end of the run
        return Answer(
            question, explanation=f"crashed: {type(exc).__name__}: {exc}", refused=True, kind="error"
        )


def _context(answers, by_id, item_id, copilot):
    """The context an item is asked with: its parent's answer's, asking the parent (and its own
    parents) first when the parent comes later in the file."""
    parent = by_id[item_id].get("context")
    if not parent:
        return None
    if parent not in answers:
        answers[parent] = _ask(copilot, by_id[parent]["question"], _context(answers, by_id, parent, copilot))
    return answers[parent].context


def load_items(path: Path) -> list[dict]:
    return yaml.safe_load(Path(path).read_text())


def summary(outcomes: list[Outcome]) -> dict:
    """Accuracy per category, in scope, refusals, wrong answers and latency."""
    per = defaultdict(list)
    for o in outcomes:
        per[o.category].append(o.correct)
    in_scope = [o for o in outcomes if o.in_scope]
    out = [o for o in outcomes if not o.in_scope]
    ms = np.array([o.ms for o in outcomes])
    kinds = defaultdict(list)
    for o in outcomes:
        if o.item_kind:
            kinds[o.item_kind].append(o.correct)
    return {
        "categories": {c: (sum(v), len(v)) for c, v in per.items()},
        "kinds": {k: (sum(v), len(v)) for k, v in kinds.items()},
        # what happened to the answerable questions: right, wrong, declined, or a clarification asked
        # (a clarification is never counted as right)
        "in_scope_outcomes": {
            "correct": sum(o.correct for o in in_scope),
            "wrong": sum(1 for o in in_scope if not o.correct and not o.refused),
            "declined": sum(1 for o in in_scope if o.refused and o.answer_kind not in ("clarify", "error")),
            "clarification": sum(1 for o in in_scope if o.answer_kind == "clarify"),
        },
        "in_scope_accuracy": sum(o.correct for o in in_scope) / max(1, len(in_scope)),
        "refusal_accuracy": sum(o.correct for o in out) / max(1, len(out)),
        # an answer that is not refused and not right: the failure the copilot must never have
        "wrong_answers": sum(1 for o in outcomes if not o.correct and not o.refused),
        "crashes": sum(1 for o in outcomes if o.answer_kind == "error"),
        "in_other_unit": sum(1 for o in outcomes if o.correct and o.note.startswith("right in the other")),
        "items": len(outcomes),
        "p50_ms": float(np.percentile(ms, 50)),
        "p95_ms": float(np.percentile(ms, 95)),
    }
