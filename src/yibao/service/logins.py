"""Web console logins (网页登录): scrypt password hashes, lockout, sessions, CSRF tokens.

A password is stored as ``scrypt$n$r$p$salt$hash`` (``hashlib.scrypt``, RFC 7914). After
``LOCK_AFTER`` failed attempts in a row the login is locked for ``LOCK_FOR``; while locked,
even the right password is refused, so guessing gains nothing. A session cookie is 256 random
bits; only its SHA-256 is stored, with the session's CSRF token and expiry.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, insert, select, update

from yibao.errors import InputError
from yibao.service.context import SYSTEM, Actor, Conflict, Context
from yibao.store import repo
from yibao.store import tables as t

WEB_ROLES = ("staff", "supervisor", "fund_manager", "insured", "admin")
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
LOCK_AFTER = 5
LOCK_FOR = timedelta(minutes=15)
SESSION_TTL = timedelta(hours=8)


@dataclass(frozen=True, slots=True)
class WebUser:
    """A console login: its role, and the region (staff, supervisor) or person (insured)."""

    username: str
    role: str
    display_name: str
    region: str | None = None
    person_id: str | None = None


@dataclass(frozen=True, slots=True)
class Session:
    user: WebUser
    csrf_token: str


class LoginRefused(InputError):
    """Wrong user name or password, or a locked login (the message does not say which)."""


def hash_password(password: str, salt: bytes | None = None) -> str:
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.scrypt(
        password.encode(), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, dklen=32
    )
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${salt.hex()}${digest.hex()}"


def verify_password(password: str, stored: str) -> bool:
    try:
        kind, n, r, p, salt, want = stored.split("$")
    except ValueError:
        return False
    if kind != "scrypt":
        return False
    got = hashlib.scrypt(
        password.encode(), salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p), dklen=32
    )
    return hmac.compare_digest(got.hex(), want)


def _user(row: object) -> WebUser:
    return WebUser(
        row.username,  # type: ignore[attr-defined]
        row.role,  # type: ignore[attr-defined]
        row.display_name,  # type: ignore[attr-defined]
        row.region,  # type: ignore[attr-defined]
        row.person_id,  # type: ignore[attr-defined]
    )


def create_user(
    ctx: Context,
    username: str,
    password: str,
    role: str,
    *,
    display_name: str = "",
    region: str | None = None,
    person_id: str | None = None,
    actor: Actor = SYSTEM,
) -> WebUser:
    if role not in WEB_ROLES:
        raise InputError(f"role: expected one of {', '.join(WEB_ROLES)}, got {role!r}")
    if not username or len(username) > 60 or not username.isascii():
        raise InputError("username: 1 to 60 ASCII characters")
    if len(password) < 8:
        raise InputError("password: at least 8 characters")
    if role in ("staff", "supervisor") and not region:
        raise InputError(f"region: required for the {role} role")
    if role == "insured" and not person_id:
        raise InputError("person_id: required for the insured role")
    if region:
        ctx.chain(region, "region")
    with ctx.engine.begin() as conn:
        if conn.execute(select(t.web_users).where(t.web_users.c.username == username)).first():
            raise Conflict(f"username: {username!r} exists")
        conn.execute(
            insert(t.web_users).values(
                username=username,
                password_hash=hash_password(password),
                role=role,
                region=region,
                person_id=person_id,
                display_name=display_name or username,
                failed_logins=0,
                locked_until=None,
                created_at=repo.now(),
            )
        )
        repo.audit(conn, actor.actor_id, actor.role, "web_user.create", username, role)
    return WebUser(username, role, display_name or username, region, person_id)


def _aware(at: datetime | None) -> datetime | None:
    """SQLite returns naive datetimes for what was written in UTC."""
    if at is None or at.tzinfo is not None:
        return at
    return at.replace(tzinfo=repo.now().tzinfo)


def login(ctx: Context, username: str, password: str) -> tuple[str, Session]:
    """A new session (cookie value, session) or :class:`LoginRefused`; failures count."""
    now = repo.now()
    with ctx.engine.begin() as conn:
        row = conn.execute(select(t.web_users).where(t.web_users.c.username == username)).first()
        if row is None:
            verify_password(password, hash_password("x"))  # same time as a known user
            raise LoginRefused("login: wrong user name or password")
        locked = _aware(row.locked_until)
        if locked is not None and locked > now:
            repo.audit(conn, username, row.role, "web.login_locked", username)
            raise LoginRefused("login: locked after repeated failures; try again later")
        ok = verify_password(password, row.password_hash)
        if not ok:
            failed = row.failed_logins + 1
            values: dict[str, object] = {"failed_logins": failed}
            if failed >= LOCK_AFTER:
                values = {"failed_logins": 0, "locked_until": now + LOCK_FOR}
            conn.execute(
                update(t.web_users).where(t.web_users.c.username == username).values(**values)
            )
            repo.audit(conn, username, row.role, "web.login_failed", username, str(failed))
            # committed: the count must survive the refusal
    if (locked is not None and locked > now) or not verify_password(password, row.password_hash):
        raise LoginRefused("login: wrong user name or password")
    cookie, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    with ctx.engine.begin() as conn:
        conn.execute(
            update(t.web_users)
            .where(t.web_users.c.username == username)
            .values(failed_logins=0, locked_until=None)
        )
        conn.execute(
            delete(t.web_sessions).where(t.web_sessions.c.expires_at < now)
        )  # old sessions of anyone
        conn.execute(
            insert(t.web_sessions).values(
                session_hash=hashlib.sha256(cookie.encode()).hexdigest(),
                username=username,
                csrf_token=csrf,
                expires_at=now + SESSION_TTL,
            )
        )
        repo.audit(conn, username, row.role, "web.login", username)
    return cookie, Session(_user(row), csrf)


def session(ctx: Context, cookie: str) -> Session | None:
    """The live session of a cookie value, or None."""
    h = hashlib.sha256(cookie.encode()).hexdigest()
    with ctx.engine.connect() as conn:
        row = conn.execute(
            select(t.web_sessions, t.web_users)
            .join(t.web_users, t.web_users.c.username == t.web_sessions.c.username)
            .where(t.web_sessions.c.session_hash == h)
        ).first()
        conn.rollback()
    if row is None:
        return None
    expires = _aware(row.expires_at)
    if expires is None or expires < repo.now():
        return None
    return Session(_user(row), row.csrf_token)


def logout(ctx: Context, cookie: str) -> None:
    h = hashlib.sha256(cookie.encode()).hexdigest()
    with ctx.engine.begin() as conn:
        conn.execute(delete(t.web_sessions).where(t.web_sessions.c.session_hash == h))
