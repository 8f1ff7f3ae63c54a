"""The one error handler of Dash callbacks (the fourth surface, beside the API, file routes and pages).

A callback that raises reaches here instead of leaving the page silently unchanged (Dash's renderer shows a
person nothing for a 500): a domain error is said in the reader's language in the page's alert line, a
refusal is audited as the HTTP handler would, anything else is logged with its traceback and said as
"something went wrong". The callback's outputs stay as they were."""

from __future__ import annotations

import logging

import dash_bootstrap_components as dbc
from dash import html, set_props

from components.i18n import said, t
from components.view import request_lang
from data_access import metrics
from data_access.db import is_outage
from data_access.errors import DomainError, Forbidden, RateLimited, Unauthorized

log = logging.getLogger(__name__)
ALERT_ID = "app-alert"


def alert_line() -> html.Div:
    """Where a callback's refusal is written: one line at the top of every page."""
    return html.Div(id=ALERT_ID, className="tp-app-alert", role="alert", **{"aria-live": "polite"})


def reason(error: DomainError, lang: str) -> str:
    """A refusal as a person reads it, the same in the alert line and in a form that says it beside its button."""
    if isinstance(error, Unauthorized):
        return t("error.401", lang)
    if isinstance(error, RateLimited):
        return t("error.429_wait", lang, seconds=error.retry_after)
    if isinstance(error, Forbidden) and not error.key:
        return t("error.403", lang)
    return said(error, lang)


def callback_error(error: Exception):
    from flask import g, request

    from data_access import audit

    lang = request_lang()
    g.callback_refused = True  # a refusal is said to this caller now, never kept as the page (app's page cache)
    if isinstance(error, Forbidden) and not error.audited:
        audit.record(
            "access_denied",
            user=g.get("user"),
            object_type="callback",
            object_id=request.path[:64],
            detail={"reason": str(error)[:200]},
        )
    body = request.get_json(silent=True, cache=True)
    callback = metrics.callback_label(body.get("output") if isinstance(body, dict) else None)
    if isinstance(error, DomainError):
        metrics.callback_failed(callback, error.status, error)
        message = reason(error, lang)
    elif is_outage(error):
        metrics.callback_failed(callback, 503, error)  # a database restart: said as such, logged without a traceback per request
        log.warning("a callback met an unavailable database: %s", type(error).__name__)
        message = t("err.503", lang)
    else:
        metrics.callback_failed(callback, 500, error)
        log.exception("a callback failed", exc_info=error)
        message = t("err.500", lang)
    set_props(ALERT_ID, {"children": dbc.Alert(message, color="danger", dismissable=True, className="mb-2")})
    return None
