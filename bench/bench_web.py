"""Server time of the console's heaviest pages: the person page and the fund dashboard.

A demo province (``BENCH_WEB_BASE`` persons, default 300) is loaded through the use cases
(:func:`yibao.jobs.console_demo.seed_console_demo`), then replicated in the database until it
holds ``BENCH_WEB_PERSONS`` persons (default 100,000; about 4.8 settlements each, so about
480,000 settlements): every person-scoped row (person, enrollment, accumulators,
settlements, their journals and postings) copied with the person's id suffixed. Then
``BENCH_WEB_REQUESTS`` requests (default 200) per page, through the ASGI app in-process
(routing, authorisation, the use cases' queries, template rendering; no network), on SQLite
and, when ``BENCH_PG_URL`` answers, PostgreSQL (``BENCH_WEB_DATABASES`` picks either). Prints p50 and p95 in milliseconds.

Run: ``BENCH_ONLY=web python -m bench`` (or ``python -m bench.bench_web``). Not a test.
"""

from __future__ import annotations

import os
import random
import statistics
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, insert, select, text

from yibao.jobs.console_demo import DEMO_PASSWORD, seed_console_demo
from yibao.service.context import Context
from yibao.store import tables as t
from yibao.store.db import make_engine, upgrade

BASE = int(os.environ.get("BENCH_WEB_BASE", "300"))
PERSONS = int(os.environ.get("BENCH_WEB_PERSONS", "100000"))
REQUESTS = int(os.environ.get("BENCH_WEB_REQUESTS", "200"))
PG_URL = os.environ.get("BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
CHUNK = 5_000
DATABASES = os.environ.get("BENCH_WEB_DATABASES", "sqlite,postgresql").split(",")


def _rows(engine: Engine, table: Any) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(select(table))]


def _copy(k: int, base: dict[str, list[dict[str, Any]]], pids: set[str]) -> dict[str, list]:
    """Copy ``k`` of every person-scoped row; ids suffixed ``~k``."""

    def pid(x: str) -> str:
        return f"{x}~{k}"

    out: dict[str, list[dict[str, Any]]] = {}
    out["persons"] = [
        r | {"person_id": pid(r["person_id"]), "id_number": f"{k:07d}{i:07d}0000"}
        for i, r in enumerate(base["persons"])
    ]
    out["enrollments"] = [
        {k2: v for k2, v in r.items() if k2 != "enrollment_id"} | {"person_id": pid(r["person_id"])}
        for r in base["enrollments"]
    ]
    out["accumulators"] = [r | {"person_id": pid(r["person_id"])} for r in base["accumulators"]]
    out["journals"] = [
        r | {"journal_id": pid(r["journal_id"]), "ref": pid(r["ref"])} for r in base["journals"]
    ]
    out["postings"] = [
        {k2: v for k2, v in r.items() if k2 != "posting_id"}
        | {
            "journal_id": pid(r["journal_id"]),
            "sub": pid(r["sub"]) if r["sub"] in pids else r["sub"],
        }
        for r in base["postings"]
    ]
    out["settlements"] = [
        {k2: v for k2, v in r.items() if k2 != "settlement_id"}
        | {
            "person_id": pid(r["person_id"]),
            "claim_no": pid(r["claim_no"]),
            "journal_id": pid(r["journal_id"]) if r["journal_id"] else "",
        }
        for r in base["settlements"]
    ]
    return out


TABLES = ("persons", "enrollments", "accumulators", "journals", "postings", "settlements")


def build(engine: Engine) -> dict[str, Any]:
    """Seed the base demo through the use cases, then replicate it to ``PERSONS`` persons."""
    upgrade(engine)
    ctx = Context(engine)
    started = time.perf_counter()
    demo = seed_console_demo(ctx, persons=BASE)
    base = {name: _rows(engine, getattr(t, name)) for name in TABLES}
    pids = {r["person_id"] for r in base["persons"]}
    copies = max(0, PERSONS // max(1, len(pids)) - 1)
    for k in range(1, copies + 1):
        rows = _copy(k, base, pids)
        with engine.begin() as conn:
            for name in TABLES:
                batch = rows[name]
                for i in range(0, len(batch), CHUNK):
                    conn.execute(insert(getattr(t, name)), batch[i : i + CHUNK])
    with engine.connect() as conn:
        persons = conn.execute(text("SELECT count(*) FROM persons")).scalar()
        settlements = conn.execute(text("SELECT count(*) FROM settlements")).scalar()
    return {
        "persons": int(persons or 0),
        "settlements": int(settlements or 0),
        "build_seconds": round(time.perf_counter() - started, 1),
        "demo": demo,
    }


def _timed(client: Any, urls: list[str]) -> dict[str, float]:
    times = []
    for url in urls:
        t0 = time.perf_counter()
        r = client.get(url)
        times.append((time.perf_counter() - t0) * 1000)
        assert r.status_code == 200, (url, r.status_code)
    first = times[0]  # the fund dashboard's first request builds its monthly summary
    times.sort()
    return {
        "first_ms": round(first, 1),
        "p50_ms": round(statistics.median(times), 1),
        "p95_ms": round(times[int(len(times) * 0.95) - 1], 1),
        "requests": len(times),
    }


def _login(client: Any, username: str) -> None:
    import re

    page = client.get("/ui/login").text
    token = re.search(r'name="csrf" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    r = client.post(
        "/ui/login",
        data={"username": username, "password": DEMO_PASSWORD, "csrf": token},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text


def measure(engine: Engine) -> dict[str, Any]:
    from fastapi.testclient import TestClient

    from yibao.api.app import create_app

    built = build(engine)
    demo = built.pop("demo")
    region = next(x.region for x in demo.logins if x.username == "staff")
    with engine.connect() as conn:
        pids = [
            r.person_id
            for r in conn.execute(select(t.persons.c.person_id).where(t.persons.c.region == region))
        ]
    rng = random.Random(20261204)
    with TestClient(create_app(engine)) as client:
        _login(client, "staff")
        person = _timed(client, [f"/ui/persons/{rng.choice(pids)}" for _ in range(REQUESTS)])
    with TestClient(create_app(engine)) as client:
        _login(client, "fund")
        funds = _timed(client, [f"/ui/funds?region={region}"] * max(20, REQUESTS // 5))
    return built | {"person_page": person, "fund_dashboard": funds}


def main() -> dict[str, Any]:
    result: dict[str, Any] = {}
    if "sqlite" in DATABASES:
        with tempfile.TemporaryDirectory() as tmp:
            engine = make_engine(f"sqlite:///{Path(tmp) / 'web.db'}")
            result["sqlite"] = measure(engine)
            engine.dispose()
        print("sqlite", result["sqlite"])
    if "postgresql" not in DATABASES:
        return result
    schema = f"yb_web_{uuid.uuid4().hex[:8]}"
    try:
        admin = create_engine(PG_URL)
        with admin.begin() as c:
            c.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as e:  # no PostgreSQL here: the SQLite figure stands alone
        result["postgresql"] = f"skipped: {type(e).__name__}"
        return result
    try:
        engine = make_engine(PG_URL, schema=schema)
        result["postgresql"] = measure(engine)
        engine.dispose()
        print("postgresql", result["postgresql"])
    finally:
        with admin.begin() as c:
            c.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
    return result


if __name__ == "__main__":
    main()
