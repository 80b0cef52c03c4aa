"""Single-user mode behind a reverse proxy: every request arrives from 127.0.0.1, yet the proxy's
forwarded headers make the visitor a viewer, who sees that sign-in is needed and cannot import.

A real local reverse proxy in front of a real Streamlit server: a small TCP proxy that, like nginx's
``proxy_set_header X-Forwarded-For``, adds the header to the request head of each connection (the
WebSocket upgrade included) and then passes the bytes through both ways."""

from __future__ import annotations

import socket
import threading
from contextlib import contextmanager

import pytest
from browser_support import ARTIFACTS, CHROMIUM, SKIP_REASON, chromium, free_port, open_page, screenshot, streamlit_server

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason=SKIP_REASON)


def _pipe(source: socket.socket, target: socket.socket) -> None:
    try:
        while chunk := source.recv(65536):
            target.sendall(chunk)
    except OSError:
        pass
    finally:
        for s in (source, target):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def _serve(client: socket.socket, upstream_port: int) -> None:
    head = b""
    while b"\r\n\r\n" not in head:
        chunk = client.recv(65536)
        if not chunk:
            client.close()
            return
        head += chunk
    first, rest = head.split(b"\r\n", 1)
    upstream = socket.create_connection(("127.0.0.1", upstream_port))
    upstream.sendall(first + b"\r\nX-Forwarded-For: 203.0.113.7\r\nX-Forwarded-Proto: http\r\n" + rest)
    threading.Thread(target=_pipe, args=(upstream, client), daemon=True).start()
    _pipe(client, upstream)


@contextmanager
def reverse_proxy(upstream: str):
    """A reverse proxy on a free local port in front of ``upstream`` (http://127.0.0.1:PORT); yields its URL."""
    upstream_port = int(upstream.rsplit(":", 1)[1])
    listener = socket.create_server(("127.0.0.1", free_port()))
    port = listener.getsockname()[1]

    def accept() -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            threading.Thread(target=_serve, args=(client, upstream_port), daemon=True).start()

    threading.Thread(target=accept, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        listener.close()


def test_a_visitor_through_a_reverse_proxy_only_views_and_is_told_to_sign_in(tmp_path):
    from kam_metrics.demo.generator import build_demo_database

    db = tmp_path / "demo.duckdb"
    build_demo_database(db)
    with streamlit_server(db, "streamlit_proxy.log") as base, reverse_proxy(base) as proxied, chromium() as browser:
        direct = open_page(browser, base + "/import?lang=en")
        assert direct.get_by_text("Choose a file").first.is_visible()  # this computer's user may import
        direct.close()
        page = open_page(browser, proxied + "/import?lang=en")
        page.get_by_text("through a reverse proxy may only view").first.wait_for(timeout=60_000)
        assert page.get_by_text("Sign-in is needed to change data").first.is_visible()
        assert page.get_by_text("importing and undoing need the editor role").first.is_visible()
        assert page.get_by_text("Choose a file").count() == 0
        screenshot(page, ARTIFACTS / "proxy_viewer_en.png")
