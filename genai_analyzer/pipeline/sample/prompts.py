"""Prompt construction and the edits a user makes while refining a prompt.

A prompt is held as a small tuple of vocabulary indices (`PromptState`) so that an edit ("add an
artist", "change the medium") is a cheap tuple rebuild, and is rendered to DiffusionDB-style text
(lower case, comma separated) only when it changes.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable
from itertools import accumulate
from typing import NamedTuple

import numpy as np
import pandas as pd

from genai_analyzer.pipeline.sample import vocab

# Move codes, one per generation. behaviour.py draws them; walk_prompts applies them.
NEW = 0  # start a new idea
REROLL = 1  # same prompt, new seed
TWEAK = 2  # same prompt, different cfg / steps / size / sampler
ADD_MODIFIER = 3
DROP_MODIFIER = 4
ADD_ARTIST = 5
SWAP_ARTIST = 6
CHANGE_MEDIUM = 7
ADD_DETAIL = 8
COPY_POPULAR = 9  # paste a prompt that circulates among users
EDIT_MOVES: tuple[int, ...] = (
    ADD_MODIFIER,
    DROP_MODIFIER,
    ADD_ARTIST,
    SWAP_ARTIST,
    CHANGE_MEDIUM,
    ADD_DETAIL,
)

CATEGORY_NAMES: tuple[str, ...] = tuple(vocab.SUBJECT_CATEGORIES)
CATEGORY_NSFW: np.ndarray = np.array([v[1] for v in vocab.SUBJECT_CATEGORIES.values()])
SUBJECTS: tuple[str, ...] = tuple(s for v in vocab.SUBJECT_CATEGORIES.values() for s in v[2])
SUBJECT_CATEGORY: tuple[int, ...] = tuple(
    i for i, v in enumerate(vocab.SUBJECT_CATEGORIES.values()) for _ in v[2]
)
_CAT_FIRST = tuple(accumulate((len(v[2]) for v in vocab.SUBJECT_CATEGORIES.values()), initial=0))
_CAT_CUM = tuple(accumulate(v[0] for v in vocab.SUBJECT_CATEGORIES.values()))
# "an oil painting of portrait of ..." reads wrong, so portraits only take a trailing medium tag.
_PREFIXABLE = tuple(not s.startswith(("portrait", "close up", "headshot")) for s in SUBJECTS)

MODIFIERS: tuple[str, ...] = (
    vocab.GENERAL_MODIFIERS
    + vocab.ART_MODIFIERS
    + vocab.PHOTO_MODIFIERS
    + vocab.RENDER_MODIFIERS
    + vocab.WEIGHTED_TOKENS
)


def _span(start: int, items: tuple[str, ...]) -> range:
    return range(start, start + len(items))


_GENERAL = _span(0, vocab.GENERAL_MODIFIERS)
_ART = _span(_GENERAL.stop, vocab.ART_MODIFIERS)
_PHOTO = _span(_ART.stop, vocab.PHOTO_MODIFIERS)
_RENDER = _span(_PHOTO.stop, vocab.RENDER_MODIFIERS)
_WEIGHTED = _span(_RENDER.stop, vocab.WEIGHTED_TOKENS)
# family -> (pool specific to the family, share of picks taken from it rather than the general pool)
_FAMILY_POOL = {
    "photo": (_PHOTO, 0.55),
    "render": (_RENDER, 0.45),
    "paint": (_ART, 0.3),
    "anime": (_ART, 0.3),
    "sketch": (_ART, 0.2),
    "pixel": (_ART, 0.1),
}
# Indexed by medium, with -1 (no medium) landing on the extra last entry.
_MEDIUM_POOL = tuple(_FAMILY_POOL[m[2]] for m in vocab.MEDIUMS) + ((_GENERAL, 0.0),)
_POPULAR_ARTISTS = tuple(vocab.ARTISTS.index(a) for a in vocab.POPULAR_ARTISTS)


class PromptState(NamedTuple):
    """A prompt as vocabulary indices."""

    subject: int
    details: tuple[int, ...]
    medium: int  # -1: no medium
    prefix: bool  # medium written up front ("an oil painting of ...") instead of as a tag
    modifiers: tuple[int, ...]
    artists: tuple[int, ...]
    lead: int  # index into vocab.ARTIST_LEADS
    artists_last: bool  # artist phrase after the modifiers rather than right after the subject


class Uniforms:
    """Uniform floats in [0, 1) from a numpy Generator, handed out one at a time.

    Calling the Generator once per draw costs about a microsecond; drawing blocks and serving
    them from a Python list keeps the per-generation loop fast for millions of rows.
    """

    def __init__(self, rng: np.random.Generator, block: int = 1 << 16) -> None:
        self._rng = rng
        self._block = block
        self._it = iter(())

    def __call__(self) -> float:
        """Return the next uniform float."""
        try:
            return next(self._it)
        except StopIteration:
            self._it = iter(self._rng.random(self._block).tolist())
            return next(self._it)

    def pick(self, n: int) -> int:
        """Return a uniform integer in [0, n)."""
        return int(self() * n)


def _pick_modifier(medium: int, u: Uniforms) -> int:
    pool, share = _MEDIUM_POOL[medium]
    if u() >= share:
        pool = _GENERAL
    return pool[int(u() * len(pool))]


def _pick_artist(u: Uniforms) -> int:
    if u() < 0.45:
        return _POPULAR_ARTISTS[u.pick(len(_POPULAR_ARTISTS))]
    return u.pick(len(vocab.ARTISTS))


def _distinct(existing: tuple[int, ...], draw: Callable[[], int], tries: int = 4) -> int | None:
    """Return a drawn value not in existing, or None when a few tries all collide."""
    for _ in range(tries):
        value = draw()
        if value not in existing:
            return value
    return None


def new_idea(u: Uniforms) -> PromptState:
    """Return a freshly composed prompt: short, medium or long, with or without artists."""
    cat = bisect_right(_CAT_CUM, u() * _CAT_CUM[-1])
    subject = _CAT_FIRST[cat] + u.pick(_CAT_FIRST[cat + 1] - _CAT_FIRST[cat])
    r = u()
    n_details = 0 if r < 0.55 else 1 if r < 0.88 else 2
    details: tuple[int, ...] = ()
    for _ in range(n_details):
        d = _distinct(details, lambda: u.pick(len(vocab.SUBJECT_DETAILS)))
        if d is not None:
            details += (d,)
    medium = u.pick(len(vocab.MEDIUMS)) if u() < 0.85 else -1
    prefix = medium >= 0 and _PREFIXABLE[subject] and u() < 0.35
    r = u()
    if r < 0.2:  # "a cat in space"
        n_mods, n_artists = u.pick(2), 0
    elif r < 0.6:
        n_mods, n_artists = 2 + u.pick(5), u.pick(3)
    else:  # the long "highly detailed, 8 k, trending on artstation, ..." prompts
        n_mods, n_artists = 6 + u.pick(9), 1 + u.pick(3)
    mods: tuple[int, ...] = ()
    if u() < 0.07:
        mods = (_WEIGHTED[u.pick(len(_WEIGHTED))],)
    for _ in range(n_mods):
        m = _distinct(mods, lambda: _pick_modifier(medium, u))
        if m is not None:
            mods += (m,)
    artists: tuple[int, ...] = ()
    for _ in range(n_artists):
        a = _distinct(artists, lambda: _pick_artist(u))
        if a is not None:
            artists += (a,)
    lead = u.pick(len(vocab.ARTIST_LEADS))
    return PromptState(subject, details, medium, prefix, mods, artists, lead, u() < 0.75)


def render_prompt(state: PromptState) -> str:
    """Return the prompt text for a state, e.g. "a red fox in the snow, oil painting, by ..."."""
    head = SUBJECTS[state.subject]
    if state.details:
        head = " ".join((head, *(vocab.SUBJECT_DETAILS[d] for d in state.details)))
    front: list[str] = []
    parts: list[str] = []
    if state.medium >= 0 and state.prefix:
        head = f"{vocab.MEDIUMS[state.medium][1]} {head}"
    parts.append(head)
    if state.medium >= 0 and not state.prefix:
        parts.append(vocab.MEDIUMS[state.medium][0])
    # Attention-weighted tokens are conventionally pasted at the very start.
    mods = []
    for m in state.modifiers:
        (front if m >= _WEIGHTED.start else mods).append(MODIFIERS[m])
    artist_phrase = ""
    if state.artists:
        names = " and ".join(vocab.ARTISTS[a] for a in state.artists)
        artist_phrase = vocab.ARTIST_LEADS[state.lead] + names
    if artist_phrase and not state.artists_last:
        parts.append(artist_phrase)
    parts.extend(mods)
    if artist_phrase and state.artists_last:
        parts.append(artist_phrase)
    return ", ".join(front + parts)


def add_modifier(s: PromptState, u: Uniforms) -> PromptState:
    """Return the state with one more modifier appended."""
    m = _distinct(s.modifiers, lambda: _pick_modifier(s.medium, u))
    return s if m is None else s._replace(modifiers=s.modifiers + (m,))


def drop_modifier(s: PromptState, u: Uniforms) -> PromptState:
    """Return the state with one modifier removed (or added, when there is none to remove)."""
    if not s.modifiers:
        return add_modifier(s, u)
    i = u.pick(len(s.modifiers))
    return s._replace(modifiers=s.modifiers[:i] + s.modifiers[i + 1 :])


def add_artist(s: PromptState, u: Uniforms) -> PromptState:
    """Return the state with one more artist (swapped instead once there are four)."""
    if len(s.artists) >= 4:
        return swap_artist(s, u)
    a = _distinct(s.artists, lambda: _pick_artist(u))
    return s if a is None else s._replace(artists=s.artists + (a,))


def swap_artist(s: PromptState, u: Uniforms) -> PromptState:
    """Return the state with one artist replaced (or added, when there is none)."""
    if not s.artists:
        return add_artist(s, u)
    a = _distinct(s.artists, lambda: _pick_artist(u))
    if a is None:
        return s
    i = u.pick(len(s.artists))
    return s._replace(artists=s.artists[:i] + (a,) + s.artists[i + 1 :])


def change_medium(s: PromptState, u: Uniforms) -> PromptState:
    """Return the state with a different medium, keeping where the medium is written."""
    medium = _distinct((s.medium,), lambda: u.pick(len(vocab.MEDIUMS)))
    if medium is None:
        return s
    return s._replace(medium=medium, prefix=s.prefix and _PREFIXABLE[s.subject])


def add_detail(s: PromptState, u: Uniforms) -> PromptState:
    """Return the state with a subject detail added, or the last one replaced past two."""
    d = _distinct(s.details, lambda: u.pick(len(vocab.SUBJECT_DETAILS)))
    if d is None:
        return s
    kept = s.details if len(s.details) < 2 else s.details[:-1]
    return s._replace(details=kept + (d,))


_EDITS = {
    ADD_MODIFIER: add_modifier,
    DROP_MODIFIER: drop_modifier,
    ADD_ARTIST: add_artist,
    SWAP_ARTIST: swap_artist,
    CHANGE_MEDIUM: change_medium,
    ADD_DETAIL: add_detail,
}


def walk_prompts(moves: np.ndarray, rng: np.random.Generator) -> tuple[list[str], np.ndarray]:
    """Apply one move per generation, in order, and return (prompt texts, category index per row).

    The first move of every user must be NEW or COPY_POPULAR: the current idea is carried from
    row to row, so a user's first row is what stops it leaking from the previous user.
    """
    u = Uniforms(rng)
    # A pool of circulating prompts with Zipf-like popularity: a few get copied a lot.
    pool = [new_idea(u) for _ in range(25 + len(moves) // 4000)]
    pool_text = [render_prompt(s) for s in pool]
    pool_cum = tuple(accumulate(1.0 / (k + 1) ** 1.1 for k in range(len(pool))))
    state = pool[0]
    text = pool_text[0]
    prompts: list[str] = []
    cats: list[int] = []
    for move in moves.tolist():
        if move == NEW:
            state = new_idea(u)
            text = render_prompt(state)
        elif move == COPY_POPULAR:
            k = bisect_right(pool_cum, u() * pool_cum[-1])
            state, text = pool[k], pool_text[k]
        elif move != REROLL and move != TWEAK:
            state = _EDITS[move](state, u)
            text = render_prompt(state)
        prompts.append(text)
        cats.append(SUBJECT_CATEGORY[state.subject])
    return prompts, np.asarray(cats, dtype=np.int16)


def nsfw_scores(
    prompts: list[str], categories: np.ndarray, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Return (prompt_nsfw, image_nsfw) as float32 arrays, one value per row.

    prompt_nsfw is a function of the prompt text (identical prompts score identically, as a text
    classifier would); image_nsfw varies per image around it. About 0.5% of images get exactly
    2.0, DiffusionDB's marker for an image blurred at the source.
    """
    n = len(prompts)
    codes, uniques = pd.factorize(pd.Series(prompts, dtype=object), sort=False)
    first = np.unique(codes, return_index=True)[1]
    p_high = CATEGORY_NSFW[categories[first]]
    high_u = rng.random(len(uniques)) < p_high
    score_u = np.where(high_u, rng.beta(4.0, 1.6, len(uniques)), rng.beta(1.1, 28.0, len(uniques)))
    prompt_nsfw = score_u[codes]
    high = high_u[codes]
    image_high = rng.random(n) < np.where(high, 0.55, 0.015)
    image_nsfw = np.where(image_high, rng.beta(3.0, 1.5, n), rng.beta(1.0, 18.0, n))
    image_nsfw[rng.random(n) < 0.005] = 2.0
    return prompt_nsfw.astype(np.float32), image_nsfw.astype(np.float32)
