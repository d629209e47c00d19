"""A static embedding model made here from the bundled MiniLM: the first semantic tier.

A static model gives each token one fixed vector; a text's vector is the normalized sum of its
tokens' vectors, passed through a small residual network (one hidden layer) and normalized again,
so embedding is a table lookup and two small matrix products (tens of thousands of prompts a second
on two cores instead of about a hundred). It is made offline, in two steps (docs/enrichment.md):

1. **Distillation** (model2vec's method): MiniLM's word pieces, plus the corpus's own frequent
   words (artists, styles, modifiers) as whole tokens, are each run through MiniLM alone
   (``[CLS] token [SEP]``, mean-pooled): one vector per token, in MiniLM's output space.
2. **Fitting** (tokenlearn's method): the token vectors are trained so that the static vectors of
   a sample of the corpus's prompts (with fragments of them, as short as queries, and new
   prompts recombined from their parts) point where
   MiniLM's vectors of the same texts point (cosine loss, Adam, a few epochs), together with
   the network after the sum (its last layer starts at zero, so it starts as the identity).

Fitted vectors live in MiniLM's own 384-dimensional space (no PCA), so a static vector and a
MiniLM vector of the same prompt can be compared; ``plain=True`` gives model2vec's recipe
instead (distillation, PCA, Zipf/SIF weights), kept for the benchmark.

The model is cached in ``<GENAI_MODEL_CACHE>/static/<name>-<digest>/`` (``tokenizer.json``,
``vectors.npy``, ``head.npz`` (the network, when it has one), ``static.json``), the digest
naming the teacher, the recipe, the vocabulary and the training texts, so it is made once per
corpus and found again.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import re
import shutil
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from genai_analyzer.core.errors import AnalyzerError
from genai_analyzer.models.static_head import HEAD_KEYS, apply_head

# bump when what make_static_model writes changes (2: ties in the vocabulary by word; 3: the network)
STATIC_VERSION = 3
_SPECIAL = re.compile(r"^\[(unused\d+|PAD|CLS|SEP|MASK)\]$")


@dataclass(frozen=True)
class StaticRecipe:
    """How a static model is made; every field is part of its cache digest."""

    vocab_size: int = 25_000  # corpus words added as whole tokens (those seen min_count times)
    min_count: int = 2
    sample_size: int = 4_000  # prompts whose MiniLM vectors the model is fitted on
    fragments: int = 1  # short texts cut from each sampled prompt, fitted on too
    mixes: int = 12_000  # texts recombined from the sampled prompts' parts, fitted on too
    epochs: int = 12
    learning_rate: float = 0.01
    hidden: int = 768  # the network after the sum: its hidden width (0: none, the plain normalized sum)
    head_learning_rate: float = 0.001
    batch_size: int = 256
    seed: int = 0
    all_pieces: bool = True  # False: distil only the word pieces the corpus uses (small models, tests)
    plain: bool = False  # True: model2vec's recipe only (distil, PCA, SIF weights), no fitting


DEFAULT_RECIPE = StaticRecipe()


class StaticModelError(AnalyzerError):
    """A static model could not be made or written."""


# --- the tokenizer ------------------------------------------------------------------------------


def teacher_tokenizer(teacher_path: Path):
    """MiniLM's own tokenizer (``tokenizers``), without padding or truncation."""
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(Path(teacher_path) / "tokenizer.json"))
    tokenizer.no_padding()
    tokenizer.no_truncation()
    return tokenizer


def words_of(tokenizer, text: str) -> list[str]:
    """The words the tokenizer sees in ``text``: normalized (lower case) and split on punctuation."""
    normalized = tokenizer.normalizer.normalize_str(text)
    return [word for word, _ in tokenizer.pre_tokenizer.pre_tokenize_str(normalized)]


# Printable ASCII and ordinary whitespace: in such a text the words MiniLM's tokenizer sees (BERT's
# normalizer lower-cases; its pre-tokenizer splits on whitespace and on every other ASCII character,
# all punctuation to it) are exactly the lower-cased runs of letters and digits.
_PLAIN_TEXT = re.compile(r"[\x20-\x7e\t\n\r]*")
_PLAIN_WORD = re.compile(r"[a-z0-9]+")


def corpus_vocabulary(tokenizer, texts: Sequence[str], *, size: int, min_count: int = 2) -> list[str]:
    """The ``size`` most frequent words of ``texts`` that are not one word piece already (ties by
    the word). Texts of printable ASCII, nearly all prompts, are split by one regular expression
    over all of them; the others by the tokenizer itself, text by text (``words_of``): 1.1M
    prompts took 61 s that way, and the words are the same (tests/test_static_embeddings.py)."""
    counts: Counter[str] = Counter()
    plain = []
    for text in texts:
        if _PLAIN_TEXT.fullmatch(text):
            plain.append(text)
        else:
            counts.update(word for word in words_of(tokenizer, text) if word.isalnum())
    counts.update(_PLAIN_WORD.findall("\n".join(plain).lower()))
    known = tokenizer.get_vocab()
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return [
        word
        for word, count in ranked
        if count >= min_count and word not in known and word.isalnum() and len(word) > 1
    ][:size]


def extended_tokenizer(tokenizer, words: Sequence[str]):
    """A copy of ``tokenizer`` whose WordPiece vocabulary also holds ``words`` as whole tokens.

    WordPiece takes the longest piece that matches from a word's start, so an added word is
    always one token; other words split into MiniLM's pieces as before."""
    from tokenizers import Tokenizer
    from tokenizers.models import WordPiece

    vocab = dict(tokenizer.get_vocab())
    for word in words:
        vocab.setdefault(word, len(vocab))
    extended = Tokenizer.from_str(tokenizer.to_str())
    extended.model = WordPiece(
        vocab, unk_token="[UNK]", continuing_subword_prefix="##", max_input_chars_per_word=100
    )
    extended.post_processor = None
    return extended


# --- the model ----------------------------------------------------------------------------------


class StaticModel:
    """Token vectors, their tokenizer and the network after the sum (``head``, or None): a text's
    vector is the normalized sum of its tokens' vectors, through the network, normalized again."""

    def __init__(self, tokenizer, vectors: np.ndarray, meta: dict | None = None, head: dict | None = None):
        self.tokenizer = tokenizer
        self.vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        self.meta = meta or {}
        self.dim = int(self.vectors.shape[1])
        self.head = None if head is None else {k: np.asarray(head[k], dtype=np.float32) for k in HEAD_KEYS}

    @classmethod
    def load(cls, folder: Path) -> StaticModel:
        from tokenizers import Tokenizer

        folder = Path(folder)
        tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        tokenizer.no_padding()
        tokenizer.no_truncation()
        meta = json.loads((folder / "static.json").read_text())
        head = None
        if (folder / "head.npz").exists():
            with np.load(folder / "head.npz") as arrays:
                head = {k: arrays[k] for k in HEAD_KEYS}
        return cls(tokenizer, np.load(folder / "vectors.npy", mmap_mode="r"), meta, head)

    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.tokenizer.save(str(folder / "tokenizer.json"))
        np.save(folder / "vectors.npy", self.vectors)
        if self.head is not None:
            np.savez(folder / "head.npz", **self.head)
        (folder / "static.json").write_text(json.dumps(self.meta, indent=2))

    def token_ids(self, texts: Sequence[str]) -> list[list[int]]:
        return [e.ids for e in self.tokenizer.encode_batch_fast(list(texts), add_special_tokens=False)]

    def encode(self, texts: Sequence[str], *, batch_size: int = 4096) -> np.ndarray:
        """Unit-length float32 vectors of ``texts`` (a text with no known token: the zero vector).

        Each batch's token counts are a sparse matrix (a row per text, a column per token)
        multiplied by the token vectors: the sum of each text's token vectors without gathering
        them first (gathering, then ``np.add.reduceat``, made 7,700 texts/s; this 27,000)."""
        from scipy import sparse

        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for start in range(0, len(texts), batch_size):
            ids = self.token_ids(texts[start : start + batch_size])
            lengths = np.fromiter((len(i) for i in ids), dtype=np.int64, count=len(ids))
            flat = np.fromiter(itertools.chain.from_iterable(ids), dtype=np.int64, count=int(lengths.sum()))
            if not len(flat):
                continue
            indptr = np.concatenate([[0], np.cumsum(lengths)])
            counts = sparse.csr_matrix(
                (np.ones(len(flat), dtype=np.float32), flat, indptr), shape=(len(ids), len(self.vectors))
            )
            out[start : start + len(ids)] = apply_head(self.head, counts @ self.vectors)
        return out


# --- making one ---------------------------------------------------------------------------------


def distil_vectors(
    teacher,
    tokenizer,
    extended,
    *,
    only: set[int] | None = None,
    batch_size: int = 512,
    progress: bool = False,
) -> np.ndarray:
    """One vector per token of ``extended``: MiniLM's mean-pooled output for the token alone.

    ``teacher`` is the sentence-transformers MiniLM; a word piece is run as ``[CLS] piece [SEP]``,
    an added word as ``[CLS]`` + its pieces under MiniLM's tokenizer + ``[SEP]``. Special and
    unused tokens (never produced by tokenizing text, except ``[UNK]``) get zero vectors, and so do
    tokens outside ``only`` when it is given."""
    import torch

    vocab = extended.get_vocab()
    base = tokenizer.get_vocab()
    cls_id, sep_id = base["[CLS]"], base["[SEP]"]
    by_id = sorted(vocab.items(), key=lambda item: item[1])
    sequences: list[tuple[int, list[int]]] = []
    for token, token_id in by_id:
        if _SPECIAL.match(token) or (only is not None and token_id not in only):
            continue
        pieces = [base[token]] if token in base else tokenizer.encode(token, add_special_tokens=False).ids
        sequences.append((token_id, [cls_id, *pieces, sep_id]))
    sequences.sort(key=lambda item: len(item[1]))
    model = teacher[0].auto_model.eval()
    dim = int(teacher.get_embedding_dimension())
    out = np.zeros((len(by_id), dim), dtype=np.float32)
    bar = _bar(len(sequences), "distilling tokens", progress)
    with torch.inference_mode():
        for start in range(0, len(sequences), batch_size):
            chunk = sequences[start : start + batch_size]
            width = max(len(s) for _, s in chunk)
            ids = torch.zeros((len(chunk), width), dtype=torch.long)
            mask = torch.zeros((len(chunk), width), dtype=torch.long)
            for row, (_, seq) in enumerate(chunk):
                ids[row, : len(seq)] = torch.tensor(seq)
                mask[row, : len(seq)] = 1
            hidden = model(
                input_ids=ids, attention_mask=mask, token_type_ids=torch.zeros_like(ids)
            ).last_hidden_state
            pooled = (hidden * mask[..., None]).sum(1) / mask.sum(1, keepdim=True)
            out[[token_id for token_id, _ in chunk]] = pooled.numpy()
            bar.update(len(chunk))
    bar.close()
    return out


def plain_vectors(vectors: np.ndarray) -> np.ndarray:
    """model2vec's post-processing: PCA (centred, all dimensions kept) and Zipf-rank SIF weights."""
    used = np.linalg.norm(vectors, axis=1) > 0
    centred = vectors[used] - vectors[used].mean(axis=0)
    _, eigvecs = np.linalg.eigh(centred.T @ centred / max(1, len(centred) - 1))
    rotated = np.zeros_like(vectors)
    rotated[used] = centred @ eigvecs[:, ::-1]
    inv_rank = 1 / np.arange(2, len(vectors) + 2)
    probability = inv_rank / inv_rank.sum()
    return (rotated * (1e-4 / (1e-4 + probability))[:, None]).astype(np.float32)


def fragments_of(texts: Sequence[str], per_text: int, seed: int) -> list[str]:
    """Short texts cut from ``texts``: one to three of a prompt's comma-separated parts, as queries are."""
    rng = np.random.default_rng(seed)
    out = []
    for text in texts:
        parts = [p.strip() for p in text.split(",") if p.strip()]
        if len(parts) < 2:
            continue
        for _ in range(per_text):
            k = int(rng.integers(1, min(3, len(parts)) + 1))
            picked = sorted(rng.choice(len(parts), size=k, replace=False))
            out.append(", ".join(parts[i] for i in picked))
    return list(dict.fromkeys(out))


def mixes_of(texts: Sequence[str], count: int, seed: int) -> list[str]:
    """``count`` new prompts, each one to six comma-separated parts drawn from all of ``texts``:
    more fitting texts than the sample holds, combining its words in new ways (docs/enrichment.md)."""
    pool = [p.strip() for text in texts for p in text.split(",") if p.strip()]
    if not pool:
        return []
    rng = np.random.default_rng(seed + 1)
    return [
        ", ".join(pool[j] for j in rng.choice(len(pool), size=int(rng.integers(1, 7)))) for _ in range(count)
    ]


def fit_vectors(
    model: StaticModel,
    texts: Sequence[str],
    targets: np.ndarray,
    recipe: StaticRecipe,
    *,
    progress: bool = False,
) -> tuple[np.ndarray, dict[str, np.ndarray] | None]:
    """Token vectors, and the network after the sum (``recipe.hidden`` wide; None when 0), trained
    together so that ``model``'s vectors of ``texts`` point along ``targets``.

    The loss is one minus the cosine between a text's static vector (the normalized sum of its
    tokens' vectors through the network) and its MiniLM vector; tokens no training text holds keep
    their distilled vectors. The network's last layer starts at zero: it starts as the identity,
    and the token vectors and the network learn at their own rates (``learning_rate``,
    ``head_learning_rate``)."""
    import torch

    torch.manual_seed(recipe.seed)
    ids = model.token_ids(texts)
    keep = [i for i, t in enumerate(ids) if t]
    ids = [ids[i] for i in keep]
    target = torch.from_numpy(np.ascontiguousarray(targets[keep], dtype=np.float32))
    bag = torch.nn.EmbeddingBag.from_pretrained(
        torch.from_numpy(np.array(model.vectors)), freeze=False, mode="sum"
    )
    groups = [{"params": bag.parameters(), "lr": recipe.learning_rate}]
    head = None
    if recipe.hidden:
        dim = model.dim
        head = torch.nn.Sequential(
            torch.nn.Linear(dim, recipe.hidden),
            torch.nn.GELU(approximate="tanh"),
            torch.nn.Linear(recipe.hidden, dim),
        )
        torch.nn.init.zeros_(head[2].weight)
        torch.nn.init.zeros_(head[2].bias)
        groups.append({"params": head.parameters(), "lr": recipe.head_learning_rate})
    optimizer = torch.optim.Adam(groups)
    rng = np.random.default_rng(recipe.seed)
    bar = _bar(recipe.epochs, "fitting the static model", progress)
    for _ in range(recipe.epochs):
        for batch in np.array_split(rng.permutation(len(ids)), max(1, len(ids) // recipe.batch_size)):
            flat = torch.tensor([t for i in batch for t in ids[i]], dtype=torch.long)
            offsets = torch.tensor(np.concatenate([[0], np.cumsum([len(ids[i]) for i in batch])[:-1]]))
            pooled = bag(flat, offsets)
            if head is not None:
                pooled = torch.nn.functional.normalize(pooled, dim=1)
                pooled = pooled + head(pooled)
            loss = 1 - torch.nn.functional.cosine_similarity(pooled, target[batch]).mean()
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        bar.update(1)
    bar.close()
    vectors = bag.weight.detach().numpy().astype(np.float32)
    if head is None:
        return vectors, None
    weights = {  # as apply_head uses them: x @ w1 + b1, then @ w2 + b2
        "w1": head[0].weight.detach().numpy().T,
        "b1": head[0].bias.detach().numpy(),
        "w2": head[2].weight.detach().numpy().T,
        "b2": head[2].bias.detach().numpy(),
    }
    return vectors, {k: np.ascontiguousarray(v, dtype=np.float32) for k, v in weights.items()}


def static_dir(cache_dir: Path, teacher: str, digest: str) -> Path:
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", Path(teacher).name or teacher).strip("-") or "model"
    return Path(cache_dir) / "static" / f"{slug}-{digest}"


def static_digest(teacher: str, recipe: StaticRecipe, corpus: Sequence[str], fit_on: Sequence[str]) -> str:
    """12 hex digits naming a static model: the teacher, the recipe and the texts it is made from."""
    digest = hashlib.sha1(f"{STATIC_VERSION}|{teacher}|{json.dumps(asdict(recipe), sort_keys=True)}".encode())
    for texts in (corpus, fit_on):
        for text in sorted(set(texts)):
            digest.update(text.encode())
            digest.update(b"\x00")
        digest.update(b"\x01")
    return digest.hexdigest()[:12]


def sample_of(corpus: Sequence[str], size: int) -> list[str]:
    """A fixed sample of ``corpus``: its texts with the smallest md5, so the same corpus gives the same."""
    keyed = sorted(set(corpus), key=lambda t: hashlib.md5(t.encode()).digest())
    return keyed[:size]


def make_static_model(
    teacher: str,
    corpus: Sequence[str],
    cache_dir: Path,
    *,
    teacher_path: Path,
    load_teacher: Callable[[], object],
    teacher_embed: Callable[[list[str]], np.ndarray],
    recipe: StaticRecipe | None = None,
    fit_on: Sequence[str] | None = None,
    progress: bool = False,
) -> Path:
    """Make the static model of ``corpus`` from ``teacher`` once; return its cache folder.

    The vocabulary comes from all of ``corpus``; the fitting sample from ``fit_on`` (default: the
    corpus). ``teacher_path`` holds MiniLM's tokenizer, ``load_teacher`` loads its
    sentence-transformers model (only when a model is made), ``teacher_embed`` gives its
    normalized vectors of the fitting texts (``genai_analyzer.models.embeddings.static_model_from``
    fills these in). The folder is written beside its final name and renamed into place, so an
    interrupted run never leaves a half-made model that a later one would use."""
    recipe = recipe or DEFAULT_RECIPE
    fit_on = corpus if fit_on is None else fit_on
    digest = static_digest(teacher, recipe, corpus, fit_on)
    folder = static_dir(cache_dir, teacher, digest)
    if (folder / "static.json").exists():
        return folder
    timings: dict[str, float] = {}
    started = time.perf_counter()
    tokenizer = teacher_tokenizer(Path(teacher_path))
    words = corpus_vocabulary(tokenizer, corpus, size=recipe.vocab_size, min_count=recipe.min_count)
    extended = extended_tokenizer(tokenizer, words)
    timings["vocabulary_s"] = time.perf_counter() - started
    st = load_teacher()
    mark = time.perf_counter()
    only = None
    if not recipe.all_pieces:
        only = {t for ids in StaticModel(extended, np.zeros((1, 1))).token_ids(list(corpus)) for t in ids}
    vectors = distil_vectors(st, tokenizer, extended, only=only, progress=progress)
    timings["distil_s"] = time.perf_counter() - mark
    meta = {
        "teacher": teacher,
        "digest": digest,
        "static_version": STATIC_VERSION,
        "recipe": asdict(recipe),
        "base_tokens": tokenizer.get_vocab_size(),
        "corpus_words": len(words),
        "corpus_texts": len(set(corpus)),
    }
    if recipe.plain:
        model = StaticModel(extended, plain_vectors(vectors), meta)
    else:
        model = StaticModel(extended, vectors, meta)
        sample = sample_of(fit_on, recipe.sample_size)
        texts = (
            sample
            + fragments_of(sample, recipe.fragments, recipe.seed)
            + mixes_of(sample, recipe.mixes, recipe.seed)
        )
        mark = time.perf_counter()
        targets = teacher_embed(texts)
        timings["teacher_s"] = time.perf_counter() - mark
        mark = time.perf_counter()
        vectors, head = fit_vectors(model, texts, targets, recipe, progress=progress)
        model = StaticModel(extended, vectors, meta, head)
        timings["fit_s"] = time.perf_counter() - mark
        meta["fitted_texts"] = len(texts)
    timings["total_s"] = time.perf_counter() - started
    meta["timings"] = {k: round(v, 2) for k, v in timings.items()}
    staging = folder.with_name(f"{folder.name}.tmp-{os.getpid()}")
    shutil.rmtree(staging, ignore_errors=True)
    try:
        model.save(staging)
        try:
            os.replace(staging, folder)
        except OSError:
            if not (folder / "static.json").exists():  # another process may have won the race
                raise
    except OSError as exc:
        raise StaticModelError(f"Cannot write the static model to {folder}: {exc}") from exc
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return folder


def _bar(total: int, desc: str, progress: bool):
    from tqdm import tqdm

    return tqdm(total=total, desc=desc, unit="", disable=not progress, leave=False)
