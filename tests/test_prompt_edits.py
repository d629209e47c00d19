"""fct_prompt_edits: each rule on hand-made sessions, the whole model against an independent
implementation of the rules on the real DiffusionDB users, and the hand-checked sample's agreement
as docs/refinement.md reports it."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest

from genai_analyzer.pipeline.build import BuildRequest, build_warehouse
from genai_analyzer.warehouse.reader import Warehouse
from tests.conftest import make_settings

ROOT = Path(__file__).resolve().parents[1]
HANDCHECK = ROOT / "tests" / "data" / "prompt_edits_handcheck.csv"
NEW_IDEA_SIMILARITY = 0.2  # dbt_project.yml's new_idea_similarity, restated: the test is independent

# One session, a minute between generations, and a second user whose two generations are two
# hours apart (two sessions: no pair). Columns: prompt, seed, step, cfg, width, status.
SESSION = [
    ("A cat, red hat", 1, 30, 7.0, 512, "success"),
    ("a  cat,  red hat", 2, 30, 7.0, 512, "success"),  # case and spacing only, a new seed
    ("a cat, red hat.", 2, 50, 7.0, 512, "success"),  # a full stop only, more steps
    ("a cat, red hat, 8k, by greg rutkowski", 3, 50, 7.0, 512, "success"),
    ("a cat, red hat, 8k", 4, 50, 7.0, 512, "error"),
    ("a cat, blue hat, 8k", 5, 50, 7.0, 512, "success"),
    ("a fluffy cat, blue hat, 8k", 6, 50, 7.0, 512, "success"),  # a word added to the subject
    ("a dog, blue hat, 8k", 7, 50, 7.0, 512, "success"),
    ("spaceship over mars", 8, 50, 7.0, 768, "success"),
    ("spaceship over mars", 8, 50, 7.0, 768, "nsfw_blocked"),  # nothing changed at all
    ("Spaceship over Mars, cinematic", 9, 50, 7.0, 768, "success"),
    ("spaceship", 10, 50, 7.0, 768, "error"),  # words only removed, the subject too; then gives up
]
# What each generation after the first is, by the rules: edit type, terms added, terms removed,
# settings changed.
EXPECTED = [
    ("re_roll", [], [], ["seed"]),
    ("settings_only", [], [], ["step"]),
    ("modifiers_added", ["8k", "by greg rutkowski"], [], ["seed"]),
    ("modifiers_removed", [], ["by greg rutkowski"], ["seed"]),
    ("modifiers_changed", ["blue hat"], ["red hat"], ["seed"]),
    ("modifiers_added", ["a fluffy cat"], ["a cat"], ["seed"]),
    ("subject_changed", ["a dog"], ["a fluffy cat"], ["seed"]),
    ("new_idea", ["spaceship over mars"], ["a dog", "blue hat", "8k"], ["seed", "width"]),
    ("re_roll", [], [], []),
    ("modifiers_added", ["cinematic"], [], ["seed"]),
    ("modifiers_removed", ["spaceship"], ["spaceship over mars", "cinematic"], ["seed"]),
]


def build_hand_made(folder: Path) -> Path:
    """A warehouse of SESSION (user u1) and a second user's two sessions of one generation each,
    built from a log through the real build; its path."""
    rows = [
        ("u1", f"2025-09-01T10:{i:02d}:00Z", prompt, seed, step, cfg, width, 512, status)
        for i, (prompt, seed, step, cfg, width, status) in enumerate(SESSION)
    ]
    rows += [("u2", "2025-09-01T10:00:00Z", "a cat", 1, 30, 7.0, 512, 512, "success")]
    rows += [("u2", "2025-09-01T12:00:00Z", "a dog", 1, 30, 7.0, 512, 512, "success")]
    logs = pd.DataFrame(
        rows, columns=["user_id", "timestamp", "prompt", "seed", "step", "cfg", "width", "height", "status"]
    )
    logs.to_parquet(folder / "logs.parquet")
    settings = make_settings(folder)
    build_warehouse(
        settings, BuildRequest(source="logs", path=folder / "logs.parquet", enrich=()), progress=False
    )
    return settings.db_path


@pytest.fixture(scope="module")
def hand_made(tmp_path_factory):
    with Warehouse(build_hand_made(tmp_path_factory.mktemp("edits")), extensions=()) as wh:
        yield wh


def test_each_edit_of_a_hand_made_session_is_classified_as_the_rules_say(hand_made):
    edits = hand_made.query(
        "SELECT e.*, u.user_name FROM fct_prompt_edits e "
        "JOIN dim_users u USING (user_id) ORDER BY e.session_seq"
    )
    assert set(edits["user_name"]) == {"u1"}, "the second user's generations are two sessions: no pair"
    assert edits["session_seq"].tolist() == list(range(2, len(SESSION) + 1))
    got = [
        (r.edit_type, list(r.terms_added), list(r.terms_removed), list(r.settings_changed))
        for r in edits.itertuples()
    ]
    assert got == EXPECTED
    assert edits["n_terms_added"].tolist() == [len(e[1]) for e in EXPECTED]
    assert edits["n_terms_removed"].tolist() == [len(e[2]) for e in EXPECTED]
    assert edits["seconds_since_previous"].tolist() == [60] * len(EXPECTED)
    assert edits["status"].tolist() == [s[-1] for s in SESSION[1:]]
    assert edits["previous_status"].tolist() == [s[-1] for s in SESSION[:-1]]


def test_similarity_is_the_jaccard_of_the_word_sets(hand_made):
    similarity = hand_made.query("SELECT similarity FROM fct_prompt_edits ORDER BY session_seq")["similarity"]
    # "a fluffy cat, blue hat, 8k" -> "a dog, blue hat, 8k": {a, blue, hat, 8k} of 7 words
    assert similarity[6] == pytest.approx(round(4 / 7, 4))
    assert similarity[7] == 0  # -> "spaceship over mars": nothing shared
    assert similarity[0] == similarity[8] == 1  # the same words
    # the new idea's threshold is the one dbt_project.yml sets
    project = (ROOT / "genai_analyzer" / "dbt_project" / "dbt_project.yml").read_text()
    assert f"new_idea_similarity: {NEW_IDEA_SIMILARITY}" in project


# --- the real DiffusionDB users, against an independent implementation ---------------------------


def python_terms(prompt: str) -> list[str]:
    """docs/refinement.md's terms, in plain Python: lower-case, whitespace runs made one space,
    split on commas, spaces and full stops trimmed, empty and repeated ones dropped."""
    text = re.sub(r"[ \t\n\f\r]+", " ", prompt).strip().lower()
    terms = [t.strip(" .") for t in text.split(",")]
    return list(dict.fromkeys(t for t in terms if t))


def python_words(prompt: str) -> set[str]:
    return set(re.findall(r"[^\W_]+", re.sub(r"[ \t\n\f\r]+", " ", prompt).strip().lower()))


def python_edit(prev: dict, cur: dict) -> tuple[str, list[str], list[str], float]:
    """The rules of docs/refinement.md, written again without SQL."""
    a, b = python_terms(prev["prompt"]), python_terms(cur["prompt"])
    added = [t for t in b if t not in a]
    removed = [t for t in a if t not in b]
    wa, wb = python_words(prev["prompt"]), python_words(cur["prompt"])
    similarity = len(wa & wb) / len(wa | wb) if wa | wb else 1.0
    same_subject = (a[:1] or [""]) == (b[:1] or [""])
    settings = [k for k in ("step", "cfg", "sampler", "width", "height") if not same(prev[k], cur[k])]
    if a == b:
        kind = "settings_only" if settings else "re_roll"
    elif same_subject and added and not removed:
        kind = "modifiers_added"
    elif same_subject and removed and not added:
        kind = "modifiers_removed"
    elif wa <= wb and wa != wb:
        kind = "modifiers_added"
    elif wb <= wa and wa != wb:
        kind = "modifiers_removed"
    elif same_subject:
        kind = "modifiers_changed"
    elif similarity < NEW_IDEA_SIMILARITY:
        kind = "new_idea"
    else:
        kind = "subject_changed"
    return kind, added, removed, similarity


def same(x, y) -> bool:
    return (pd.isna(x) and pd.isna(y)) or x == y


@pytest.fixture(scope="module")
def real_wh(users_1k_warehouse):
    with Warehouse(users_1k_warehouse, extensions=()) as wh:
        yield wh


@pytest.fixture(scope="module")
def real_pairs(real_wh) -> pd.DataFrame:
    """Each generation with the one before it in its session, paired by a self-join on the raw
    tables (not the model's window), classified in Python."""
    rows = real_wh.query(
        """
        SELECT s.session_id, s.session_seq, g.generation_id, g.prompt, g.step, g.cfg, g.sampler,
               g.width, g.height
        FROM raw.generations g JOIN raw.sessionized s USING (generation_id)
        """
    )
    prev = rows.assign(session_seq=rows["session_seq"] + 1)
    pairs = rows.merge(prev, on=["session_id", "session_seq"], suffixes=("", "_prev"))
    out = []
    for r in pairs.to_dict("records"):
        before = {k.removesuffix("_prev"): v for k, v in r.items() if k.endswith("_prev")}
        kind, added, removed, similarity = python_edit(before, r)
        out.append((r["generation_id"], r["generation_id_prev"], kind, added, removed, similarity))
    return pd.DataFrame(
        out, columns=["generation_id", "previous_generation_id", "kind", "added", "removed", "sim"]
    )


def test_every_real_pair_is_classified_as_the_rules_written_again_in_python_say(real_wh, real_pairs):
    model = real_wh.query("SELECT * FROM fct_prompt_edits")
    assert len(model) == len(real_pairs) == 1000 - real_wh.scalar("SELECT count(*) FROM dim_sessions")
    both = model.merge(real_pairs, on="generation_id", validate="one_to_one")
    assert (both["previous_generation_id_x"] == both["previous_generation_id_y"]).all()
    wrong = both[both["edit_type"] != both["kind"]]
    assert wrong.empty, wrong[["generation_id", "edit_type", "kind"]].head()
    assert [list(x) for x in both["terms_added"]] == both["added"].tolist()
    assert [list(x) for x in both["terms_removed"]] == both["removed"].tolist()
    # stored to 4 places (DuckDB rounds halves up, Python to even)
    assert both["similarity"].to_numpy() == pytest.approx(both["sim"].to_numpy(), abs=5.1e-5)


def test_the_edit_type_counts_on_the_real_users_are_the_documented_ones(real_wh, real_pairs):
    counts = dict(real_wh.rows("SELECT edit_type, count(*) FROM fct_prompt_edits GROUP BY 1"))
    assert counts == dict(Counter(real_pairs["kind"]))
    doc = (ROOT / "docs" / "refinement.md").read_text()
    for kind, n in counts.items():
        assert f"| `{kind}` | {n} |" in doc, f"docs/refinement.md's count of {kind} is not {n}"


def test_the_hand_checked_sample_agrees_with_the_model_as_documented(real_wh):
    labels = pd.read_csv(HANDCHECK)
    assert len(labels) == 60 and labels["reasoning"].str.strip().str.len().gt(0).all()
    model = real_wh.query("SELECT generation_id, previous_generation_id, edit_type FROM fct_prompt_edits")
    both = labels.merge(model, on="generation_id", how="left", suffixes=("", "_model"))
    assert (both["previous_generation_id"] == both["previous_generation_id_model"]).all(), (
        "the hand-checked pairs are no longer pairs of this warehouse"
    )
    agree = int((both["label"] == both["edit_type"]).sum())
    doc = (ROOT / "docs" / "refinement.md").read_text()
    assert f"**{agree} of 60**" in doc, f"docs/refinement.md should report {agree} of 60"
