"""The art-style cue reader: the label sets' ordered procedure (CONVENTIONS.md sections 4 and 5) on
phrases written here, its data file's validation, and the learned labeller that uses its cues."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from genai_analyzer.core.contract import STYLE_CUES_FILE
from genai_analyzer.models.labels.cues import TIERS, StyleCueError, StyleCueReader, load_style_cues
from genai_analyzer.models.labels.taxonomy import TaxonomyError, load_taxonomy

STYLES = [label.name for label in load_taxonomy().art_style.labels]


@pytest.fixture(scope="module")
def reader() -> StyleCueReader:
    return StyleCueReader()


# (prompt, style the procedure gives, tier of the deciding cue)
PROCEDURE = [
    # 1. an explicit medium decides; in one part of the prompt a medium beats a genre
    ("concept art pencil sketch of a knight", "sketch", "media"),
    ("anime digital art of a girl with blue hair", "anime", "media"),
    ("a watercolor illustration of a fox", "watercolor", "media"),
    # several parts: the first part naming a medium or genre decides
    ("a castle, digital painting, artstation, concept art, illustration", "digital art", "genres"),
    ("portrait of a girl, anime, digital painting", "anime", "media"),
    ("a lighthouse, oil painting, 3d render", "oil painting", "media"),
    # specific calls of section 5
    ("digital painting of a lighthouse", "digital art", "genres"),
    ("matte painting of a ruined city", "concept art", "genres"),
    ("digital illustration of a cat", "digital art", "genres"),
    ("a painting of a lighthouse at dusk", "oil painting", "weak"),
    ("hyperrealistic oil painting of an apple", "oil painting", "media"),
    ("photorealistic 3d render of a robot", "3d render", "media"),
    ("a photorealistic painting of a cemetery", "oil painting", "weak"),
    ("an old man, hyperrealistic, 8k", "photorealistic", "looks"),
    ("a woman on a beach, 35mm, f/1.8, bokeh", "photorealistic", "weak"),
    ("surreal melting clocks in a desert", "surreal", "looks"),
    ("a marble statue of zeus", "other", "weak"),
    ("a statue of zeus, oil painting", "oil painting", "media"),
    ("stained glass window of a saint", "other", "media"),
    ("a 3 d render of a toy car", "3d render", "media"),  # DiffusionDB's tokeniser spacing
    # 2. an artist decides only when no medium is named
    ("portrait of a woman by claude monet", "oil painting", "artists"),
    ("a knight, oil painting by greg rutkowski", "oil painting", "media"),
    ("a barbarian by frank frazetta and greg rutkowski", "fantasy art", "artists"),
    ("a dream by rene magritte", "surreal", "artists"),
    # 3. boosters only when nothing else is named
    ("a castle, trending on artstation", "digital art", "boosters"),
    ("a castle, unreal engine, octane render", "3d render", "boosters"),
    ("by greg rutkowski, trending on artstation, 8k", "digital art", "artists"),
    # ignored phrases: a cue's words that are no cue
    ("a city at dusk, realistic lighting, by wlop", "digital art", "artists"),
    # artists beyond the conventions' examples, art movements, DiffusionDB's spacing of camera
    # settings, game looks: each still only where nothing stronger is named
    ("a woman, art by pierre - auguste renoir", "oil painting", "artists"),
    ("a woman by pierre - auguste renoir, watercolor", "watercolor", "media"),
    ("a harbour at dusk, by bruce pennington, by tom bagshaw", "fantasy art", "artists"),
    ("portrait of a duke ; baroque ; 1 7 5 7", "oil painting", "looks"),
    ("pink fox, 8 k, 8 5 mm f 1. 8", "photorealistic", "weak"),
    ("voxel art bison", "3d render", "weak"),
    ("a gladiator in minecraft, by james gurney", "3d render", "weak"),
]


@pytest.mark.parametrize(("prompt", "style", "tier"), PROCEDURE)
def test_the_reader_follows_the_conventions_order(reader, prompt, style, tier):
    cue = reader.read(prompt)
    assert cue is not None, prompt
    assert (cue.style, cue.tier) == (style, tier), (prompt, cue)


def test_a_prompt_naming_no_style_has_no_cue(reader):
    for prompt in ("a cat sitting on a chair", "a cat, 8k, highly detailed, cinematic", "", "   "):
        assert reader.read(prompt) is None, prompt
    assert reader.read(None) is None


def test_the_longest_phrase_is_read_and_words_inside_others_are_not(reader):
    assert reader.read("matte painting").phrase == "matte painting"  # not "painting"
    assert reader.read("octane render of a cat").tier == "boosters"  # not the weak "render"
    assert reader.read("a photographer's studio") is None  # "photo" is not read inside a word


def test_the_features_mark_the_deciding_cue_and_the_first_cue_of_each_tier(reader):
    prompts = ["concept art pencil sketch, by claude monet", "a cat"]
    x = reader.features(prompts, STYLES)
    width = len(TIERS) * len(STYLES)
    assert x.shape == (2, StyleCueReader.width(len(STYLES))) == (2, 2 * width)
    assert not x[1].any()

    def col(tier, style, offset=0):
        return offset + TIERS.index(tier) * len(STYLES) + STYLES.index(style)

    assert set(np.flatnonzero(x[0])) == {
        col("media", "sketch"),  # the deciding cue
        col("media", "sketch", width),  # the first cue of each tier named
        col("genres", "concept art", width),
        col("artists", "oil painting", width),
    }


# --- the data file ----------------------------------------------------------------------------


def _write(tmp_path: Path, data) -> Path:
    path = tmp_path / "style_cues.json"
    path.write_text(data if isinstance(data, str) else json.dumps(data))
    return path


def test_the_shipped_file_is_valid_and_covers_every_style():
    cues = load_style_cues()
    assert set(cues.tiers) == set(TIERS)
    named = {style for table in cues.tiers.values() for style in table.values()}
    assert named == set(STYLES)  # every art style has at least one cue
    assert STYLE_CUES_FILE.name == "style_cues.json"


def test_a_broken_cue_file_raises_a_clear_error_naming_the_file_and_the_problem(tmp_path):
    good = json.loads(STYLE_CUES_FILE.read_text())
    assert load_style_cues(_write(tmp_path, good)).tiers == load_style_cues().tiers

    def broken(change) -> str:
        data = json.loads(json.dumps(good))
        change(data)
        with pytest.raises(StyleCueError) as info:
            load_style_cues(_write(tmp_path, data))
        assert str(tmp_path / "style_cues.json") in str(info.value)
        return str(info.value)

    assert "'cubism' is not an art style" in broken(lambda d: d["media"].update(cubism=["cubist"]))
    twice = broken(lambda d: d["genres"]["digital art"].append("oil painting"))
    assert "already listed in media.oil painting" in twice
    assert "unknown keys ['medium']" in broken(lambda d: d.update(medium={}))
    blank = broken(lambda d: d["media"]["sketch"].append(" "))
    assert "media.sketch must be a list of non-empty strings" in blank
    assert "ignore: 'anime' is also a cue" in broken(lambda d: d["ignore"].append("anime"))
    assert "every tier is empty" in broken(lambda d: [d.update({t: {}}) for t in TIERS])
    with pytest.raises(StyleCueError, match="not readable JSON"):
        load_style_cues(_write(tmp_path, "{not json"))
    with pytest.raises(StyleCueError, match="not found"):
        load_style_cues(tmp_path / "missing.json")
    assert issubclass(StyleCueError, TaxonomyError)  # callers that catch taxonomy errors catch these


# --- the learned labeller with the cues -------------------------------------------------------


@pytest.mark.slow
def test_the_learned_labeller_reads_the_cues_and_follows_the_procedure():
    """On prompts written here, the shipped labeller (which reads the cues as features) gives the
    style the procedure gives, and the cues raise that style's probability on every prompt: with
    the cue columns zeroed, the same weights trust it less."""
    from genai_analyzer.models.embeddings import Embedder
    from genai_analyzer.models.labels.learned import LearnedLabeller

    cases = [
        ("anime digital art of a girl with long blue hair", "anime"),
        ("a painting of a lighthouse on a cliff at dusk", "oil painting"),
        ("matte painting of a ruined city at sunset", "concept art"),
        ("portrait of an old woman by claude monet", "oil painting"),
        ("a red sports car on a mountain road, 35mm photograph", "photorealistic"),
        ("a knight, trending on artstation", "digital art"),
        ("hyperrealistic oil painting of an apple", "oil painting"),
        # a known miss (docs/labels.md): the labeller still answers concept art here, less surely
        ("concept art pencil sketch of a knight in armour", "sketch"),
    ]
    embedder = Embedder()
    labeller = LearnedLabeller(embedder)
    prompts = [p for p, _ in cases]
    vectors = embedder.embed(prompts)
    labels = labeller.label(prompts, embeddings=vectors)
    assert [lab.art_style for lab in labels[:-1]] == [style for _, style in cases[:-1]]
    assert all(lab.art_style_confidence >= 0.4 for lab in labels)
    with_cues = labeller.probabilities(prompts, embeddings=vectors)["art_style"]
    read = labeller.cues.features
    labeller.cues.features = lambda texts, styles, **kw: np.zeros_like(read(texts, styles, **kw))
    without = labeller.probabilities(prompts, embeddings=vectors)["art_style"]
    column = [labeller.classes["art_style"].index(style) for _, style in cases]
    rows = np.arange(len(cases))
    assert (with_cues[rows, column] > without[rows, column]).all()


def test_editing_the_cue_file_changes_the_labeller_key(tmp_path, monkeypatch):
    """Labels made with other cues are not reused: the build's labeller key covers the cue file."""
    from genai_analyzer.core import contract
    from genai_analyzer.models.labels.factory import make_labeller
    from tests.conftest import make_settings

    class Named:  # only the model name is read until the factory is called
        model_name = "all-MiniLM-L6-v2"

    key, _ = make_labeller(make_settings(tmp_path), Named())
    assert key.startswith("learned-")
    edited = tmp_path / "style_cues.json"
    data = json.loads(STYLE_CUES_FILE.read_text())
    data["boosters"]["digital art"].append("pixiv")
    edited.write_text(json.dumps(data))
    monkeypatch.setattr(contract, "STYLE_CUES_FILE", edited)
    other, _ = make_labeller(make_settings(tmp_path), Named())
    assert other.startswith("learned-") and other != key
