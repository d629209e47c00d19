"""The complexity score of a prompt: 1 (bare) to 10 (heavily engineered), from countable features."""

from __future__ import annotations

import re

from genai_analyzer.models.labels.taxonomy import FIELDS, _default_matcher

# ---------------------------------------------------------------------------------------------
# Complexity

_SEGMENT = re.compile(r"[,;|]|\.(?:\s|$)")
_WORD = re.compile(r"[^\W_]+")
_ARTIST = re.compile(r"\b(?:by|in the style of|style of|inspired by)\s+([^,.;|:()\[\]]+)", re.IGNORECASE)
_JOIN = re.compile(r"\s(?:and|&)\s", re.IGNORECASE)
_WEIGHT = re.compile(r"[\w)\]]\s*:\s*-?\d+(?:\s*\.\s*\d+)?")
_EMPHASIS = re.compile(r"!{2,}|[(\[{]+")


def complexity_features(prompt: str) -> dict[str, int]:
    """The countable features ``complexity_score`` combines (see its docstring)."""
    return _features(prompt or "", _style_count(_default_matcher().scan(prompt or "")))


def _style_count(hits: list[list[tuple[int, int, float]]]) -> int:
    """Distinct art styles named by (non-weak) keywords among a scan's hits."""
    style = FIELDS.index("art_style")
    return len({j for hit in hits for f, j, w in hit if f == style and w >= 1.0})


def _features(text: str, styles: int) -> dict[str, int]:
    return {
        "words": len(_WORD.findall(text)),
        "modifiers": max(0, sum(1 for s in _SEGMENT.split(text) if s.strip()) - 1),
        "artists": sum(1 + len(_JOIN.findall(m.group(1))) for m in _ARTIST.finditer(text)),
        "styles": styles,
        "emphasis": len(_WEIGHT.findall(text)) + len(_EMPHASIS.findall(text)),
    }


def complexity_score(prompt: str) -> int:
    """How elaborate a prompt is, an integer in 1..10 (1 for an empty prompt).

    From countable features of the prompt:

    * ``words``: word count;
    * ``modifiers``: comma/semicolon/pipe/sentence-separated segments after the first;
    * ``artists``: artist references - each "by X", "in the style of X", "style of X",
      "inspired by X" counts 1, plus 1 for each "and"/"&" joining names in that phrase;
    * ``styles``: distinct art styles named by taxonomy keywords (e.g. "oil painting", "octane");
    * ``emphasis``: weights like "(word:1.2)" or "word: 5", runs of "!!", and runs of opening
      brackets "(", "[", "{".

    score = 1 + min(3, words/12) + min(2, modifiers/5) + min(2, 0.75*artists)
              + min(1, 0.5*styles) + min(2, 0.5*emphasis),
    rounded half up and capped at 10. Each term only grows with its feature, so adding words,
    modifiers, artists, styles or emphasis never lowers the score.
    """
    return _score(prompt, complexity_features(prompt)) if prompt and prompt.strip() else 1


def _score(prompt: str, f: dict[str, int]) -> int:
    if not prompt.strip():
        return 1
    raw = (
        1
        + min(3.0, f["words"] / 12)
        + min(2.0, f["modifiers"] / 5)
        + min(2.0, 0.75 * f["artists"])
        + min(1.0, 0.5 * f["styles"])
        + min(2.0, 0.5 * f["emphasis"])
    )
    return max(1, min(10, int(raw + 0.5)))


def complexity_from_scan(prompt: str, scan: list[list[tuple[int, int, float]]]) -> int:
    """``complexity_score`` reusing a keyword scan of the prompt already made by the labeller."""
    return _score(prompt, _features(prompt, _style_count(scan)))
