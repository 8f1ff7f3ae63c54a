"""Where a Dash callback's refusal is said: the alert line at the top of every page, and the sentence it holds.

A callback that raises is answered by `auth.respond` on its "callback" surface (Dash's `on_error`) instead of
leaving the page silently unchanged (Dash's renderer shows a person nothing for a 500): the reason, in the
reader's language, in this line. The callback's outputs stay as they were."""

from __future__ import annotations

from typing import Any

from dash import html

from components.i18n import said, t
from data_access.errors import DomainError, Forbidden, RateLimited, Unauthorized

ALERT_ID = "app-alert"


def alert_line() -> html.Div:
    """Where a callback's refusal is written: one line at the top of every page."""
    live: dict[str, Any] = {"aria-live": "polite"}
    return html.Div(id=ALERT_ID, className="tp-app-alert", role="alert", **live)


def reason(error: DomainError, lang: str) -> str:
    """A refusal as a person reads it, the same in the alert line and in a form that says it beside its button."""
    if isinstance(error, Unauthorized):
        return t("error.401", lang)
    if isinstance(error, RateLimited):
        return t("error.429_wait", lang, seconds=error.retry_after)
    if isinstance(error, Forbidden) and not error.key:
        return t("error.403", lang)
    return said(error, lang)
