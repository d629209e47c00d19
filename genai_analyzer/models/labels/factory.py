"""Choose the prompt labeller from settings: offline zero-shot by default, an LLM when asked."""

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


def make_labeller(settings: Settings, embedder):
    """(key, factory): the key names how labels are made, so a change invalidates old ones; the
    factory builds the labeller (loading models) only when called."""
    llm = None
    if settings.labeller == "llm":
        from genai_analyzer.models.llm.factory import llm_from_settings

        llm = llm_from_settings(settings)  # only configures; nothing loads until it is asked

    def factory():
        from genai_analyzer.models.labels.labeller import EmbeddingLabeller, LLMLabeller

        fallback = EmbeddingLabeller(embedder)
        return LLMLabeller(llm, fallback) if llm is not None else fallback

    kind = llm.name if llm is not None else "embedding"
    return labeller_key(kind, embedder.model_name, taxonomy_text()), factory
