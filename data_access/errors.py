"""Domain errors: each carries its HTTP status, and a catalogue key so a person reads it in their own language.

`str(error)` stays the English sentence (the API's `error` field, logs, tests); `components.i18n.said(error,
lang)` is what a page shows (the data layer names the message, it does not translate it). Field names in a
message are translated too (`field.<name>` in the catalogue)."""

from __future__ import annotations


class DomainError(Exception):
    status = 500

    def __init__(self, message: str, *, key: str | None = None, **params):
        super().__init__(message)
        self.key = key
        self.params = params


class Unauthorized(DomainError, PermissionError):
    """Not signed in (401): a page sends the reader to sign in."""

    status = 401


class Forbidden(DomainError, PermissionError):
    """Signed in, but outside the user's area or role (403). `audited` once the refusal is in the trail."""

    status = 403

    def __init__(self, message: str = "", *, audited: bool = False, **kw):
        super().__init__(message, **kw)
        self.audited = audited


class RateLimited(DomainError, PermissionError):
    """Too many look-ups or sign-in attempts (429), with the seconds to wait."""

    status = 429

    def __init__(self, message: str, retry_after: int, **kw):
        super().__init__(message, **kw)
        self.retry_after = retry_after


class BadRequest(DomainError, ValueError):
    """Input to fix: the reason says what (400)."""

    status = 400


class NotFoundError(DomainError, LookupError):
    status = 404


class ConflictError(DomainError, RuntimeError):
    """Someone else changed the record since it was read (409)."""

    status = 409


class Unavailable(DomainError, RuntimeError):
    """Not now, through no fault of the request (503): nothing was changed, send it again."""

    status = 503


def status_of(error: Exception) -> int:
    """The HTTP status an error answers with: its own, or 500 for one that is not the domain's."""
    return error.status if isinstance(error, DomainError) else 500
