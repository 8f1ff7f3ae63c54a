"""Domain errors: each carries its HTTP status, and a catalogue key so a person reads it in their own language.

Defined here, in the pure layer, so that the rules (`mpi`) and the boundary reader (`geo`) raise domain errors
too; everything above imports them from `data_access.errors`. Every exception class of the project derives from
`DomainError` (tests/test_structure.py), and one function answers them on every surface
(`auth.respond.respond`).

`str(error)` stays the English sentence (the API's `error` field, logs, tests); `components.i18n.said(error,
lang)` is what a page shows (the data layer names the message, it does not translate it). Field names in a
message are translated too (`field.<name>` in the catalogue). A class's own `key` is used when an instance names
none; such keys may say the English reason as `{detail}`."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    status = 500
    key: str | None = None  # the class's catalogue key; None: the status's sentence (`error.<status>`) and the reason
    retry_after: int | None = None  # seconds after which the same request may succeed (Retry-After)

    def __init__(self, message: str, *, key: str | None = None, **params: Any) -> None:
        super().__init__(message)
        if key is None and type(self).key is not None:
            params.setdefault("detail", message)
        self.key = key if key is not None else type(self).key
        self.params = params


class Unauthorized(DomainError, PermissionError):
    """Not signed in (401): a page sends the reader to sign in."""

    status = 401


class Forbidden(DomainError, PermissionError):
    """Signed in, but outside the user's area or role (403). `audited` once the refusal is in the trail."""

    status = 403

    def __init__(self, message: str = "", *, audited: bool = False, **kw: Any) -> None:
        super().__init__(message, **kw)
        self.audited = audited


class RateLimited(DomainError, PermissionError):
    """Too many look-ups or sign-in attempts (429), with the seconds to wait."""

    status = 429

    def __init__(self, message: str, retry_after: int, **kw: Any) -> None:
        super().__init__(message, **kw)
        self.retry_after = retry_after


class BadRequest(DomainError, ValueError):
    """Input to fix: the reason says what (400)."""

    status = 400


class Unprocessable(BadRequest):
    """Well formed, but not something that can be done with it (422)."""

    status = 422


class TooLarge(BadRequest):
    """A body larger than the server reads (413)."""

    status = 413


class NotFoundError(DomainError, LookupError):
    status = 404


class ConflictError(DomainError, RuntimeError):
    """Someone else changed the record since it was read (409)."""

    status = 409


class Unavailable(DomainError, RuntimeError):
    """Not now, through no fault of the request (503): nothing was changed, send it again."""

    status = 503
    retry_after = 5


class ServerError(DomainError, RuntimeError):
    """The server's own failure (500), said without its details: they are in the log."""

    status = 500
    key = "err.500"


class HttpError(DomainError):
    """What the web server itself refuses (routing's 404 and 405, a body too large): the status is the server's."""

    def __init__(self, message: str, status: int):
        super().__init__(message)
        self.status = status


def status_of(error: Exception) -> int:
    """The HTTP status an error answers with: its own, or 500 for one that is not the domain's."""
    return error.status if isinstance(error, DomainError) else 500
