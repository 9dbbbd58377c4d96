"""Serving the API with uvicorn: worker processes and TCP_NODELAY on every connection.

With ``--workers`` above 1 uvicorn binds the listening socket itself (protocol number 0),
and asyncio then leaves Nagle's algorithm on for the accepted connections: a response
written as headers then body waits for the client's delayed ACK, ~40 ms a request. The
protocol below turns Nagle off for each connection, whatever the number of workers.
"""

from __future__ import annotations

import asyncio
import socket

from uvicorn.protocols.http.h11_impl import H11Protocol


class NoDelayH11Protocol(H11Protocol):
    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        sock = transport.get_extra_info("socket")
        if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        super().connection_made(transport)


def serve(host: str, port: int, workers: int) -> None:
    """The API over ``YIBAO_DATABASE_URL``: one app (and one engine) per worker process."""
    import uvicorn

    uvicorn.run(
        "yibao.api.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        http="yibao.api.server:NoDelayH11Protocol",
        log_level="warning",
        access_log=False,
    )
