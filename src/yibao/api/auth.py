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
