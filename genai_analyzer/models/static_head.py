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


def apply_head(head: dict[str, np.ndarray] | None, x: np.ndarray) -> np.ndarray:
    """The network after the sum, on unit (or zero) rows ``x``: ``x + gelu(x W1 + b1) W2 + b2``,
    normalized; a zero row (a text with no known token) stays zero."""
    if head is None or not len(x):
        return x
    known = np.linalg.norm(x, axis=1) > 0
    hidden = x @ head["w1"]
    hidden += head["b1"]
    y = x + gelu(hidden) @ head["w2"] + head["b2"]
    y[~known] = 0.0
    norms = np.linalg.norm(y, axis=1, keepdims=True)
    return y / np.where(norms > 0, norms, 1.0)
