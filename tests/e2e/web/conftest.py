"""The console over a seeded demo database: a live server (uvicorn in a thread) and one
chromium for the whole session (Debian's, driven by Playwright; never a downloaded browser)."""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from web_helpers import Demo

from yibao.api.app import create_app
from yibao.jobs.console_demo import seed_console_demo
from yibao.service.context import Context
from yibao.store.db import make_engine, upgrade

CHROMIUM = os.environ.get("YIBAO_CHROMIUM", "/usr/bin/chromium")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    path = tmp_path_factory.mktemp("web") / "demo.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    ctx = Context(engine)
    yield Demo(engine, ctx, seed_console_demo(ctx, persons=120))
    engine.dispose()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def live(demo: Demo) -> Iterator[Demo]:
    import uvicorn

    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(demo.engine), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    demo.url = f"http://127.0.0.1:{port}/ui"
    yield demo
    server.should_exit = True
    thread.join(10)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not shutil.which(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM}: chromium is not installed (.ci/run installs it)")
        pytest.skip(f"{CHROMIUM}: chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        yield b
        b.close()


@pytest.fixture
def page(browser: Any, live: Demo) -> Iterator[Any]:
    context = browser.new_context(locale="zh-CN")
    p = context.new_page()
    p.set_default_timeout(15_000)
    p.errors = []  # console errors and page exceptions, for the tests to assert on
    p.on("console", lambda m: p.errors.append(m.text) if m.type == "error" else None)
    p.on("pageerror", lambda e: p.errors.append(str(e)))
    yield p
    context.close()
