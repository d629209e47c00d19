"""A backend that runs a causal language model in-process with Hugging Face transformers.

The model is a hub id or a local folder; a GGUF file inside that folder is named by ``gguf_file``
(transformers then needs the ``gguf`` package and de-quantizes the weights). Nothing is loaded until
the first ``chat``, so building the backend is free.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

from genai_analyzer.models.llm.base import LLM, LLMError, Message

# Base (non-instruct) models have no chat template; they get this transcript and stop being
# useful once they start writing the user's next turn, so the reply is cut there.
_TRANSCRIPT_ROLES = {"system": "System", "user": "User", "assistant": "Assistant"}
_NEXT_TURN_MARKERS = ("\nUser:", "\nSystem:")


class TransformersLLM(LLM):
    """Chat with a local transformers causal LM (optionally a GGUF file); loads on first use."""

    def __init__(
        self, model: str, *, gguf_file: str = "", device: str = "cpu", max_new_tokens_cap: int = 512
    ):
        if not model:
            raise LLMError("The transformers backend needs a model (GENAI_LLM_MODEL): a folder or hub id.")
        self.model_id, self.gguf_file = _split_gguf(model, gguf_file)
        self.device = device
        self.max_new_tokens_cap = max_new_tokens_cap
        self.name = f"transformers:{_basename(model)}"
        self._model = None
        self._tokenizer = None
        self._lock = threading.Lock()

    def _load(self):
        """The (tokenizer, model) pair, loaded once per instance even when called from many threads."""
        with self._lock:
            if self._model is None:
                self._tokenizer, self._model = self._load_uncached()
            return self._tokenizer, self._model

    def _load_uncached(self):
        """Load tokenizer and model; LLMError naming the model when that fails."""
        if _looks_like_path(self.model_id) and not Path(self.model_id).expanduser().exists():
            raise LLMError(f"The model folder {self.model_id!r} does not exist (GENAI_LLM_MODEL).")
        kwargs = {"gguf_file": self.gguf_file} if self.gguf_file else {}
        where = str(Path(self.model_id).expanduser()) if _looks_like_path(self.model_id) else self.model_id
        try:
            from transformers import AutoModelForCausalLM, AutoTokenizer

            tokenizer = AutoTokenizer.from_pretrained(where, **kwargs)
            model = AutoModelForCausalLM.from_pretrained(where, **kwargs)
            model.to(self.device)
            model.eval()
        except ImportError as exc:
            # the GGUF path needs the `gguf` package; transformers says so in an ImportError
            raise LLMError(
                f"Cannot load {self._label()}: {exc}. Install the missing package "
                "(for a GGUF file: `pip install gguf`)."
            ) from exc
        except Exception as exc:  # OSError, ValueError, hub errors...: one meaning for the user
            raise LLMError(
                f"Cannot load {self._label()}: {type(exc).__name__}: {str(exc).rstrip('.')}. "
                "Without network access a hub id only loads from the local cache; "
                "set GENAI_LLM_MODEL to a local folder "
                "(and GENAI_LLM_GGUF_FILE to a .gguf file in it)."
            ) from exc
        return tokenizer, model

    def _label(self) -> str:
        return f"the model {self.model_id!r}" + (f" (GGUF file {self.gguf_file!r})" if self.gguf_file else "")

    def chat(self, messages: list[Message], *, max_tokens: int = 256, temperature: float = 0.0) -> str:
        """Only the newly generated text, stripped; LLMError when loading or generating fails."""
        tokenizer, model = self._load()
        import torch  # after the load, so a bad model path fails without paying for this import

        templated = bool(getattr(tokenizer, "chat_template", None))
        prompt = _apply_template(tokenizer, messages) if templated else _transcript(messages)
        # a chat template writes its own BOS; the plain transcript needs the tokenizer's
        inputs = tokenizer(prompt, return_tensors="pt", add_special_tokens=not templated).to(self.device)
        options = {"max_new_tokens": max(1, min(max_tokens, self.max_new_tokens_cap))}
        if temperature > 0:
            options.update(do_sample=True, temperature=temperature)
        else:
            options.update(do_sample=False)
        if tokenizer.pad_token_id is None:
            options["pad_token_id"] = tokenizer.eos_token_id  # silences the open-end warning
        try:
            with torch.inference_mode():
                output = model.generate(**inputs, **options)
        except Exception as exc:  # generation failures (out of memory, bad config) all mean "no answer"
            raise LLMError(f"Generation with {self._label()} failed: {type(exc).__name__}: {exc}") from exc
        new_tokens = output[0][inputs["input_ids"].shape[1] :]
        text = tokenizer.decode(new_tokens, skip_special_tokens=True)
        return (text if templated else _cut_at_next_turn(text)).strip()


def _split_gguf(model: str, gguf_file: str) -> tuple[str, str]:
    """(folder or hub id, GGUF file name) from a model given as folder + file, or as a .gguf path."""
    if not gguf_file and model.lower().endswith(".gguf"):
        path = Path(model).expanduser()
        return str(path.parent), path.name
    if gguf_file and os.path.isabs(os.path.expanduser(gguf_file)):
        # an absolute GGUF path wins over the folder: transformers wants folder + file name
        path = Path(gguf_file).expanduser()
        return str(path.parent), path.name
    return model, gguf_file


def _basename(model: str) -> str:
    """The last part of a folder, file or hub id: ``google/gemma-3-270m`` -> ``gemma-3-270m``."""
    return os.path.basename(model.rstrip("/")) or model


def _looks_like_path(model: str) -> bool:
    """Whether ``model`` is meant as a local path rather than a hub id like ``org/name``."""
    return model.startswith(("/", ".", "~")) or os.path.exists(model)


def _apply_template(tokenizer, messages: list[Message]) -> str:
    """The prompt rendered by the tokenizer's chat template, ending with the assistant's turn."""
    try:
        return tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
    except Exception:
        # some templates (Gemma 2, Mistral) reject a system role: fold it into the first user turn
        return tokenizer.apply_chat_template(
            _fold_system(messages), tokenize=False, add_generation_prompt=True
        )


def _fold_system(messages: list[Message]) -> list[Message]:
    """``messages`` with the system messages prepended to the first user message."""
    system = "\n\n".join(m["content"] for m in messages if m["role"] == "system")
    rest = [dict(m) for m in messages if m["role"] != "system"]
    if system:
        first_user = next((m for m in rest if m["role"] == "user"), None)
        if first_user is None:
            rest.insert(0, {"role": "user", "content": system})
        else:
            first_user["content"] = f"{system}\n\n{first_user['content']}"
    return rest  # type: ignore[return-value]


def _transcript(messages: list[Message]) -> str:
    """A plain "System:/User:/Assistant:" transcript ending with an open assistant turn."""
    lines = [f"{_TRANSCRIPT_ROLES.get(m['role'], m['role'].title())}: {m['content']}" for m in messages]
    return "\n".join(lines) + "\nAssistant:"


def _cut_at_next_turn(text: str) -> str:
    """``text`` up to the first place a base model starts writing another speaker's turn."""
    cut = min((i for i in (text.find(m) for m in _NEXT_TURN_MARKERS) if i != -1), default=len(text))
    return text[:cut]
