"""Crash: SIGKILL ``yibao serve`` in the middle of a load on PostgreSQL. After a restart every
acknowledged settlement is there exactly once, a resent claim gets the stored answer, nothing
half-written remains, and ``yibao ledger check`` passes."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest
from sqlalchemy import func, select
from svc_helpers import PG_URL, claim, identity, pg_engine, register_providers

from yibao.api.auth import create_key
from yibao.service import registration
from yibao.service.context import Context
from yibao.store import tables as t
from yibao.store.db import upgrade

CLIENTS = 4
PER_CLIENT = 60
KILL_AFTER = 25  # acknowledged settlements before the kill


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def server(env: dict[str, str], port: int) -> Iterator[subprocess.Popen[bytes]]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "yibao.cli", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        with httpx.Client() as c:  # wait until it answers (no timing assertion)
            for _ in range(600):
                try:
                    c.get(f"http://127.0.0.1:{port}/openapi.json", timeout=1)
                    break
                except httpx.TransportError:
                    threading.Event().wait(0.05)
        yield proc
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()


@pytest.mark.postgres
@pytest.mark.slow
def test_sigkill_mid_load(pg_schema: str) -> None:
    engine = pg_engine(pg_schema)
    upgrade(engine)
    ctx = Context(engine)
    register_providers(ctx)
    persons = [
        str(
            registration.register_person(
                ctx,
                {
                    "id_number": identity(),
                    "name": "孙七",
                    "region": "990100",
                    "account_balance": "800.00",
                    "enrollment": {
                        "scheme": "employee",
                        "type": "active",
                        "region": "990100",
                        "employer": "E1",
                        "wage": "9000.00",
                        "from": "2025-01-01",
                    },
                },
            )["person_id"]
        )
        for _ in range(CLIENTS)
    ]
    token = create_key(engine, "provider", "H1", provider_id="H1", region="990100")
    env = {**os.environ, "YIBAO_DATABASE_URL": PG_URL, "YIBAO_DATABASE_SCHEMA": pg_schema}
    port = free_port()
    url = f"http://127.0.0.1:{port}/claims/settle"
    headers = {"X-API-Key": token}
    acked: dict[str, dict[str, object]] = {}
    lock = threading.Lock()
    enough = threading.Event()

    def body(i: int, n: int) -> dict[str, object]:
        return {
            "person_id": persons[i],
            "claim": claim(f"K{i}-{n:03d}", total="1900.00", day="2025-04-01"),
        }

    def load(i: int) -> None:
        with httpx.Client(timeout=10) as c:
            for n in range(PER_CLIENT):
                try:
                    r = c.post(url, json=body(i, n), headers=headers)
                except httpx.TransportError:
                    return  # the server died under us: this claim is unacknowledged
                if r.status_code in (200, 201):
                    with lock:
                        acked[f"K{i}-{n:03d}"] = r.json()
                        if len(acked) >= KILL_AFTER:
                            enough.set()

    with server(env, port) as proc:
        threads = [threading.Thread(target=load, args=(i,)) for i in range(CLIENTS)]
        for th in threads:
            th.start()
        enough.wait(120)
        proc.send_signal(signal.SIGKILL)
        for th in threads:
            th.join()
    assert len(acked) >= KILL_AFTER

    with engine.connect() as c:
        stored = {r.claim_no: r for r in c.execute(select(t.settlements))}
        journals = c.execute(
            select(func.count()).select_from(t.journals).where(t.journals.c.kind == "settlement")
        ).scalar_one()
        orphans = c.execute(
            select(func.count())
            .select_from(t.postings)
            .where(t.postings.c.journal_id.not_in(select(t.journals.c.journal_id)))
        ).scalar_one()
    assert set(acked) <= set(stored)  # every acknowledged settlement is there, exactly once
    assert journals == len(stored) and orphans == 0  # nothing half-written

    port = free_port()
    url = f"http://127.0.0.1:{port}/claims/settle"
    with server(env, port), httpx.Client(timeout=10) as c:
        for no, answer in list(acked.items())[:10]:
            i, n = no[1:].split("-")
            r = c.post(url, json=body(int(i), int(n)), headers=headers)
            assert r.status_code == 200 and r.json() == answer  # stored answer, nothing posted
    with engine.connect() as c:
        assert c.execute(select(func.count()).select_from(t.settlements)).scalar_one() == len(
            stored
        )
    check = subprocess.run(
        [sys.executable, "-m", "yibao.cli", "ledger", "check"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert check.returncode == 0, check.stdout + check.stderr
    engine.dispose()
