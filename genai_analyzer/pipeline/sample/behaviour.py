"""How synthetic users behave: how much they generate, when, and what they change between tries.

Rows are laid out user by user, session by session, in the order each user made them. All of it
is vectorised with numpy; only the prompt walk in prompts.py loops per row.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from genai_analyzer.pipeline.sample.prompts import (
    ADD_ARTIST,
    ADD_DETAIL,
    ADD_MODIFIER,
    CHANGE_MEDIUM,
    COPY_POPULAR,
    DROP_MODIFIER,
    EDIT_MOVES,
    NEW,
    REROLL,
    SWAP_ARTIST,
    TWEAK,
)

# DiffusionDB's integer sampler codes are 1-based positions in this tuple.
SAMPLER_NAMES: tuple[str, ...] = (
    "ddim",
    "plms",
    "k_euler",
    "k_euler_ancestral",
    "k_heun",
    "k_dpm_2",
    "k_dpm_2_ancestral",
    "k_lms",
    "others",
)
_SAMPLER_P = np.array([0.03, 0.02, 0.04, 0.06, 0.015, 0.01, 0.015, 0.80, 0.01])

# Relative activity per UTC hour: busiest in the (European) evening, quietest before dawn.
DIURNAL = np.array(
    [0.75, 0.6, 0.5, 0.42, 0.36, 0.33, 0.33, 0.36, 0.42, 0.5, 0.58, 0.65]
    + [0.72, 0.78, 0.85, 0.9, 0.95, 1.0, 1.05, 1.1, 1.12, 1.08, 1.0, 0.88]
)

# Next move within a session. Re-rolling the seed is by far the most common thing people do.
_SESSION_MOVES = np.array(
    [REROLL, TWEAK, ADD_MODIFIER, DROP_MODIFIER, ADD_ARTIST, SWAP_ARTIST, CHANGE_MEDIUM] + [ADD_DETAIL, NEW]
)
_SESSION_P = np.array([0.38, 0.10, 0.13, 0.06, 0.08, 0.06, 0.06, 0.06, 0.07])

_CFG_VALUES = np.array([7.0, 7.5, 8.0, 10.0, 12.0, 5.0, 6.0, 9.0, 15.0, 20.0, 3.0, 1.0, 11.0, 4.0])
_CFG_P = np.array([0.86, 0.04, 0.035, 0.03, 0.02, 0.02, 0.015, 0.015, 0.01, 0.006, 0.004])
_CFG_P = np.concatenate([_CFG_P, [0.002, 0.002, 0.001]])
_CFG_OUTLIERS = np.array([25.0, 30.0, 50.0])
_STEP_VALUES = np.array([50, 20, 25, 30, 40, 60, 75, 80, 100, 150])
_STEP_P = np.array([0.86, 0.03, 0.03, 0.04, 0.02, 0.02, 0.02, 0.01, 0.025, 0.005])
_SIZES = np.array(
    [(512, 512), (512, 768), (768, 512), (640, 640), (768, 768), (512, 640), (640, 512)]
    + [(1024, 1024), (384, 512), (512, 384)]
)
_SIZE_P = np.array([0.84, 0.05, 0.04, 0.015, 0.02, 0.01, 0.01, 0.005, 0.005, 0.005])

_MIN_SESSION_GAP_S = 30 * 60


def plan_users(n_generations: int, n_users: int, rng: np.random.Generator) -> np.ndarray:
    """Return generations per user (int64, each >= 1, summing to n_generations), heavy-tailed.

    Needs n_users <= n_generations. Lognormal weights give many casual users and a few power
    users with tens of times the median.
    """
    weights = rng.lognormal(0.0, 1.5, n_users)
    return 1 + rng.multinomial(n_generations - n_users, weights / weights.sum())


def plan_sessions(counts: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Return (user index per row, True where a row starts a session).

    Each user has their own typical session length, so session sizes are geometric per user.
    """
    n_users = len(counts)
    user = np.repeat(np.arange(n_users), counts)
    mean_len = np.clip(rng.lognormal(np.log(7.0), 0.6, n_users), 2.0, 40.0)
    starts = rng.random(len(user)) < (1.0 / mean_len)[user]
    starts[np.cumsum(counts) - counts] = True
    return user, starts


def row_offsets(
    user: np.ndarray, session_start: np.ndarray, days: int, rng: np.random.Generator
) -> np.ndarray:
    """Return seconds since the window start for every row (float64, within [0, days*86400)).

    Sessions start on days spread over the user's active stretch of the window at an hour drawn
    from DIURNAL; generations inside a session are 20 s to a few minutes apart; sessions of one
    user never overlap and are at least half an hour apart.
    """
    n = len(user)
    window = days * 86400.0
    gaps = np.clip(rng.lognormal(np.log(50.0), 0.7, n), 20.0, 900.0)
    gaps[session_start] = 0.0
    sess = np.cumsum(session_start) - 1
    first_row = np.flatnonzero(session_start)
    elapsed = np.cumsum(gaps)
    within = elapsed - elapsed[first_row][sess]
    duration = np.append(within[first_row[1:] - 1], within[-1])

    s_user = user[first_row]
    n_users = int(user.max()) + 1
    k = np.bincount(s_user, minlength=n_users)
    # Casual users drop by on a few days; power users are around for most of the window.
    span = np.clip(0.2 + 0.18 * np.log2(np.maximum(k, 1)), 0.1, 1.0)
    begin = rng.random(n_users) * (1.0 - span)
    day = np.floor((begin[s_user] + rng.random(len(s_user)) * span[s_user]) * days)
    hour = rng.choice(24, size=len(s_user), p=DIURNAL / DIURNAL.sum())
    start = day * 86400.0 + hour * 3600.0 + rng.random(len(s_user)) * 3600.0
    # Sessions of a user are contiguous and in order, so sorting by (user, start) lines the
    # sorted start times up with that user's sessions.
    start = start[np.lexsort((start, s_user))]

    # Push sessions later until each starts after the previous one ended plus a pause:
    # s'_k = D_k + max_{j<=k}(s_j - D_j), with D_k the total length of the user's earlier sessions.
    need = duration + _MIN_SESSION_GAP_S
    before = np.cumsum(need) - need
    before -= before[np.cumsum(k) - k][s_user]
    pushed = before + pd.Series(start - before).groupby(s_user).cummax().to_numpy()
    # Whatever spills past the window end slides the user's whole schedule back.
    spill = np.maximum(pd.Series(pushed + duration).groupby(s_user).max().to_numpy() - window, 0)
    pushed -= spill[s_user]
    return np.clip(pushed[sess] + within, 0.0, window - 1.0)


def draw_moves(user: np.ndarray, session_start: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Return the refinement move (a prompts.* code) of every row, as int8.

    A user's first row is always a new (or copied) idea; a later session opens with a new idea
    two times in three, otherwise the user picks up where they left off.
    """
    n = len(user)
    moves = rng.choice(_SESSION_MOVES, size=n, p=_SESSION_P).astype(np.int8)
    user_first = np.r_[True, user[1:] != user[:-1]]
    fresh = user_first | (session_start & (rng.random(n) < 0.65))
    moves[fresh] = NEW
    moves[(moves == NEW) & (rng.random(n) < 0.06)] = COPY_POPULAR
    return moves


def _ffill(values: np.ndarray, event: np.ndarray) -> np.ndarray:
    """Return values carried forward from the last row where event is True (row 0 must be one)."""
    src = np.maximum.accumulate(np.where(event, np.arange(len(event)), 0))
    return values[src]


def _alternatives(p: np.ndarray) -> np.ndarray:
    """Return probabilities for anything but the most likely value of p: what a tweak picks.

    Popular alternatives stay popular, but a flat share lets rare values get tried too.
    """
    q = p / p.sum() + 0.3 / len(p)
    q[np.argmax(p)] = 0.0
    return q / q.sum()


def _cfg_values(n: int, rng: np.random.Generator, p: np.ndarray) -> np.ndarray:
    cfg = rng.choice(_CFG_VALUES, size=n, p=p / p.sum())
    r = rng.random(n)
    # Half-steps keep every value exact in float32 and clean in the JSON sidecar.
    free = np.round(rng.uniform(1.0, 20.0, n) * 2.0) / 2.0
    cfg = np.where(r < 0.03, free, cfg)
    return np.where(r > 0.9996, rng.choice(_CFG_OUTLIERS, size=n), cfg)


def _step_values(n: int, rng: np.random.Generator, p: np.ndarray) -> np.ndarray:
    steps = rng.choice(_STEP_VALUES, size=n, p=p / p.sum())
    return np.where(rng.random(n) < 0.02, rng.integers(10, 151, n), steps)


def draw_settings(
    user: np.ndarray, session_start: np.ndarray, moves: np.ndarray, rng: np.random.Generator
) -> dict[str, np.ndarray]:
    """Return seed, step, cfg, sampler, width and height per row, as DiffusionDB dtypes.

    A setting is drawn afresh (mostly the default) when a user starts, usually when a session
    starts (the bot forgets flags) and sometimes on a new idea; it is changed to an alternative
    on TWEAK moves and occasionally along with a prompt edit; otherwise it carries forward.
    Seeds change on every re-roll; a minority of users pin the seed while editing the prompt.
    """
    n = len(user)
    user_first = np.r_[True, user[1:] != user[:-1]]
    edit = np.isin(moves, EDIT_MOVES)
    new_idea = (moves == NEW) | (moves == COPY_POPULAR)

    pins_seed = rng.random(int(user.max()) + 1) < 0.2
    keep_seed = (edit & pins_seed[user]) | ((moves == TWEAK) & (rng.random(n) < 0.5))
    seed = _ffill(rng.integers(0, 2**32, n, dtype=np.uint64), user_first | ~keep_seed)

    which = rng.choice(4, size=n, p=[0.35, 0.3, 0.2, 0.15])  # cfg, steps, size, sampler
    tweak = (moves == TWEAK) | (edit & (rng.random(n) < 0.05))
    r = rng.random(n)
    fresh = user_first | (session_start & (r < 0.8)) | (new_idea & (r > 0.7))

    out: dict[str, np.ndarray] = {"seed": seed.astype(np.uint32)}
    changed = tweak & (which == 0)
    cfg = np.where(changed, _cfg_values(n, rng, _alternatives(_CFG_P)), _cfg_values(n, rng, _CFG_P))
    out["cfg"] = _ffill(cfg, fresh | changed).astype(np.float32)

    changed = tweak & (which == 1)
    step = np.where(changed, _step_values(n, rng, _alternatives(_STEP_P)), _step_values(n, rng, _STEP_P))
    out["step"] = _ffill(step, fresh | changed).astype(np.uint16)

    changed = tweak & (which == 2)
    size = np.where(
        changed,
        rng.choice(len(_SIZES), size=n, p=_alternatives(_SIZE_P)),
        rng.choice(len(_SIZES), size=n, p=_SIZE_P / _SIZE_P.sum()),
    )
    size = _ffill(size, fresh | changed)
    out["width"] = _SIZES[size, 0].astype(np.uint16)
    out["height"] = _SIZES[size, 1].astype(np.uint16)

    changed = tweak & (which == 3)
    sampler = np.where(
        changed,
        rng.choice(len(SAMPLER_NAMES), size=n, p=_alternatives(_SAMPLER_P)),
        rng.choice(len(SAMPLER_NAMES), size=n, p=_SAMPLER_P / _SAMPLER_P.sum()),
    )
    out["sampler"] = (_ffill(sampler, fresh | changed) + 1).astype(np.uint8)
    return out
