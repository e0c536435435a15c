"""Loopback HTTP servers for tests: a directory of files served on 127.0.0.1 at a free port."""

from __future__ import annotations

import functools
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


class StaticServer:
    """Serve `directory` over HTTP on 127.0.0.1 in a background thread."""

    def __init__(
        self, directory: Path | str, handler: type[SimpleHTTPRequestHandler] = _QuietHandler
    ) -> None:
        factory = functools.partial(handler, directory=str(directory))
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), factory)
        self.port = self.httpd.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
