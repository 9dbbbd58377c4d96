"""What every router shares: the authenticated principal, the acting user, the 403."""

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import HTTPException

from yibao.api.auth import Principal
from yibao.service.context import Actor

PrincipalDep = Callable[..., Coroutine[Any, Any, Principal]]


def actor(p: Principal) -> Actor:
    """The audit log's actor for ``p``."""
    return Actor(p.key_id, p.role.value)


def deny(what: str) -> HTTPException:
    return HTTPException(403, f"not allowed: {what}")
