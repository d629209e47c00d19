"""Draw the blind label sets from the real DiffusionDB rows beside the project.

    python scripts/draw_label_sets.py [--shared ../shared/data/diffusiondb] [--seed 20261203]

Every real row with a prompt (parts 1-5: 5,000 rows; users_1k: 1,000) is a candidate; rows are
reduced to one per distinct prompt text (whitespace and case folded, so that the evaluation and
training sets can never share a prompt) and shuffled with a fixed seed. The first 600 form the
evaluation set, the next 1,200 the training set and the 1,600 after them a second training
batch; the first 100 of the evaluation set are also
labelled a second time, independently, to measure agreement between people.

Only (source, key) is written: the prompt texts stay in ../shared (users_1k by row_in_source, parts
by image_name). The labels are written by people (helper sessions) who have not read the labeller.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
SHARED = (ROOT / ".." / "shared" / "data" / "diffusiondb").resolve()
OUT = ROOT / "tests" / "data" / "label_sets"
EVAL_SIZE, TRAIN_SIZE, SECOND_RATER = 600, 1200, 100
# A second training batch, drawn later from the same order (so still disjoint from the evaluation set).
TRAIN2_SIZE = 1600
# A third batch, drawn later still: every remaining prompt.
TRAIN3_START = EVAL_SIZE + TRAIN_SIZE + TRAIN2_SIZE


def candidates(shared: Path) -> pd.DataFrame:
    users = pd.read_parquet(shared / "users_1k" / "diffusiondb_sample_typed.parquet")
    parts = pd.read_parquet(shared / "parts_000001-000005" / "metadata.parquet")
    rows = pd.concat(
        [
            pd.DataFrame(
                {"source": "users_1k", "key": users["row_in_source"].astype(str), "prompt": users["prompt"]}
            ),
            pd.DataFrame(
                {"source": "parts", "key": parts["image_name"].astype(str), "prompt": parts["prompt"]}
            ),
        ],
        ignore_index=True,
    )
    rows["norm"] = rows["prompt"].fillna("").str.split().str.join(" ").str.lower()
    rows = rows[rows["norm"] != ""]
    return rows.drop_duplicates("norm", keep="first").reset_index(drop=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=SHARED)
    parser.add_argument("--seed", type=int, default=20261203)
    args = parser.parse_args()
    if not args.shared.is_dir():
        raise SystemExit(f"{args.shared} is absent: the real DiffusionDB rows are needed to draw the sets")
    rows = candidates(args.shared)
    order = np.random.default_rng(args.seed).permutation(len(rows))
    drawn = rows.iloc[order].reset_index(drop=True)
    OUT.mkdir(parents=True, exist_ok=True)
    splits = {
        "eval_keys.csv": drawn.iloc[:EVAL_SIZE],
        "second_rater_keys.csv": drawn.iloc[:SECOND_RATER],
        "train_keys.csv": drawn.iloc[EVAL_SIZE : EVAL_SIZE + TRAIN_SIZE],
        "train2_keys.csv": drawn.iloc[EVAL_SIZE + TRAIN_SIZE : TRAIN3_START],
        "train3_keys.csv": drawn.iloc[TRAIN3_START:],
    }
    for name, frame in splits.items():
        frame[["source", "key"]].to_csv(OUT / name, index=False)
        print(f"{name}: {len(frame)} prompts ({(frame['source'] == 'users_1k').sum()} from users_1k)")
    print(f"{len(rows)} distinct non-empty prompts drawn from, seed {args.seed}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
