"""Password hashing (argon2id, via argon2-cffi) and random tokens. Nothing here is hand-rolled crypto."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from urllib.parse import urlsplit

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from zxcvbn import zxcvbn

_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters
MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 256  # argon2 hashes anything, but a 5 MB "password" is a denial of service
MIN_STRENGTH = 3
# A fixed hash to verify against when the username is unknown, so timing does not reveal which usernames exist.
_DUMMY_HASH = _hasher.hash("not-a-real-password-" + secrets.token_hex(8))


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


def password_problem(password: str, username: str = "") -> str | None:
    """Why a new password is not acceptable, or None.

    Strength is zxcvbn's estimate (its common-password, name and keyboard-pattern lists ship with the
    package, so nothing is looked up online): at least score 3, "safely unguessable" for online attacks."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"the password must have at least {MIN_PASSWORD_LENGTH} characters"
    if len(password) > MAX_PASSWORD_LENGTH:
        return f"the password may have at most {MAX_PASSWORD_LENGTH} characters"
    if username and username.lower() in password.lower():
        return "the password must not contain the username"
    if len(set(password)) < 4:
        return "the password is too simple"
    estimate = zxcvbn(password, user_inputs=[username, "tpmap"] if username else ["tpmap"])
    if estimate["score"] < MIN_STRENGTH:
        warning = estimate["feedback"].get("warning") or "it is easy to guess"
        return f"the password is too easy to guess ({warning.rstrip('.').lower()}): add another uncommon word or two"
    return None


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    """Tokens are stored as their SHA-256 only: a copy of the database does not hand out sessions."""
    return hashlib.sha256(token.encode()).hexdigest()


def same(a: str | None, b: str | None) -> bool:
    if not a or not b:
        return False
    return hmac.compare_digest(a, b)


def safe_next(target: str | None, default: str = "/") -> str:
    """A redirect target that stays on this site: a path, after the normalisation a browser applies.

    Browsers drop tabs and newlines inside URLs and read a backslash as a slash, so "/\t/evil.example"
    and "/\\evil.example" both leave the site; anything with a control character, a backslash, a scheme
    or a host is refused, as is a path that starts with two slashes."""
    if not target or not isinstance(target, str) or len(target) > 2000:
        return default
    if any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in target) or "\\" in target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    return target
