"""A real HTTP server speaking the OpenAI chat-completions API on 127.0.0.1,
replaying scripted answers: the LLM agent is tested through the real
`openai` client and a real socket, with no network beyond loopback."""
from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def reply(content: str) -> dict:
    """A scripted answer: the assistant's message text."""
    return {"content": content}


def candidates(*codes: str) -> dict:
    return reply(json.dumps({"candidates": [{"code": c, "rationale": "stub"} for c in codes]}))


def status(code: int) -> dict:
    return {"status": code}


def sleep(seconds: float) -> dict:
    return {"sleep": seconds}


def raw(body: str) -> dict:
    """A 200 response whose body is `body` as is (not a completion, maybe not JSON)."""
    return {"raw": body}


def hang() -> dict:
    """Never answer (until the server shuts down)."""
    return {"hang": True}


class StubServer:
    """Serve `script` in order (the last entry repeats when it runs out)."""

    def __init__(self, script: list[dict]):
        self.script = list(script)
        self.requests: list[dict] = []
        self.headers: list[dict] = []
        self.stopping = threading.Event()   # releases requests that hang
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:  # keep test output clean
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                body = json.loads(self.rfile.read(length) or b"{}")
                stub.requests.append(body)
                stub.headers.append({k.lower(): v for k, v in self.headers.items()})
                step = stub.script.pop(0) if len(stub.script) > 1 else stub.script[0]
                if "hang" in step:
                    stub.stopping.wait()
                    return
                if "raw" in step:
                    self._send_bytes(200, step["raw"].encode())
                    return
                if "sleep" in step:
                    time.sleep(step["sleep"])
                    step = {"content": "{}"}
                if "status" in step:
                    self._send(step["status"], {"error": {"message": "scripted failure",
                                                          "type": "server_error"}})
                    return
                self._send(200, {
                    "id": "chatcmpl-stub", "object": "chat.completion", "created": 0,
                    "model": body.get("model", "stub"),
                    "choices": [{"index": 0, "finish_reason": "stop",
                                 "message": {"role": "assistant", "content": step["content"]}}],
                    "usage": {"prompt_tokens": 100, "completion_tokens": 50,
                              "total_tokens": 150}})

            def _send(self, code: int, payload: dict) -> None:
                self._send_bytes(code, json.dumps(payload).encode())

            def _send_bytes(self, code: int, data: bytes) -> None:
                try:
                    self.send_response(code)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timeout test)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/v1"

    def __enter__(self) -> "StubServer":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stopping.set()
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)

    def user_prompts(self) -> list[str]:
        return [m["content"] for r in self.requests for m in r.get("messages", [])
                if m.get("role") == "user"]
