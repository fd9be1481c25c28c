"""Real local servers for the external systems: moto (SQS, SES, S3) over HTTP, an SMTP
server (aiosmtpd), and an HTTP server standing in for the AMOP 2.0 API."""

from __future__ import annotations

import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _LocalHttpServer:
    """A ThreadingHTTPServer on a free 127.0.0.1 port, serving in a thread while entered."""

    def _serve(self, handler: type[BaseHTTPRequestHandler]) -> None:
        class Quiet(handler):
            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", free_port()), Quiet)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()


class AmopServer(_LocalHttpServer):
    """Records every POST (path, raw body bytes, the JSON, every header); can answer 500 a
    number of times, and answer slowly (``delay_seconds``: AMOP slow to answer)."""

    def __init__(self, failures: int = 0, delay_seconds: float = 0):
        self.requests: list[dict] = []
        self.failures = failures
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's name)
                length = int(self.headers.get("Content-Length", 0))
                raw = self.rfile.read(length)
                time.sleep(delay_seconds)
                body = json.loads(raw or b"null")
                if server.failures > 0:
                    server.failures -= 1
                    self.send_response(500)
                    self.end_headers()
                    return
                server.requests.append({"path": self.path, "body": body, "raw": raw,
                                        "headers": dict(self.headers.items()),
                                        "api_key": self.headers.get("x-api-key")})
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(b'{"ok": true}')

        self._serve(Handler)


class SmtpServer:
    """An aiosmtpd server on 127.0.0.1 keeping every message it receives."""

    def __init__(self):
        from aiosmtpd.controller import Controller

        self.messages: list = []
        outer = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):  # noqa: N802
                import email
                from email import policy

                outer.messages.append(email.message_from_bytes(envelope.content,
                                                               policy=policy.default))
                return "250 OK"

        self.port = free_port()
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)

    def __enter__(self):
        self.controller.start()
        return self

    def __exit__(self, *exc):
        self.controller.stop()


class AnswerLosingProxy(_LocalHttpServer):
    """An HTTP endpoint in front of another (moto): it forwards each request and then
    drops the connection without answering — the queue took the message, the sender never
    hears so (a lost answer: what a read timeout or a cut connection looks like)."""

    def __init__(self, target: str):
        import urllib.request

        self.forwarded = 0
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                headers = {k: v for k, v in self.headers.items()
                           if k.lower() not in ("host", "content-length")}
                with urllib.request.urlopen(urllib.request.Request(
                        target + self.path, data=raw, headers=headers, method="POST")):
                    proxy.forwarded += 1
                self.close_connection = True  # no status line: the answer is lost

        self._serve(Handler)
