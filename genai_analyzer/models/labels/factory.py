"""Choose the prompt labeller from settings: the learned offline labeller by default, an LLM when asked."""

from __future__ import annotations

import hashlib

from genai_analyzer.core.settings import Settings

TAXONOMY_RESOURCE = "taxonomy.json"


def taxonomy_text() -> str:
    from importlib.resources import files

    return (files("genai_analyzer") / "data" / TAXONOMY_RESOURCE).read_text()


def labeller_key(kind: str, model: str, taxonomy_text: str) -> str:
    """Identifies labels made the same way: labeller kind, embedding model, taxonomy version."""
    return f"{kind}:{model}:{hashlib.sha1(taxonomy_text.encode()).hexdigest()[:8]}"


def _learned_kind(embedder) -> str | None:
    """ "learned-<digest>" when the shipped weights fit the embedder's model, else None. The digest
    covers the weights and the art-style cue file (the labeller reads its cues as features), so
    retrained weights or edited cues relabel every prompt.

    The weights were trained on all-MiniLM-L6-v2 vectors; any backend of that model (fp32 or
    int8, whose vectors are at cosine ~0.99) can use them, another model cannot.
    """
    from genai_analyzer.core.contract import STYLE_CUES_FILE
    from genai_analyzer.models.embeddings import split_key
    from genai_analyzer.models.labels.learned import trained_model, weights_path

    path = weights_path()
    if not path.is_file() or split_key(embedder.model_name)[0] not in _aliases(trained_model()):
        return None
    digest = hashlib.sha1(path.read_bytes() + STYLE_CUES_FILE.read_bytes()).hexdigest()[:8]
    return f"learned-{digest}"


def _aliases(model: str) -> set[str]:
    return {model, f"sentence-transformers/{model}"}


def make_labeller(settings: Settings, embedder):
    """(key, factory): the key names how labels are made, so a change invalidates old ones; the
    factory builds the labeller (loading models) only when called.

    Offline (``GENAI_LABELLER=embedding``, the default) the labeller is the ``LearnedLabeller``
    (labels from the prompt embedding by the shipped classifier, with calibrated confidences);
    the zero-shot ``EmbeddingLabeller`` only when the embedding model is not the one the weights
    were trained on. With ``GENAI_LABELLER=llm`` the LLM labels and the offline labeller answers
    for the prompts it cannot.
    """
    llm = None
    if settings.labeller == "llm":
        from genai_analyzer.models.llm.factory import llm_from_settings

        llm = llm_from_settings(settings)  # only configures; nothing loads until it is asked
    learned = _learned_kind(embedder)

    def factory():
        from genai_analyzer.models.labels.labeller import EmbeddingLabeller, LLMLabeller
        from genai_analyzer.models.labels.learned import LearnedLabeller

        fallback = LearnedLabeller(embedder) if learned else EmbeddingLabeller(embedder)
        return LLMLabeller(llm, fallback) if llm is not None else fallback

    offline = learned or "embedding"
    kind = f"{llm.name}+{offline}" if llm is not None else offline
    return labeller_key(kind, embedder.model_name, taxonomy_text()), factory
