"""How `newsmon serve` starts: the listening socket it binds for several workers gives its connections
TCP_NODELAY, and the app loads the query analysers before its first request."""

from __future__ import annotations

import asyncio
import socket
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from newsmon.api import create_app
from newsmon.api.serving import listening_socket
from newsmon.text.russian import morph_analyzer
from tests.api.conftest import make_settings, migrated_repository


def test_the_first_search_does_not_wait_for_the_dictionaries(tmp_path: Path, sqlite_url: str) -> None:
    """The Russian dictionaries (80 ms to load) are loaded as the app starts, not by the first search."""
    migrated_repository(sqlite_url).dispose()
    morph_analyzer.cache_clear()
    app = create_app(make_settings(tmp_path, sqlite_url))
    assert not morph_analyzer.loaded
    with TestClient(app) as client:
        assert morph_analyzer.loaded
        assert client.get("/healthz").status_code == 200


async def _accepted_nodelay(sock: socket.socket) -> int:
    """TCP_NODELAY of the server side of one connection accepted by asyncio on `sock`."""
    accepted: asyncio.Future[int] = asyncio.get_running_loop().create_future()

    def connected(_reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        accepted.set_result(
            writer.get_extra_info("socket").getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
        )
        writer.close()

    server = await asyncio.start_server(connected, sock=sock)
    async with server:
        _reader, writer = await asyncio.open_connection(*sock.getsockname()[:2])
        nodelay = await asyncio.wait_for(accepted, timeout=10)
        writer.close()
    return nodelay


def test_connections_on_the_listening_socket_send_small_writes_at_once() -> None:
    sock = listening_socket("127.0.0.1", 0)
    assert sock.proto == socket.IPPROTO_TCP
    assert asyncio.run(_accepted_nodelay(sock)) == 1


def test_an_address_in_use_is_an_os_error() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        with pytest.raises(OSError):
            listening_socket("127.0.0.1", taken.getsockname()[1])
