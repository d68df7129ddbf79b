"""Member passwords for a community's web app: Argon2id hashes (argon2-cffi), never the text."""

from __future__ import annotations


def hash_password(password: str) -> str:
    """An Argon2id hash of ``password`` (with its own salt and parameters)."""
    from argon2 import PasswordHasher

    return PasswordHasher().hash(password)


def password_matches(stored: str | None, password: str) -> bool:
    """Whether ``password`` matches the stored hash (constant-time inside argon2)."""
    from argon2 import PasswordHasher
    from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

    if not stored:
        PasswordHasher().hash(password)  # the same work as a real check: no timing oracle
        return False
    try:
        return PasswordHasher().verify(stored, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False
