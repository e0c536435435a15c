"""Running the app under uvicorn, with a listening socket whose connections send small writes at once.

uvicorn writes a response's head and its body as two separate writes. For `--workers` above 1 it binds the
listening socket itself without naming the TCP protocol, so asyncio does not turn Nagle's algorithm off on
the connections it accepts: on every keep-alive request after the first, the body then waits for the
client's delayed ACK of the head, about 40 ms on Linux, whatever the request costs (uvicorn issue #3149).
Binding the socket here with IPPROTO_TCP gives every worker's connections TCP_NODELAY.
"""

from __future__ import annotations

import logging
import socket

APP = "newsmon.api:create_app"

logger = logging.getLogger(__name__)


class ServeError(RuntimeError):
    """The server cannot start: the message says why (for instance, the port is taken)."""


def listening_socket(host: str, port: int) -> socket.socket:
    """A bound TCP socket (IPPROTO_TCP, so accepted connections get TCP_NODELAY), for worker processes."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    sock.set_inheritable(True)
    return sock


def run_server(host: str, port: int, workers: int, log_level: str) -> None:
    """Serve the app until interrupted; ServeError when the address cannot be bound."""
    import uvicorn
    from uvicorn.supervisors import Multiprocess

    if workers == 1:
        # asyncio binds this listener itself, with the protocol set: no workaround needed.
        uvicorn.run(APP, factory=True, host=host, port=port, log_level=log_level)
        return
    config = uvicorn.Config(APP, factory=True, host=host, port=port, workers=workers, log_level=log_level)
    try:
        sock = listening_socket(host, port)
    except OSError as exc:
        raise ServeError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    logger.info("Serving on %s:%d with %d worker processes", host, sock.getsockname()[1], workers)
    try:
        Multiprocess(config, sockets=[sock]).run()
    finally:
        sock.close()
