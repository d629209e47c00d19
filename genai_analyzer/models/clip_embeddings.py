"""Image and text embeddings in one CLIP space, from a CLIP model the user names (GENAI_IMAGE_MODEL).

Nothing CLIP-like ships with the project: no image-text weights can be downloaded on its build
machines or are packaged on PyPI. When a user has a CLIP model that transformers' ``CLIPModel``
loads (a local folder, or a hub id when the hub is reachable), its image tower replaces
EfficientNet-Lite0 for the image embeddings, and its text tower embeds a query or a prompt into the
same space: text-to-image search and the prompt-image agreement score (docs/images.md).

The vectors are stored under a key naming the model and a digest of its files (``clip:<name>:<12
hex>``), so a warehouse never mixes two models' vectors, and the app embeds a query only with the
model whose key the warehouse records. Runs on PyTorch (CPU), ``BATCH`` images or texts a call.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import threading
import warnings
from pathlib import Path

import numpy as np

from genai_analyzer.models.embeddings import EmbeddingError, default_threads

KEY_PREFIX = "clip:"
BATCH = 32
_WEIGHT_FILES = ("model.safetensors", "pytorch_model.bin")
_DIGEST_BYTES = 1 << 20  # the digest reads the first and last MiB of the weights, and their size


def is_clip_key(model_key: str | None) -> bool:
    """Whether vectors stored under ``model_key`` are in a CLIP space (text queries possible)."""
    return bool(model_key) and str(model_key).startswith(KEY_PREFIX)


def model_key(source: str) -> str:
    """The key vectors of the CLIP model at ``source`` (folder or hub id) are stored under."""
    folder = Path(source).expanduser()
    digest = hashlib.sha1()
    if folder.is_dir():
        config = folder / "config.json"
        digest.update(config.read_bytes() if config.exists() else b"")
        for name in _WEIGHT_FILES:
            weights = folder / name
            if weights.exists():
                size = weights.stat().st_size
                digest.update(f"{name}|{size}".encode())
                with weights.open("rb") as f:
                    digest.update(f.read(_DIGEST_BYTES))
                    f.seek(max(0, size - _DIGEST_BYTES))
                    digest.update(f.read(_DIGEST_BYTES))
        name = folder.resolve().name
    else:
        digest.update(source.encode())
        name = source
    return f"{KEY_PREFIX}{name}:{digest.hexdigest()[:12]}"


_LOAD_LOCK = threading.Lock()  # one load at a time: transformers' lazy imports race across threads


@contextlib.contextmanager
def _quiet():
    """transformers logs and warns as it loads (the Pil image processor fallback, load reports):
    its own verbosity is lowered, not stderr swapped (that is process-wide, and threads load)."""
    from transformers.utils import logging as hf_logging

    level, bars = hf_logging.get_verbosity(), hf_logging.is_progress_bar_enabled()
    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        hf_logging.set_verbosity(level)
        if bars:
            hf_logging.enable_progress_bar()


def _features(output):
    """The projected features from get_*_features: a tensor (transformers 4) or an output whose
    pooler_output holds them (transformers 5)."""
    import torch

    return output if isinstance(output, torch.Tensor) else output.pooler_output


class ClipEmbedder:
    """Unit-length float32 vectors of images and texts in one CLIP space; loads on first use.

    ``source``: a local folder holding a saved ``CLIPModel`` with its processor (image processor
    and tokenizer), or a hub id, which loads only when the hub is reachable or its files are in
    the Hugging Face cache.
    """

    kind = "clip"

    def __init__(self, source: str, *, threads: int | None = None):
        self.source = str(source)
        self.threads = threads or default_threads()
        self.model_name = model_key(self.source)
        self._model = None
        self._processor = None

    @property
    def label(self) -> str:
        """The model as people name it: its folder's name or its hub id."""
        return self.model_name[len(KEY_PREFIX) :].rsplit(":", 1)[0]

    @property
    def dim(self) -> int:
        return int(self._load()[0].config.projection_dim)

    def load(self) -> ClipEmbedder:
        """Load the model now (the build does, before its reader threads preprocess images)."""
        self._load()
        return self

    def _load(self):
        with _LOAD_LOCK:
            if self._model is None:
                self._model, self._processor = self._read()
        return self._model, self._processor

    def _read(self):
        try:
            from transformers import CLIPModel, CLIPProcessor
        except ImportError as exc:  # pragma: no cover - transformers is a dependency
            raise EmbeddingError(f"A CLIP image model needs transformers ({exc}).") from exc
        local = Path(self.source).expanduser().is_dir()
        try:
            with _quiet():
                model = CLIPModel.from_pretrained(self.source, local_files_only=local)
                processor = CLIPProcessor.from_pretrained(self.source, local_files_only=local)
        except (OSError, ValueError, KeyError) as exc:
            raise EmbeddingError(
                f"GENAI_IMAGE_MODEL={self.source!r} could not be loaded as a CLIP model ({exc}). "
                "Name a folder holding a saved transformers CLIPModel with its processor "
                "(config.json, model.safetensors, the tokenizer and preprocessor files), or a hub id "
                "while the hub is reachable; empty it for the bundled visual similarity model."
            ) from exc
        return model.eval(), processor

    def preprocess(self, image) -> np.ndarray:
        """A PIL image as the model's input (channels first, float32), as its processor makes it."""
        _, processor = self._load()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            pixels = processor.image_processor(images=[image.convert("RGB")], return_tensors="np")
        return np.asarray(pixels["pixel_values"][0], dtype=np.float32)

    def embed(self, images: list) -> np.ndarray:
        """Vectors of ``images`` (PIL images, or arrays from ``preprocess``), in their order."""
        import torch

        model, _ = self._load()
        if not len(images):
            return np.zeros((0, self.dim), dtype=np.float32)
        arrays = [im if isinstance(im, np.ndarray) else self.preprocess(im) for im in images]
        torch.set_num_threads(self.threads)
        out = []
        with torch.inference_mode():
            for start in range(0, len(arrays), BATCH):
                batch = torch.from_numpy(np.stack(arrays[start : start + BATCH]))
                out.append(_features(model.get_image_features(pixel_values=batch)).numpy())
        return _normalise(np.concatenate(out))

    def embed_texts(self, texts: list[str]) -> np.ndarray:
        """Vectors of ``texts`` (queries or prompts, cut to the model's context length), in order."""
        import torch

        model, processor = self._load()
        if not len(texts):
            return np.zeros((0, self.dim), dtype=np.float32)
        torch.set_num_threads(self.threads)
        out = []
        with torch.inference_mode():
            for start in range(0, len(texts), BATCH):
                tokens = processor.tokenizer(
                    [str(t) for t in texts[start : start + BATCH]],
                    padding=True,
                    truncation=True,
                    max_length=model.config.text_config.max_position_embeddings,
                    return_tensors="pt",
                )
                out.append(_features(model.get_text_features(**tokens)).numpy())
        return _normalise(np.concatenate(out))


def _normalise(vectors: np.ndarray) -> np.ndarray:
    vectors = vectors.astype(np.float32, copy=False)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.where(norms > 0, norms, 1.0)


@functools.cache
def clip_embedder(source: str) -> ClipEmbedder:
    """One loaded CLIP model per source in this process (the app embeds each query with it)."""
    return ClipEmbedder(source)
