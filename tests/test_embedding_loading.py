"""The embedding model is loaded once per process, however many threads reach for it first."""

from __future__ import annotations

import threading
import time

import pytest

import genai_analyzer.models.embeddings as embeddings
from genai_analyzer.analysis.search import query_embedder


def test_the_embedding_model_loads_once_when_two_threads_ask_at_once(wh, monkeypatch):
    """The copilot's warm-up thread and a first question can reach for the model together; the
    second thread saw transformers half imported ("cannot import name 'AutoTokenizer'")."""
    embedder = query_embedder(wh)
    if not embedder.backend.startswith("onnx"):
        pytest.skip(f"the embedder here runs {embedder.backend}, not ONNX")
    made = []

    class SlowToLoad(embeddings.OnnxEncoder):
        def __init__(self, *args, **kwargs):
            made.append(threading.current_thread().name)
            time.sleep(0.3)  # as a first import of transformers takes seconds
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(embeddings, "OnnxEncoder", SlowToLoad)
    embedder._onnx = None  # as a fresh process has it
    got = []
    threads = [
        threading.Thread(target=lambda: got.append(embedder.embed(["a castle at dusk"]))) for _ in range(2)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(got) == 2 and len(made) == 1
