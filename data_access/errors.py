"""The domain errors, as every layer above the rules imports them (defined in `mpi/errors.py`, where the pure
layers can raise them too). Each carries its HTTP status and a catalogue key."""

from __future__ import annotations

from mpi.errors import (
    BadRequest,
    ConflictError,
    DomainError,
    Forbidden,
    HttpError,
    NotFoundError,
    RateLimited,
    ServerError,
    TooLarge,
    Unauthorized,
    Unavailable,
    Unprocessable,
    status_of,
)

__all__ = [
    "BadRequest",
    "ConflictError",
    "DomainError",
    "Forbidden",
    "HttpError",
    "NotFoundError",
    "RateLimited",
    "ServerError",
    "TooLarge",
    "Unauthorized",
    "Unavailable",
    "Unprocessable",
    "status_of",
]
