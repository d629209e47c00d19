"""The art-style cue reader: the label sets' ordered procedure for art style, as rules over a data file.

``tests/data/label_sets/CONVENTIONS.md`` (sections 4 and 5) tells people which cue decides a
prompt's art style, in order: an explicit medium; with several media, the one the image would
look like (within one part of the prompt a specific medium beats a broad one: "anime digital
art" is anime), otherwise the first named; an artist's name only when no medium is named; a
quality booster only when nothing else is. A bag of words cannot learn "the first medium named
wins"; ``StyleCueReader`` reads it directly.

The phrases live in ``genai_analyzer/data/style_cues.json`` (read and validated by
``load_style_cues``; a broken file raises ``StyleCueError`` naming the file and the problem),
grouped by tier, strongest first:

* ``media``: an explicit medium ("oil painting", "pencil sketch", "3d render", "photo");
* ``genres``: a medium naming a broad look ("digital painting", "illustration", "concept art",
  "matte painting"); a medium beats a genre named in the same comma-separated part;
* ``weak``: a medium that counts only when no medium or genre is named anywhere ("a painting",
  "render", camera settings, "statue");
* ``looks``: adjectives of the look, only when no medium is named ("photorealistic", "surreal";
  "hyperrealistic oil painting" is an oil painting);
* ``artists``: only when none of the above is named (the conventions' list);
* ``boosters``: only when nothing else is ("trending on artstation" alone: digital art);
* ``ignore``: phrases that contain a cue but are none ("realistic lighting", "dc comics"): read
  and dropped, so that the cue inside them is not read.

``read`` returns the deciding ``StyleCue`` (style, tier, phrase) or None when the prompt names
none of these. docs/labels.md says how the learned labeller uses it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from genai_analyzer.core.contract import STYLE_CUES_FILE
from genai_analyzer.models.labels.taxonomy import (
    Taxonomy,
    TaxonomyError,
    _default_taxonomy,
    _trie_regex,
    normalise_prompt,
)

# Strongest first: the procedure's order.
TIERS = ("media", "genres", "weak", "looks", "artists", "boosters")
IGNORE = "ignore"  # the file's list of phrases that contain a cue but are none ("realistic lighting")
# Where one part of a prompt ends: people list a prompt's media and boosters between commas.
# (normalise_prompt has already turned " - " into "-" and every run of white space into one space.)
PART_BREAKS = ",;|.()"


class StyleCueError(TaxonomyError):
    """The style cue file is missing, is not valid JSON, or breaks the expected structure."""


@dataclass(frozen=True)
class StyleCue:
    """The cue that decides a prompt's art style: the style, its tier and the phrase read."""

    style: str
    tier: str
    phrase: str


@dataclass(frozen=True)
class StyleCues:
    """The validated cue file: per tier, phrase (normalised as prompts are) -> style."""

    version: int
    tiers: dict[str, dict[str, str]]
    ignore: frozenset[str] = frozenset()


def load_style_cues(path: str | Path | None = None, taxonomy: Taxonomy | None = None) -> StyleCues:
    """The validated cues from ``path`` (default: the packaged style_cues.json); every style must
    be an art style of ``taxonomy`` (default: the packaged taxonomy).

    Raises StyleCueError naming the file and what is wrong with it.
    """
    if path is None and (taxonomy is None or taxonomy is _default_taxonomy()):
        return _default_cues()
    return _read_cues(Path(path) if path is not None else STYLE_CUES_FILE, taxonomy or _default_taxonomy())


@cache
def _default_cues() -> StyleCues:
    return _read_cues(STYLE_CUES_FILE, _default_taxonomy())


def _read_cues(path: Path, taxonomy: Taxonomy) -> StyleCues:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise StyleCueError(f"style cue file not found: {path}") from exc
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise StyleCueError(f"style cue file {path} is not readable JSON: {exc}") from exc
    try:
        return _parse_cues(data, taxonomy)
    except StyleCueError as exc:
        raise StyleCueError(f"style cue file {path}: {exc}") from None


def _parse_cues(data: object, taxonomy: Taxonomy) -> StyleCues:
    if not isinstance(data, dict):
        raise StyleCueError("expected a JSON object")
    version = data.get("version", 1)
    if not isinstance(version, int):
        raise StyleCueError('"version" must be an integer')
    unknown = sorted(set(data) - {"version", "description", IGNORE, *TIERS})
    if unknown:
        raise StyleCueError(f"unknown keys {unknown}; the tiers are {list(TIERS)}, then {IGNORE!r}")
    styles = [label.name for label in taxonomy.art_style.labels]
    tiers: dict[str, dict[str, str]] = {}
    seen: dict[str, str] = {}  # phrase -> where it was first listed
    for tier in TIERS:
        raw = data.get(tier, {})
        if not isinstance(raw, dict):
            raise StyleCueError(f'"{tier}" must be an object of art style -> list of phrases')
        table: dict[str, str] = {}
        for style, phrases in raw.items():
            where = f"{tier}.{style}"
            if style not in styles:
                raise StyleCueError(f"{where}: {style!r} is not an art style of the taxonomy {styles}")
            if not isinstance(phrases, list) or not all(isinstance(p, str) and p.strip() for p in phrases):
                raise StyleCueError(f"{where} must be a list of non-empty strings")
            for phrase in phrases:
                key = normalise_prompt(phrase)
                if key in seen:
                    raise StyleCueError(f"{where}: {phrase!r} is already listed in {seen[key]}")
                seen[key] = where
                table[key] = style
        tiers[tier] = table
    if not seen:
        raise StyleCueError("no phrases: every tier is empty")
    ignore = data.get(IGNORE, [])
    if not isinstance(ignore, list) or not all(isinstance(p, str) and p.strip() for p in ignore):
        raise StyleCueError(f'"{IGNORE}" must be a list of non-empty strings')
    for phrase in ignore:
        if normalise_prompt(phrase) in seen:
            raise StyleCueError(f"{IGNORE}: {phrase!r} is also a cue in {seen[normalise_prompt(phrase)]}")
    return StyleCues(version=version, tiers=tiers, ignore=frozenset(map(normalise_prompt, ignore)))


class StyleCueReader:
    """Reads a prompt's deciding art-style cue (``read``) with one compiled regex over all phrases
    (the longest phrase wins at a position, so "matte painting" is not read as "painting")."""

    def __init__(self, cues: StyleCues | None = None):
        self.cues = cues or load_style_cues()
        self.rank = {tier: i for i, tier in enumerate(TIERS)}
        self.table: dict[str, tuple[str, str] | None] = dict.fromkeys(self.cues.ignore)
        self.table.update(
            {p: (style, tier) for tier, phrases in self.cues.tiers.items() for p, style in phrases.items()}
        )
        # one pass finds the cues and the part breaks (a break inside a phrase is part of its match)
        cue = rf"(?<![a-z0-9]){_trie_regex(list(self.table))}(?![a-z0-9])"
        self.regex = re.compile(rf"{cue}|[{re.escape(PART_BREAKS)}]")

    def hits(self, prompt: str, *, normalised: bool = False) -> list[tuple[tuple, StyleCue]]:
        """Every cue of ``prompt`` in prompt order, each with its sort key: the smallest key decides.
        ``normalised``: ``prompt`` has already been through ``normalise_prompt``.

        Media and genres form one group, ordered by the part of the prompt (between commas) that
        names them, then medium before genre, then position; the other tiers follow in tier order,
        then position.
        """
        text = prompt if normalised else normalise_prompt(prompt or "")
        part, out = 0, []
        for m in self.regex.finditer(text):
            phrase = m.group()
            if phrase in PART_BREAKS:
                part += 1
                continue
            found = self.table[phrase]
            if found is None:  # an ignored phrase
                continue
            style, tier = found
            rank = self.rank[tier]
            # media and genres (ranks 0 and 1) are ordered by part first
            key = (0, part, rank, m.start()) if rank < 2 else (rank, 0, 0, m.start())
            out.append((key, StyleCue(style, tier, phrase)))
        return out

    def read(self, prompt: str) -> StyleCue | None:
        """The deciding cue of ``prompt`` (the procedure's answer), or None when it names no
        medium, look, artist or booster."""
        found = self.hits(prompt)
        return min(found, key=lambda hit: hit[0])[1] if found else None

    @staticmethod
    def width(styles: int) -> int:
        """How many columns ``features`` gives for ``styles`` art styles."""
        return 2 * len(TIERS) * styles

    def features(self, prompts: list[str], styles: list[str], *, normalised: bool = False) -> np.ndarray:
        """(n, 2 * tiers * styles) 0/1 indicators for the learned labeller: the deciding cue's
        (tier, style), then the first cue of each tier (tier, style). ``styles``: the column order;
        ``normalised``: the prompts have already been through ``normalise_prompt``."""
        column = {s: j for j, s in enumerate(styles)}
        width = len(TIERS) * len(styles)
        out = np.zeros((len(prompts), self.width(len(styles))), np.float32)
        for i, prompt in enumerate(prompts):
            found = self.hits(prompt, normalised=normalised)
            if not found:
                continue
            best = min(found, key=lambda hit: hit[0])[1]
            out[i, self.rank[best.tier] * len(styles) + column[best.style]] = 1.0
            seen: set[str] = set()
            for _, cue in found:
                if cue.tier not in seen:
                    seen.add(cue.tier)
                    out[i, width + self.rank[cue.tier] * len(styles) + column[cue.style]] = 1.0
        return out
