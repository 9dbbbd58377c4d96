"""What an administrator reads (系统管理): the console logins and the audit log of who did
what to whom (个人信息访问留痕), newest first. Reading the log is itself logged."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from yibao.service.context import Actor, Context
from yibao.store import repo
from yibao.store import tables as t

AUDIT_PAGE = 100


def list_users(ctx: Context) -> list[dict[str, Any]]:
    """Every console login (never its password hash), by user name."""
    u = t.web_users.c
    cols = (
        u.username,
        u.role,
        u.display_name,
        u.region,
        u.person_id,
        u.failed_logins,
        u.locked_until,
        u.created_at,
    )
    with ctx.engine.connect() as conn:
        rows = conn.execute(select(*cols).order_by(u.username)).all()
        conn.rollback()
    return [dict(r._mapping) for r in rows]


def audit_entries(
    ctx: Context, actor: Actor, who: str = "", action: str = "", subject: str = ""
) -> list[dict[str, Any]]:
    """The newest :data:`AUDIT_PAGE` audit entries, filtered by actor, action prefix and
    subject (exact when given)."""
    a = t.audit_log.c
    q = select(t.audit_log).order_by(a.audit_id.desc()).limit(AUDIT_PAGE)
    if who:
        q = q.where(a.actor == who)
    if action:
        q = q.where(a.action.startswith(action, autoescape=True))
    if subject:
        q = q.where(a.subject == subject)
    with ctx.engine.begin() as conn:
        rows = [dict(r._mapping) for r in conn.execute(q)]
        detail = f"actor={who} action={action} subject={subject}"
        repo.audit(conn, actor.actor_id, actor.role, "audit.read", "audit_log", detail)
    return rows
