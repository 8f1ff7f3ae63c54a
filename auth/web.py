"""Sign-in pages, sessions, bearer tokens, CSRF, and the HTTP face of access errors.

- Every request: the user comes from `Authorization: Bearer <token>` (scripts, the field app) or
  the signed session cookie (pages and callbacks) and is put in flask.g.user.
- CSRF: a state-changing request (POST, PUT, PATCH, DELETE) that rides on the session cookie must
  carry the session's token, in the form field `csrf_token` or the `X-CSRFToken` header (Dash's
  renderer sends that header from the `_csrf_token` cookie set here). Bearer requests carry no
  ambient credential and need none.
- Every domain error, whichever route raised it, is answered by `auth.respond.respond` (its own status: JSON
  for programs, a page in the reader's language for a person; a page that needs a sign-in redirects to it).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import secrets
from html import escape

from flask import Blueprint, Flask, Response, g, redirect, request, session
from werkzeug.wrappers import Response as BaseResponse

import config
from auth.context import csrf_token, landing, reader_lang
from auth.respond import page, respond, surface_of_request
from auth.security import safe_next, same
from components.fmt import neutralise
from components.i18n import said, t
from components.view import parse
from data_access import accounts, audit, ratelimit
from data_access.access import CurrentUser, Forbidden, RateLimited, Unauthorized
from data_access.errors import DomainError
from data_access.households import check_area, check_household
from data_access.policy import ACCOUNTS_ALL, may

bp = Blueprint("auth", __name__)
CSRF_COOKIE = "_csrf_token"
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
CSRF_EXEMPT = {"/api/v1/auth/login"}  # a JSON login carries no ambient credential
HOUSEHOLD_PAGE = re.compile(
    r"^/(household/(?P<house>[^/]+)|area/(?P<area>[^/]+)/households|(?P<requests>logbook/(requests|mentors)))$"
)


def secret_key() -> str:
    """TPMAP_SECRET_KEY, or a random key kept in instance/secret_key (made once, readable by the owner only)."""
    key = config.settings().secret_key
    if key:
        return key
    path = config.INSTANCE_DIR / "secret_key"
    config.INSTANCE_DIR.mkdir(exist_ok=True)
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def init_app(server: Flask) -> None:
    server.config.update(
        SECRET_KEY=secret_key(),
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        # Behind HTTPS set TPMAP_SECURE_COOKIES=1; the embedded demo runs on plain http://127.0.0.1.
        SESSION_COOKIE_SECURE=config.settings().secure_cookies,
        PERMANENT_SESSION_LIFETIME=dt.timedelta(hours=8),
    )
    server.register_blueprint(bp)
    server.before_request(_load_user)
    server.before_request(_check_csrf)
    server.before_request(_guard_household_pages)
    server.after_request(_csrf_cookie)
    # one handler for every domain error, whichever route raised it: its own status, JSON for programs, a page in
    # the reader's language for a person (auth/respond.py)
    server.register_error_handler(DomainError, lambda e: respond(e, surface_of_request()))


def _ip() -> str | None:
    return request.remote_addr


def _load_user() -> None:
    g.user = None
    g.bearer = False
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        g.bearer = True
        g.user = accounts.user_for_token(header[7:].strip())
        return
    sid = session.get("sid")
    if sid is not None:
        # the session lives in the database: a copied cookie is worthless after sign-out
        g.user = accounts.load_session(sid)
        if g.user is None:
            session.clear()


def _check_csrf() -> BaseResponse | None:
    if request.method not in UNSAFE or g.bearer or request.path in CSRF_EXEMPT:
        return None
    if g.user is None and request.path != "/login":
        return None  # no ambient credential to abuse: public callbacks work signed out
    sent = request.form.get("csrf_token") or request.headers.get("X-CSRFToken")
    if not same(sent, session.get("csrf")):
        audit.record("access_denied", user=g.user, object_type="csrf", object_id=request.path[:64], ip=_ip())
        return respond(
            Forbidden("CSRF token missing or wrong: reload the page and try again", audited=True), surface_of_request()
        )
    return None


def _csrf_cookie(response: Response) -> Response:
    if g.get("user") is not None and not g.get("bearer"):
        response.set_cookie(CSRF_COOKIE, csrf_token(), samesite="Lax", secure=config.settings().secure_cookies)
    return response


def _guard_household_pages() -> BaseResponse | None:
    """Household pages: sign in first; an area outside the user's is a 403 page, not a blank one. A household
    outside it is answered as one that does not exist: the page's not-found, with a 404 (app's
    register_unknown_addresses reads g.page_not_found), the refusal in the audit trail."""
    m = HOUSEHOLD_PAGE.match(request.path)
    if not m or request.method != "GET":
        return None
    if g.user is None:
        return redirect("/login?next=" + escape(request.full_path.rstrip("?")))
    year = parse(request.args.to_dict()).year  # the page's own reading of the link (the latest edition if none)
    if m.group("house"):
        g.page_not_found = not check_household(g.user, m.group("house"), year)
    elif m.group("area"):
        check_area(g.user, m.group("area"))
    return None


# --- HTML pages (plain Flask forms: they must work before any JavaScript) -----------------------


@bp.route("/login", methods=["GET", "POST"])
def login() -> BaseResponse | tuple[str, int]:
    lang = reader_lang()
    message = ""
    asked = request.values.get("next") or ""
    nxt = safe_next(asked) if asked else ""
    if request.method == "POST":
        try:
            ratelimit.hit("login", _ip() or "-", t("auth.too_many", lang))
            signed = accounts.authenticate(request.form.get("username", ""), request.form.get("password", ""), ip=_ip())
        except accounts.LoginFailed:
            message = t("auth.failed", lang)
        except RateLimited as e:
            message = str(e)  # the address's throttle, not the account's state
        else:
            session.clear()
            session.permanent = True
            session["sid"] = signed.session
            csrf_token()
            g.user = signed.user  # so this very response carries the new session's CSRF cookie
            return redirect(nxt or landing(signed.user))
    return page("login.html", "auth.sign_in", message=message, next=nxt), (401 if message else 200)


@bp.post("/logout")
def logout() -> BaseResponse:
    if g.user is not None:
        audit.record("logout", user=g.user, ip=_ip())
    accounts.end_session(session.get("sid"))
    session.clear()
    response = redirect("/")
    response.delete_cookie(CSRF_COOKIE)
    return response


@bp.route("/account/password", methods=["GET", "POST"])
def change_password() -> str | BaseResponse:
    lang = reader_lang()
    if g.user is None:
        return redirect("/login?next=/account/password")
    message, ok = "", False
    if request.method == "POST":
        if request.form.get("new") != request.form.get("again"):
            message = t("auth.mismatch", lang)
        else:
            try:
                # throttled like sign-in: per account and per address
                ratelimit.hit("login", f"password:{g.user.id}", t("auth.too_many", lang))
                ratelimit.hit("login", _ip() or "-", t("auth.too_many", lang))
                accounts.change_password(
                    g.user, request.form.get("old", ""), request.form.get("new", ""), session=session.get("sid"), ip=_ip()
                )
                ok, message = True, t("auth.changed", lang)
            except (accounts.AccountError, accounts.LoginFailed, RateLimited) as e:
                message = str(e)
    return page("password.html", "auth.change_password", message=message, ok=ok)


@bp.route("/account/approvals", methods=["GET", "POST"])
def approvals() -> str | BaseResponse:
    """The second approver's page: accounts made by an administrator that read named records start here."""
    if g.user is None:
        return redirect("/login?next=/account/approvals")
    lang = reader_lang()
    message, ok = "", False
    if request.method == "POST":
        try:
            accounts.decide_account(
                g.user,
                request.form.get("username", "")[:64],
                approve=request.form.get("decision") == "approve",
                reason=request.form.get("reason", ""),
            )
            ok, message = True, t("auth.saved", lang)
        except (accounts.AccountError, Forbidden) as e:
            message = said(e, lang)
    return page("approvals.html", "auth.approvals", message=message, ok=ok, pending=accounts.pending_accounts(g.user))


def _require_admin() -> CurrentUser:
    user = g.user
    if user is None:
        raise Unauthorized("sign in first")
    if not may(user, ACCOUNTS_ALL) and not user.is_area_admin:
        raise Forbidden("only administrators manage accounts and read the audit trail")
    return user


@bp.route("/admin/users", methods=["GET", "POST"])
def admin_users() -> str:
    manager = _require_admin()
    lang = reader_lang()
    message, ok = "", False
    if request.method == "POST":
        try:
            if request.form.get("action") == "deactivate":
                accounts.set_active(manager, request.form["username"], False)
            elif request.form.get("action") == "name":
                accounts.set_full_name(manager, request.form.get("username", ""), request.form.get("full_name", ""))
            else:
                accounts.create_user(
                    username=request.form.get("username", ""),
                    full_name=request.form.get("full_name", ""),
                    role=request.form.get("role", ""),
                    agency=request.form.get("agency") or None,
                    areas=[a.strip() for a in request.form.get("areas", "").split(",") if a.strip()],
                    password=request.form.get("password", ""),
                    manager=manager,
                )
            ok, message = True, t("auth.saved", lang)
        except (accounts.AccountError, Forbidden) as e:
            message = said(e, lang)
    return page(
        "admin_users.html",
        "auth.accounts",
        message=message,
        ok=ok,
        accounts=accounts.list_accounts(manager),
        roles=accounts.creatable_roles(manager),
        manager=manager.username,
    )


@bp.route("/admin/alerts", methods=["GET", "POST"])
def admin_alerts() -> str:
    """Open abuse alerts (data_access.abuse): the blocked accounts, each closed by an administrator's decision."""
    from data_access import abuse

    manager = _require_admin()
    lang = reader_lang()
    message, ok = "", False
    if request.method == "POST":
        try:
            alert_id = int(request.form.get("alert", ""))
        except ValueError:
            alert_id = 0
        try:
            abuse.close_alert(manager, alert_id, reactivate=request.form.get("decision") == "reactivate")
            ok, message = True, t("alert.closed", lang)
        except DomainError as e:
            message = said(e, lang)
    return page("admin_alerts.html", "auth.alerts", message=message, ok=ok, alerts=abuse.open_alerts(manager))


@bp.get("/admin/audit")
def admin_audit() -> str | Response:
    manager = _require_admin()

    def day(name: str) -> dt.date | None:
        try:
            return dt.date.fromisoformat(request.args.get(name, ""))
        except ValueError:
            return None

    scope = None if may(manager, ACCOUNTS_ALL) else manager.areas[0]
    rows = audit.events(
        username=request.args.get("username") or None,
        action=request.args.get("action") or None,
        since=day("since"),
        until=day("until"),
        area_prefix=scope,
        limit=5000 if request.args.get("format") else 500,
    )
    if request.args.get("format") == "csv":
        audit.record("export", user=manager, object_type="audit", detail={k: v for k, v in request.args.items()}, ip=_ip())
        buf = io.StringIO()
        w = csv.writer(buf)
        w.writerow(["id", "at", "username", "action", "object_type", "object_id", "area_code", "detail", "ip"])
        for r in rows:
            w.writerow(
                [
                    neutralise(v)
                    for v in (
                        r["id"],
                        r["at"],
                        r["username"],
                        r["action"],
                        r["object_type"],
                        r["object_id"],
                        r["area_code"],
                        r["detail"],
                        r["ip"],
                    )
                ]
            )
        return Response(
            buf.getvalue(), mimetype="text/csv", headers={"Content-Disposition": "attachment; filename=tpmap-audit.csv"}
        )
    return page(
        "admin_audit.html",
        "auth.audit",
        rows=rows,
        actions=("", *audit.ACTIONS),
        args=request.args,
        query=request.query_string.decode(),
    )
