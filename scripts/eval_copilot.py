"""Execution accuracy of the SQL Copilot on tests/data/copilot_eval.yaml.

    python scripts/eval_copilot.py [--db data/warehouse.duckdb] [--items tests/data/copilot_eval.yaml] [-v]

Asks every question of the evaluation set (follow-ups with their context), runs each gold query,
compares result sets (genai_analyzer/analysis/copilot/evaluate.py), and prints accuracy per category,
in-scope accuracy, correct refusals, wrong answers and latency. -v lists every miss.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from genai_analyzer.analysis.copilot.core import Copilot
from genai_analyzer.analysis.copilot.evaluate import evaluate, load_items, summary
from genai_analyzer.core.settings import Settings
from genai_analyzer.warehouse.reader import Warehouse

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--db", type=Path, default=None, help="warehouse (default: GENAI_DB or data/warehouse.duckdb)"
    )
    parser.add_argument("--items", type=Path, default=ROOT / "tests" / "data" / "copilot_eval.yaml")
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args()
    db = args.db or Settings.from_env().db_path
    with Warehouse(db) as wh:
        copilot = Copilot(wh)
        copilot.ask("generations per day")  # warm-up: loads the embedding model once
        outcomes = evaluate(copilot, wh, load_items(args.items))
        copilot.close()
    s = summary(outcomes)
    print(f"warehouse: {db}\n\n| category | correct | items | accuracy |\n|---|---:|---:|---:|")
    for category, (right, total) in s["categories"].items():
        print(f"| {category} | {right} | {total} | {right / total:.0%} |")
    print(
        f"\nin scope: {s['in_scope_accuracy']:.1%}; correct refusals: {s['refusal_accuracy']:.1%}; "
        f"wrong answers (answered, not right): {s['wrong_answers']}; crashes: {s['crashes']}; "
        f"{s['items']} items"
    )
    if s["in_other_unit"]:
        print(f"of the right answers, {s['in_other_unit']} in the other unit (a fraction for a percentage)")
    o = s["in_scope_outcomes"]
    print(
        f"answerable questions: {o['correct']} right, {o['wrong']} wrong, {o['declined']} declined, "
        f"{o['clarification']} answered with a clarifying question"
    )
    if s["kinds"]:
        print("by kind: " + ", ".join(f"{k} {r}/{n} ({r / n:.0%})" for k, (r, n) in s["kinds"].items()))
    print(f"latency per question: p50 {s['p50_ms']:.0f} ms, p95 {s['p95_ms']:.0f} ms")
    if args.verbose:
        for o in outcomes:
            if not o.correct:
                print(f"\nMISS {o.id} [{o.category}] {o.question}\n  {o.note}")


if __name__ == "__main__":
    main()
