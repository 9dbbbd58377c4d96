"""Real-time settlement against PostgreSQL: pgbench TPC-B as the database's ceiling, then
yibao's settlement with the same number of clients through the library and through HTTP.

Run: ``python -m bench.bench_service`` (PostgreSQL from ``BENCH_PG_URL``, default the test
database on 127.0.0.1). Each client settles claims for persons of its own, so the figure is
the service's throughput, not one person's lock queue. Not a test: nothing is asserted.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

import httpx
from sqlalchemy import create_engine, text

from yibao.api.auth import create_key
from yibao.enroll.idcard import check_character
from yibao.service import providers, registration, settlement
from yibao.service.context import Context
from yibao.store.db import make_engine, upgrade

PG_URL = os.environ.get("BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
CLIENTS = int(os.environ.get("BENCH_CLIENTS", "4"))
SECONDS = float(os.environ.get("BENCH_SECONDS", "10"))
PERSONS_PER_CLIENT = 50


def _pg_args() -> list[str]:
    m = re.match(r".*://(\w+)@([\w.]+):(\d+)/(\w+)", PG_URL)
    assert m, PG_URL
    user, host, port, db = m.groups()
    return ["-h", host, "-p", port, "-U", user, db]


def pgbench() -> dict[str, Any]:
    args = _pg_args()
    subprocess.run(["pgbench", "-i", "-s", "1", "-q", *args], check=True, capture_output=True)
    out = subprocess.run(
        ["pgbench", "-c", str(CLIENTS), "-j", str(CLIENTS), "-T", str(int(SECONDS)), "-r", *args],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    tps = float(re.search(r"tps = ([\d.]+)", out).group(1))  # type: ignore[union-attr]
    lat = re.search(r"latency average = ([\d.]+) ms", out)
    return {"tps": round(tps, 1), "latency_avg_ms": float(lat.group(1)) if lat else None}


def _providers(ctx: Context) -> None:
    providers.register_provider(
        ctx,
        {"provider_id": "H1", "name": "测试医院", "level": "L2", "region": "990100"},
    )


def _setup(ctx: Context) -> list[list[str]]:
    persons: list[list[str]] = []
    n = 0
    for _ in range(CLIENTS):
        mine = []
        for _ in range(PERSONS_PER_CLIENT):
            n += 1
            first = f"9901011970{1 + n % 12:02d}{1 + n % 28:02d}{n % 1000:03d}"
            body = {
                "id_number": first + check_character(first),
                "name": "测试",
                "region": "990100",
                "account_balance": "100000.00",
                "enrollment": {
                    "scheme": "employee",
                    "type": "active",
                    "region": "990100",
                    "employer": "E1",
                    "wage": "9000.00",
                    "from": "2025-01-01",
                },
            }
            mine.append(str(registration.register_person(ctx, body)["person_id"]))
        persons.append(mine)
    return persons


def _claim(person: str, no: str) -> dict[str, Any]:
    return {
        "person_id": person,
        "claim": {
            "id": no,
            "provider": "H1",
            "level": "L2",
            "visit": "outpatient_general",
            "date": "2025-05-10",
            "presplit": {"total": "350.00", "full_selfpay": "20.00"},
        },
    }


def _drive(
    send: Callable[[int, dict[str, Any]], None], persons: list[list[str]], tag: str
) -> dict[str, Any]:
    latencies: list[list[float]] = [[] for _ in range(CLIENTS)]
    stop = time.perf_counter() + SECONDS

    def client(i: int) -> None:
        k = 0
        while time.perf_counter() < stop:
            body = _claim(persons[i][k % PERSONS_PER_CLIENT], f"{tag}-{i}-{k}")
            t0 = time.perf_counter()
            send(i, body)
            latencies[i].append(time.perf_counter() - t0)
            k += 1

    start = time.perf_counter()
    threads = [threading.Thread(target=client, args=(i,)) for i in range(CLIENTS)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    elapsed = time.perf_counter() - start
    lat = sorted(x for xs in latencies for x in xs)
    return {
        "settlements": len(lat),
        "per_second": round(len(lat) / elapsed, 1),
        "p50_ms": round(lat[len(lat) // 2] * 1000, 2),
        "p99_ms": round(lat[int(len(lat) * 0.99)] * 1000, 2),
    }


def _library_worker(i: int, schema: str, persons: list[str], start_at: float, out: Any) -> None:
    """One client process: its own engine and connection, settling through the library."""
    engine = make_engine(PG_URL, schema=schema, pool_size=1)
    ctx = Context(engine)
    settlement.settle_claim(ctx, settlement.read_settle_request(_claim(persons[0], f"w-{i}")))
    while time.time() < start_at:
        time.sleep(0.001)
    stop, k, lat = start_at + SECONDS, 0, []
    while time.time() < stop:
        body = _claim(persons[k % len(persons)], f"L-{i}-{k}")
        t0 = time.perf_counter()
        settlement.settle_claim(ctx, settlement.read_settle_request(body))
        lat.append(time.perf_counter() - t0)
        k += 1
    out.put(lat)
    engine.dispose()


def _library_processes(schema: str, persons: list[list[str]]) -> dict[str, Any]:
    """Clients as processes: the Python work of settling runs on every core (no GIL)."""
    mp = multiprocessing.get_context("spawn")
    queue = mp.Queue()
    start_at = time.time() + 5  # time for the processes to start and warm up
    procs = [
        mp.Process(target=_library_worker, args=(i, schema, persons[i], start_at, queue))
        for i in range(CLIENTS)
    ]
    for p in procs:
        p.start()
    lat = sorted(x for _ in procs for x in queue.get())
    for p in procs:
        p.join()
    return {
        "settlements": len(lat),
        "per_second": round(len(lat) / SECONDS, 1),
        "p50_ms": round(lat[len(lat) // 2] * 1000, 2),
        "p99_ms": round(lat[int(len(lat) * 0.99)] * 1000, 2),
        "clients_as": "processes",
    }


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def main() -> dict[str, Any]:
    result: dict[str, Any] = {"clients": CLIENTS, "seconds": SECONDS, "pgbench": pgbench()}
    schema = f"yb_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_URL)
    with admin.begin() as c:
        c.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        engine = make_engine(PG_URL, schema=schema, pool_size=CLIENTS + 2)
        upgrade(engine)
        ctx = Context(engine)
        _providers(ctx)
        persons = _setup(ctx)

        def library(_: int, body: dict[str, Any]) -> None:
            settlement.settle_claim(ctx, settlement.read_settle_request(body))

        library(0, _claim(persons[0][0], "warm-up"))
        result["library_threads"] = _drive(library, persons, "T")
        result["library_threads"]["clients_as"] = "threads (one process, one GIL)"
        result["library"] = _library_processes(schema, persons)

        token = create_key(engine, "admin", "bench")
        port = _free_port()
        env = {**os.environ, "YIBAO_DATABASE_URL": PG_URL, "YIBAO_DATABASE_SCHEMA": schema}
        workers = os.environ.get("BENCH_HTTP_WORKERS", "2")
        proc = subprocess.Popen(
            [sys.executable, "-m", "yibao.cli", "serve", "--port", str(port), "--workers", workers],
            env=env,
        )
        try:
            clients = [
                httpx.Client(
                    base_url=f"http://127.0.0.1:{port}", headers={"X-API-Key": token}, timeout=30
                )
                for _ in range(CLIENTS)
            ]
            for _ in range(300):
                try:
                    clients[0].get("/openapi.json")
                    break
                except httpx.TransportError:
                    time.sleep(0.1)

            def http(i: int, body: dict[str, Any]) -> None:
                r = clients[i].post("/claims/settle", json=body)
                if r.status_code not in (200, 201):
                    raise RuntimeError(r.text)

            http(0, _claim(persons[0][0], "warm-up-http"))
            result["http"] = _drive(http, persons, "H")
            result["http"]["workers"] = int(workers)
        finally:
            proc.send_signal(signal.SIGTERM)
            proc.wait(30)
        tps = result["pgbench"]["tps"]
        result["library"]["ratio_to_pgbench"] = round(result["library"]["per_second"] / tps, 3)
        result["library_threads"]["ratio_to_pgbench"] = round(
            result["library_threads"]["per_second"] / tps, 3
        )
        result["http"]["ratio_to_pgbench"] = round(result["http"]["per_second"] / tps, 3)
        engine.dispose()
    finally:
        with admin.begin() as c:
            c.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
    return result


if __name__ == "__main__":
    print(json.dumps(main(), indent=2))
