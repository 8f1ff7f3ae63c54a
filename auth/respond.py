"""The one way an error leaves the server: `respond(error, surface)`.

Every refusal is a `DomainError` (mpi/errors.py) with its status and catalogue key; this decides how it is said:
- "api": JSON `{"error", "status"}` (the English reason, pinned) with `said` in the reader's language where the
  catalogue has the error's key, and `Retry-After` when the error names one;
- "page": a page in the reader's language (templates/error.html), or the sign-in page for "sign in first";
- "callback": the alert line at the top of a Dash page (components/feedback.py); the callback's outputs stay.
A refusal (403) is written to the audit trail whichever surface says it, unless its raiser did so already."""

from __future__ import annotations

import logging
from html import escape
from typing import Any, Literal, overload

import dash_bootstrap_components as dbc
from dash import set_props
from flask import Response, g, jsonify, redirect, render_template, request
from werkzeug.wrappers import Response as BaseResponse

from auth.context import csrf_token, landing, reader_lang
from components.feedback import ALERT_ID, reason
from components.i18n import CATALOGUE, said, t
from components.view import request_lang
from data_access import audit, metrics
from data_access.db import is_outage
from data_access.errors import DomainError, Forbidden, RateLimited, ServerError, Unauthorized, Unavailable

log = logging.getLogger(__name__)
Surface = Literal["api", "page", "callback"]


def surface_of_request() -> Literal["api", "page"]:
    """Who reads an HTTP answer to this request: a person's browser (a page) or a program (JSON, the API's and Dash's
    own requests). The callback surface is Dash's `on_error` hook's alone (callback_error): an error outside a
    callback's function, even on Dash's address, is answered over HTTP."""
    if not request.path.startswith(("/api/", "/_dash")) and "text/html" in request.headers.get("Accept", ""):
        return "page"
    return "api"


def page(template: str, title_key: str, *, message: str = "", ok: bool = False, **context: Any) -> str:
    """A server-rendered page from templates/ in the reader's language. Jinja escapes every value, and `t`
    in a template is the catalogue bound to that language."""
    lang = reader_lang()
    return render_template(
        template,
        lang=lang,
        t=lambda key, **values: t(key, lang, **values),
        csrf_token=csrf_token,
        title=t(title_key, lang, **context.pop("title_values", {})),
        message=message,
        ok=ok,
        **context,
    )


@overload
def respond(error: DomainError, surface: Literal["api", "page"]) -> BaseResponse: ...
@overload
def respond(error: DomainError, surface: Surface) -> BaseResponse | None: ...


def respond(error: DomainError, surface: Surface) -> BaseResponse | None:
    """The answer to `error` on `surface` (None for a callback: its answer is the alert line it sets)."""
    _audit(error, surface)
    if surface == "callback":
        g.callback_refused = True  # a refusal is said to this caller now, never kept as the page (app's page cache)
        message = reason(error, request_lang())
        set_props(ALERT_ID, {"children": dbc.Alert(message, color="danger", dismissable=True, className="mb-2")})
        return None
    response = _page(error) if surface == "page" else _json(error)
    if error.retry_after:
        response.headers["Retry-After"] = str(error.retry_after)
    if error.status == 503:
        response.headers["Cache-Control"] = "no-store"  # an outage's answer is never kept by a cache
    return response


def _json(error: DomainError) -> Response:
    # the English reason stays the API's (pinned); `said` adds the reader's language where the catalogue has it
    extra = {"said": said(error, reader_lang())} if error.key else {}
    response = jsonify({"error": str(error), "status": error.status} | extra)
    response.status_code = error.status
    return response


def _page(error: DomainError) -> BaseResponse:
    if isinstance(error, Unauthorized) and request.method == "GET":
        return redirect("/login?next=" + escape(request.full_path.rstrip("?")))
    # a person reads the page: the reason in their language (the API keeps its precise English reason)
    lang = reader_lang()
    generic = f"error.{error.status}"
    lead = said(error, lang) if error.key else t(generic, lang) if generic in CATALOGUE else str(error)
    home = landing(g.user) if g.get("user") is not None else "/"
    return Response(page("error.html", "auth.error_title", lead=lead, home=home), status=error.status, mimetype="text/html")


def _audit(error: DomainError, surface: Surface) -> None:
    """Every refusal is in the trail, whichever route or callback raised it; data_access audits its own (refuse())."""
    if isinstance(error, Forbidden) and not error.audited:
        audit.record(
            "access_denied",
            user=g.get("user"),
            object_type="callback" if surface == "callback" else "route",
            object_id=request.path[:64],
            detail={"reason": str(error)[:200]} | ({} if surface == "callback" else {"method": request.method}),
            ip=None if surface == "callback" else request.remote_addr,
        )
        error.audited = True
    elif isinstance(error, RateLimited) and surface != "callback":
        audit.record("rate_limited", user=g.get("user"), object_id=request.path[:64], ip=request.remote_addr)


def as_domain_error(error: Exception) -> DomainError:
    """Any exception as the domain error it is said as: its own, the database's absence (503), or the server's fault
    (500, logged here with its traceback; the answer does not say more)."""
    if isinstance(error, DomainError):
        return error
    if is_outage(error):  # a database restart: said as such, logged without a traceback per request
        log.warning("the database was unavailable on %s: %s", request.path[:80], type(error).__name__)
        return Unavailable("the database is unavailable for a moment; nothing was changed, try again", key="err.503")
    log.exception("%s failed", request.path[:80], exc_info=error)
    return ServerError("something went wrong on the server; it is logged and nothing was changed")


def callback_error(error: Exception) -> None:
    """Dash's `on_error` hook: a callback that raises is answered like any request, on the callback surface, and
    counted and logged with its callback and status (its HTTP answer is a 200: nothing else would count it)."""
    domain = as_domain_error(error)
    body = request.get_json(silent=True, cache=True)
    callback = metrics.callback_label(body.get("output") if isinstance(body, dict) else None)
    metrics.callback_failed(callback, domain.status, error)
    respond(domain, "callback")
