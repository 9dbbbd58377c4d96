"""Password hashes: scrypt with a salt of its own, verified in constant time."""

from __future__ import annotations

from yibao.service.logins import hash_password, verify_password


def test_a_hash_verifies_its_password_only() -> None:
    h = hash_password("correct horse")
    assert h.startswith("scrypt$16384$8$1$")
    assert verify_password("correct horse", h)
    assert not verify_password("correct horse!", h)


def test_the_same_password_hashes_differently_each_time() -> None:
    assert hash_password("same-password") != hash_password("same-password")


def test_a_malformed_stored_hash_never_verifies() -> None:
    assert not verify_password("x", "not-a-hash")
    assert not verify_password("x", "bcrypt$1$2$3$00$00")
