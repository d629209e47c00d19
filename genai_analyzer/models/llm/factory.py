"""Build the LLM backend the settings ask for, without loading any model yet."""

from __future__ import annotations

from genai_analyzer.core.errors import SettingsError
from genai_analyzer.core.settings import Settings
from genai_analyzer.models.llm.base import LLM
from genai_analyzer.models.llm.mlx_backend import MLXLLM
from genai_analyzer.models.llm.openai_compat import OpenAICompatibleLLM
from genai_analyzer.models.llm.transformers_local import TransformersLLM

_MODEL_EXAMPLES = {
    "openai": "a model the server serves, e.g. 'qwen2.5:3b' for Ollama or 'gpt-4o-mini' for OpenAI",
    "transformers": "a local model folder or hub id, e.g. a folder holding a .gguf file",
    "mlx": "an MLX model folder or hub id, e.g. 'mlx-community/Qwen2.5-3B-Instruct-4bit'",
}


def llm_from_settings(settings: Settings) -> LLM | None:
    """The backend for ``settings.llm_backend``, or None when it is "none" (the offline default).

    Raises SettingsError when the backend is unknown, or needs ``llm_model`` and it is empty.
    Models load lazily on the first ``chat``, so this is cheap and touches no network.
    """
    backend = (settings.llm_backend or "none").strip().lower()
    if backend == "none":
        return None
    if backend not in _MODEL_EXAMPLES:
        raise SettingsError(
            f"GENAI_LLM_BACKEND={settings.llm_backend!r} is not one of none, openai, transformers, mlx."
        )
    model = (settings.llm_model or "").strip()
    if not model:
        raise SettingsError(f"GENAI_LLM_BACKEND={backend} needs GENAI_LLM_MODEL: {_MODEL_EXAMPLES[backend]}.")
    if backend == "openai":
        if not settings.llm_base_url:
            raise SettingsError(
                "GENAI_LLM_BACKEND=openai needs GENAI_LLM_BASE_URL, e.g. http://127.0.0.1:11434/v1"
            )
        return OpenAICompatibleLLM(settings.llm_base_url, model, api_key=settings.llm_api_key)
    if backend == "transformers":
        return TransformersLLM(model, gguf_file=settings.llm_gguf_file)
    return MLXLLM(model)
