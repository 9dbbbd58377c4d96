"""API keys and roles (访问控制).

A key is ``yb_<key id>_<secret>``; only the SHA-256 of the whole token is stored (the secret
has 192 random bits, so a fast hash is enough). Roles:

* ``insured`` — their own records only (``person_id`` bound to the key);
* ``provider`` — its own claims only (``provider_id`` and its ``region``);
* ``staff`` — agency staff of one ``region``;
* ``auditor`` — reads everything, writes nothing;
* ``admin`` — everything.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import Engine, insert, select

from yibao.errors import InputError
from yibao.store import repo
from yibao.store import tables as t


class Role(StrEnum):
    INSURED = "insured"
    PROVIDER = "provider"
    STAFF = "staff"
    AUDITOR = "auditor"
    ADMIN = "admin"


@dataclass(frozen=True, slots=True)
class Principal:
    key_id: str
    role: Role
    region: str | None = None
    person_id: str | None = None
    provider_id: str | None = None


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_key(
    engine: Engine,
    role: str,
    name: str,
    *,
    region: str | None = None,
    person_id: str | None = None,
    provider_id: str | None = None,
) -> str:
    """Store a new key and return the token (shown once, never stored)."""
    try:
        r = Role(role)
    except ValueError:
        raise InputError(f"role: expected one of {', '.join(Role)}, got {role!r}") from None
    need = {Role.INSURED: person_id, Role.PROVIDER: provider_id, Role.STAFF: region}
    if r in need and not need[r]:
        flag = {Role.INSURED: "--person", Role.PROVIDER: "--provider", Role.STAFF: "--region"}[r]
        raise InputError(f"{flag}: required for the {r.value} role")
    if r is Role.PROVIDER and not region:
        raise InputError("--region: required for the provider role (the treatment region)")
    key_id = secrets.token_hex(6)
    token = f"yb_{key_id}_{secrets.token_urlsafe(24)}"
    with engine.begin() as conn:
        conn.execute(
            insert(t.api_keys).values(
                key_id=key_id,
                key_hash=_hash(token),
                role=r.value,
                region=region,
                person_id=person_id,
                provider_id=provider_id,
                name=name,
                created_at=repo.now(),
            )
        )
    return token


def authenticate(engine: Engine, token: str) -> Principal | None:
    parts = token.split("_")
    if len(parts) < 3 or parts[0] != "yb":
        return None
    key_id = parts[1]
    with engine.connect() as conn:
        row = conn.execute(select(t.api_keys).where(t.api_keys.c.key_id == key_id)).first()
        conn.rollback()
    if row is None or not hmac.compare_digest(row.key_hash, _hash(token)):
        return None
    return Principal(row.key_id, Role(row.role), row.region, row.person_id, row.provider_id)


class KeyCache:
    """Authenticated keys remembered for ``ttl`` seconds (a bounded LRU of ``size``).

    Saves the key lookup (a database round trip) on every request of a busy client. Only
    the SHA-256 of a token is kept; a failed lookup is not cached. A key removed from the
    database stays usable in a process for at most ``ttl`` seconds."""

    def __init__(self, engine: Engine, ttl: float = 10.0, size: int = 1024) -> None:
        self.engine, self.ttl, self.size = engine, ttl, size
        self._keys: OrderedDict[str, tuple[float, Principal]] = OrderedDict()
        self._lock = threading.Lock()

    def cached(self, token: str) -> Principal | None:
        """The principal of ``token`` if it was authenticated less than ``ttl`` ago."""
        h = _hash(token)
        with self._lock:
            hit = self._keys.get(h)
            if hit is None:
                return None
            if hit[0] < time.monotonic():
                del self._keys[h]
                return None
            self._keys.move_to_end(h)
            return hit[1]

    def authenticate(self, token: str) -> Principal | None:
        p = self.cached(token)
        if p is not None:
            return p
        p = authenticate(self.engine, token)
        if p is not None:
            with self._lock:
                self._keys[_hash(token)] = (time.monotonic() + self.ttl, p)
                self._keys.move_to_end(_hash(token))
                while len(self._keys) > self.size:
                    self._keys.popitem(last=False)
        return p
