"""A real chat-completions HTTP server on 127.0.0.1, standing in for a remote LLM server.

It implements the OpenAI-compatible wire protocol (POST /v1/chat/completions); the tests decide
what it answers. Nothing here reaches beyond 127.0.0.1.
"""

from __future__ import annotations

import contextlib
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


class FakeOpenAIServer(ThreadingHTTPServer):
    """Serves POST /v1/chat/completions; ``mode`` picks the answer, ``requests`` records bodies.

    ``reply`` is the assistant's text, or a function of the request body returning it.
    """

    daemon_threads = True  # a handler still sleeping in the timeout test must not block shutdown

    def __init__(self):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.mode = "ok"
        self.reply = "Hello from the test server."
        self.requests: list[dict] = []
        self.headers_seen: list[dict] = []
        self.release = threading.Event()  # lets a sleeping "slow" handler finish at teardown

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/v1"


class _Handler(BaseHTTPRequestHandler):
    server: FakeOpenAIServer

    def log_message(self, format, *args):  # keep pytest output clean
        pass

    def do_POST(self):
        length = int(self.headers.get("Content-Length", 0))
        raw = self.rfile.read(length)
        if self.path != "/v1/chat/completions":
            return self._send(404, b'{"error": "not found"}')
        self.server.requests.append(json.loads(raw))
        self.server.headers_seen.append(dict(self.headers))
        mode = self.server.mode
        if mode == "500":
            return self._send(500, b'{"error": {"message": "model crashed: out of memory"}}')
        if mode == "malformed":
            return self._send(200, b"<html>this is not json</html>")
        if mode == "no_choices":
            return self._send(200, b'{"id": "x", "choices": []}')
        if mode == "slow":
            self.server.release.wait(timeout=10)
        reply = self.server.reply
        content = reply(self.server.requests[-1]) if callable(reply) else reply
        body = {
            "id": "chatcmpl-test",
            "object": "chat.completion",
            "model": self.server.requests[-1].get("model"),
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": content},
                    "finish_reason": "stop",
                }
            ],
        }
        self._send(200, json.dumps(body).encode())

    def _send(self, status: int, payload: bytes):
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        # the client may have given up already (the timeout test)
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self.wfile.write(payload)


@pytest.fixture
def server():
    srv = FakeOpenAIServer()
    thread = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield srv
    srv.release.set()
    srv.shutdown()
    srv.server_close()
    thread.join(timeout=5)
