"""Domain errors: each carries its HTTP status, and a catalogue key so a person reads it in their own language.

`str(error)` stays the English sentence (the API's `error` field, logs, tests); `error.said(lang)` is what a
page shows. Field names in a message are translated too (`field.<name>` in the catalogue)."""
from __future__ import annotations


class DomainError(Exception):
    status = 500

    def __init__(self, message: str, *, key: str | None = None, **params):
        super().__init__(message)
        self.key = key
        self.params = params

    def said(self, lang: str) -> str:
        if not self.key:
            return str(self)
        from components.i18n import CATALOGUE, t

        def word(name: str) -> str:
            return t(f"field.{name}", lang) if f"field.{name}" in CATALOGUE else name

        params = {k: (word(v) if k == "field" else ", ".join(word(f) for f in v) if k == "fields" else v)
                  for k, v in self.params.items()}
        return t(self.key, lang, **params)


class BadRequest(DomainError, ValueError):
    """Input to fix: the reason says what (400)."""
    status = 400


class NotFoundError(DomainError, LookupError):
    status = 404


class ConflictError(DomainError, RuntimeError):
    """Someone else changed the record since it was read (409)."""
    status = 409
