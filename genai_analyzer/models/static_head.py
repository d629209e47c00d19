"""The small network after a static model's token sum (``static_embeddings.StaticModel``).

A text's static vector is the normalized sum of its tokens' vectors, then ``x + gelu(x W1 + b1) W2
+ b2``, normalized again: one hidden layer (768 wide by default), trained with the token vectors so
that the vectors point where MiniLM's do (``static_embeddings.fit_vectors``). Applied here in numpy,
batch by batch, with the tanh form of GELU that the network is trained with in torch.
"""

from __future__ import annotations

import numpy as np

HEAD_KEYS = ("w1", "b1", "w2", "b2")


def gelu(x: np.ndarray) -> np.ndarray:
    """GELU, tanh form (torch's ``approximate="tanh"``, which the network is trained with), in place."""
    inner = x * x
    inner *= 0.044715 * x
    inner += x
    inner *= 0.7978845608028654
    np.tanh(inner, out=inner)
    inner += 1.0
    x *= inner
    x *= 0.5
    return x


def _unit(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``rows`` normalized (a zero row stays zero), and which rows were not zero."""
    norms = np.linalg.norm(rows, axis=1, keepdims=True)
    known = norms[:, 0] > 0
    return rows / np.where(known[:, None], norms, 1.0), known


def apply_head(head: dict[str, np.ndarray] | None, summed: np.ndarray) -> np.ndarray:
    """Unit vectors of token sums ``summed``: each sum normalized, then, with a network,
    ``x + gelu(x W1 + b1) W2 + b2`` normalized again; a zero row (a text with no known token)
    stays zero."""
    x, known = _unit(summed)
    if head is None or not len(x):
        return x
    hidden = x @ head["w1"]
    hidden += head["b1"]
    y = x + gelu(hidden) @ head["w2"] + head["b2"]
    y[~known] = 0.0
    return _unit(y)[0]
