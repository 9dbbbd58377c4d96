"""Remembered API keys: a hit costs no lookup, an entry expires, a failure is not kept."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import delete

from yibao.api.auth import KeyCache, Role, create_key
from yibao.store import tables as t
from yibao.store.db import make_engine, upgrade


def test_key_cache(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'keys.db'}")
    upgrade(engine)
    token = create_key(engine, "staff", "north", region="990100")
    keys = KeyCache(engine, ttl=60, size=2)
    assert keys.cached(token) is None
    p = keys.authenticate(token)
    assert p is not None and p.role is Role.STAFF and p.region == "990100"
    assert keys.authenticate(token[:-2] + "xx") is None  # a forged secret
    with engine.begin() as c:
        c.execute(delete(t.api_keys))
    assert keys.cached(token) == p  # remembered for the ttl
    expired = KeyCache(engine, ttl=0)
    assert expired.authenticate(token) is None  # gone from the database: refused
    others = [create_key(engine, "admin", f"k{i}") for i in range(2)]
    for other in others:
        assert keys.authenticate(other) is not None
    assert keys.cached(token) is None  # the least recently used fell out (size 2)
    engine.dispose()
