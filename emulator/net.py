"""The listening socket, bound before the app is built so the URLs it hands out carry the port."""

from __future__ import annotations

import socket

BACKLOG = 2048  # uvicorn's default


def listen_socket(host: str, port: int) -> socket.socket:
    """Bind `host:port` now (port 0: a free one) and keep it bound until uvicorn serves on it, so
    no other process can take the port in between."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP explicitly: asyncio turns on TCP_NODELAY for accepted connections only when the
    # listening socket says TCP; with proto 0 every keep-alive reply waits ~40 ms on Nagle.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
        # listen at once: a socket only bound leaves the port to anyone else binding with
        # SO_REUSEADDR, and uvloop's later listen() would then fail without a word
        sock.listen(BACKLOG)
    except BaseException:
        sock.close()
        raise
    return sock
