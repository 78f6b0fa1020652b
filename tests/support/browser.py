"""Headless Chromium for the tests: the system browser, no downloads, no internet."""

from __future__ import annotations

import contextlib
import functools
import http.server
import os
import shutil
import threading
from pathlib import Path
from typing import Iterator

CHROMIUM = os.environ.get("MLBOOK_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--no-first-run", "--disable-component-update", "--disable-sync"]


def chromium_path() -> str:
    """The system Chromium (Debian's `chromium`); never a browser that playwright downloads."""
    path = CHROMIUM if os.path.exists(CHROMIUM) else shutil.which("chromium")
    if not path:
        raise RuntimeError(
            "找不到 Chromium (Chromium not found): install it with `apt-get install chromium` "
            "(scripts/setup.sh does this when run as root), or set MLBOOK_CHROMIUM"
        )
    return path


@contextlib.contextmanager
def launch() -> Iterator["playwright.sync_api.Browser"]:  # noqa: F821
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


class _QuietServer(http.server.ThreadingHTTPServer):
    def handle_error(self, request, client_address) -> None:
        # A page closed while a file was still being sent: nothing went wrong with the book.
        import sys

        if not isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            super().handle_error(request, client_address)


@contextlib.contextmanager
def serve(directory: Path) -> Iterator[str]:
    """Serve a folder on 127.0.0.1 (a free port); yields the base URL."""
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = _QuietServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def block_external(page, allowed_prefixes: tuple[str, ...]) -> list[str]:
    """Abort every request that is not local; returns the list the blocked URLs are added to."""
    blocked: list[str] = []

    def route(r):
        url = r.request.url
        if url.startswith(allowed_prefixes + ("data:", "blob:", "about:")):
            r.continue_()
        else:
            blocked.append(url)
            r.abort()

    page.route("**/*", route)
    return blocked
