"""A backend for Apple silicon: mlx-lm runs the model on the Mac's GPU through MLX.

``mlx_lm`` is an optional extra and is imported on first use only, so this module imports anywhere.
On Linux the ``mlx-lm[cpu]`` extra runs on the CPU (slowly); the transformers backend is the usual
choice there.
"""

from __future__ import annotations

import threading

from genai_analyzer.models.llm.base import LLM, LLMError, Message

_INSTALL_HINT = (
    'pip install "genai-session-analyzer[mlx]" (Apple silicon), or on Linux pip install "mlx-lm[cpu]"'
)


class MLXLLM(LLM):
    """Chat with an mlx-lm model (a hub id such as ``mlx-community/...`` or a local folder)."""

    def __init__(self, model: str):
        if not model:
            raise LLMError("The mlx backend needs a model (GENAI_LLM_MODEL): a folder or hub id.")
        self.model = model
        self.name = f"mlx:{model.rstrip('/').rsplit('/', 1)[-1]}"
        self._loaded = None
        self._lock = threading.Lock()

    def _load(self):
        """The (model, tokenizer) pair from ``mlx_lm.load``, loaded once per instance."""
        try:
            import mlx_lm
        except ImportError as exc:
            raise LLMError(f"The mlx backend needs the mlx-lm package: {_INSTALL_HINT}.") from exc
        with self._lock:
            if self._loaded is None:
                try:
                    self._loaded = mlx_lm.load(self.model)
                except Exception as exc:  # file, hub and format errors: one meaning for the user
                    raise LLMError(
                        f"Cannot load the mlx model {self.model!r}: {type(exc).__name__}: {exc}. "
                        "Set GENAI_LLM_MODEL to a local folder holding an MLX model."
                    ) from exc
            return self._loaded

    def chat(self, messages: list[Message], *, max_tokens: int = 256, temperature: float = 0.0) -> str:
        """The generated reply text, stripped; LLMError when mlx-lm is missing or generation fails."""
        model, tokenizer = self._load()
        import mlx_lm
        from mlx_lm.sample_utils import make_sampler

        if getattr(tokenizer, "chat_template", None):
            prompt = tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
        else:
            prompt = "\n".join(f"{m['role'].title()}: {m['content']}" for m in messages) + "\nAssistant:"
        try:
            text = mlx_lm.generate(
                model,
                tokenizer,
                prompt=prompt,
                max_tokens=max_tokens,
                sampler=make_sampler(temp=temperature),  # temp 0 is greedy (argmax)
                verbose=False,
            )
        except Exception as exc:
            raise LLMError(f"Generation with the mlx model {self.model!r} failed: {exc}") from exc
        return text.strip()
