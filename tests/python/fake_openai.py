"""A scripted OpenAI-compatible server on 127.0.0.1 (port 0) for the LLM and embedder tests.

``/v1/chat/completions``: ``script(request, call_number)`` decides each reply, a ``Reply``
with status, body, headers and an optional delay. ``/v1/embeddings``: deterministic vectors of
``embedding_dim`` floats derived from each input's text (:func:`fake_vector`), so equal texts
get equal vectors and the same run always gets the same ones; ``embedding_script`` can
override replies (errors, delays). Every request body is recorded in ``server.requests``, its
path in ``server.paths``.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


def completion(content: str, *, prompt_tokens: int = 10, completion_tokens: int = 5, model: str = "judge") -> Reply:
    body = {
        "id": "chatcmpl-test",
        "object": "chat.completion",
        "created": 1700000000,
        "model": model,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}],
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
        },
    }
    return Reply(200, json.dumps(body).encode())


def error(status: int, message: str = "error", headers: dict[str, str] | None = None) -> Reply:
    body = json.dumps({"error": {"message": message, "type": "test", "code": status}}).encode()
    return Reply(status, body, headers or {})


def fake_vector(text: str, dim: int) -> list[float]:
    """A deterministic vector for a text: bytes of SHA-256 chained over the text, centred."""
    out: list[float] = []
    block = text.encode()
    while len(out) < dim:
        block = hashlib.sha256(block).digest()
        out.extend((b - 127.5) / 127.5 for b in block)
    return out[:dim]


def embeddings(request: dict[str, Any], dim: int) -> Reply:
    inputs = request.get("input")
    if isinstance(inputs, str):
        inputs = [inputs]
    if not isinstance(inputs, list) or not inputs or not all(isinstance(t, str) for t in inputs):
        return error(400, "input must be a string or a non-empty list of strings")
    # Reversed on purpose: clients must order rows by "index", not by position.
    data = [{"object": "embedding", "index": i, "embedding": fake_vector(t, dim)} for i, t in enumerate(inputs)]
    tokens = sum(len(t.split()) for t in inputs)
    body = {
        "object": "list",
        "data": data[::-1],
        "model": request.get("model", ""),
        "usage": {"prompt_tokens": tokens, "total_tokens": tokens},
    }
    return Reply(200, json.dumps(body).encode())


Script = Callable[[dict[str, Any], int], Reply]


def _no_chat(request: dict[str, Any], number: int) -> Reply:
    return error(404, "this fake server was started without a chat script")


class FakeOpenAI:
    def __init__(
        self,
        script: Script = _no_chat,
        *,
        embedding_dim: int = 8,
        embedding_script: Script | None = None,
    ) -> None:
        self.script = script
        self.embedding_dim = embedding_dim
        self.embedding_script = embedding_script
        self.requests: list[dict[str, Any]] = []
        self.paths: list[str] = []
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:  # keep test output clean
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                request = json.loads(self.rfile.read(length) or b"{}")
                with server._lock:
                    server.requests.append(request)
                    server.paths.append(self.path)
                    number = len(server.requests)
                if self.path.endswith("/chat/completions"):
                    reply = server.script(request, number)
                elif self.path.endswith("/embeddings"):
                    custom = server.embedding_script
                    reply = custom(request, number) if custom else embeddings(request, server.embedding_dim)
                else:
                    reply = error(404, f"no route {self.path}")
                if reply.delay:
                    time.sleep(reply.delay)
                try:
                    self.send_response(reply.status)
                    self.send_header("content-type", "application/json")
                    self.send_header("content-length", str(len(reply.body)))
                    for key, value in reply.headers.items():
                        self.send_header(key, value)
                    self.end_headers()
                    self.wfile.write(reply.body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timeout test)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/v1"

    @property
    def calls(self) -> int:
        with self._lock:
            return len(self.requests)

    def __enter__(self) -> FakeOpenAI:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


def judge_script(request: dict[str, Any], number: int) -> Reply:
    """Scripted judgements keyed on the prompt: 429 first, 500 second, then answers."""
    if number == 1:
        return error(429, "slow down", {"retry-after": "0"})
    if number == 2:
        return error(500, "boom")
    system = request["messages"][0]["content"]
    user = request["messages"][-1]["content"]
    if "unparseable" in user:
        return completion("I would rather not say.")
    if "self-contained factual claims" in system:  # faithfulness
        claims = [{"claim": "a", "supported": True}, {"claim": "b", "supported": False}]
        return completion(json.dumps({"claims": claims}))
    if "directly an answer" in system:  # answer relevancy
        return completion('```json\n{"score": 4, "reason": "mostly"}\n```')
    if "retrieved passages" in system:  # context precision
        return completion(json.dumps({"verdicts": [0, 1]}))
    claims = [{"claim": c, "attributed": c != "z"} for c in ("x", "y", "z")]  # context recall
    return completion(json.dumps({"claims": claims}), prompt_tokens=20, completion_tokens=7)
