"""Sign-in pages, sessions, bearer tokens, CSRF, and the HTTP face of access errors.

- Every request: the user comes from `Authorization: Bearer <token>` (scripts, the field app) or
  the signed session cookie (pages and callbacks) and is put in flask.g.user.
- CSRF: a state-changing request (POST, PUT, PATCH, DELETE) that rides on the session cookie must
  carry the session's token, in the form field `csrf_token` or the `X-CSRFToken` header (Dash's
  renderer sends that header from the `_csrf_token` cookie set here). Bearer requests carry no
  ambient credential and need none.
- Unauthorized → 401 (a page redirects to sign-in), Forbidden → 403, RateLimited → 429.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import secrets
from html import escape

from flask import Blueprint, Flask, Response, g, jsonify, redirect, request, session

import config
from auth.security import safe_next, same
from components.i18n import CATALOGUE, LANGS, said, t
from components.view import LANG_COOKIE
from data_access import accounts, audit, ratelimit
from data_access.access import CurrentUser, Forbidden, RateLimited, Unauthorized
from data_access.errors import DomainError
from data_access.households import check_area, check_household
from data_access.policy import ACCOUNTS_ALL, may
from exports.tables import neutralise
from mpi.governance import DateError

bp = Blueprint("auth", __name__)
CSRF_COOKIE = "_csrf_token"
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
CSRF_EXEMPT = {"/api/v1/auth/login"}  # a JSON login carries no ambient credential
HOUSEHOLD_PAGE = re.compile(
    r"^/(household/(?P<house>[^/]+)|area/(?P<area>[^/]+)/households|(?P<requests>logbook/(requests|mentors)))$"
)


def current_user() -> CurrentUser | None:
    return g.get("user")


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
    server.register_error_handler(Unauthorized, _unauthorized)
    server.register_error_handler(Forbidden, _forbidden)
    server.register_error_handler(RateLimited, _rate_limited)
    # one handler for every other domain error, whichever route raised it: its own status, JSON for programs,
    # a page in the reader's language for a person
    server.register_error_handler(DomainError, _domain_error)
    server.register_error_handler(DateError, lambda e: _error(400, str(e)))


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


def csrf_token() -> str:
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(32)
    return session["csrf"]


def _check_csrf():
    if request.method not in UNSAFE or g.bearer or request.path in CSRF_EXEMPT:
        return None
    if g.user is None and request.path != "/login":
        return None  # no ambient credential to abuse: public callbacks work signed out
    sent = request.form.get("csrf_token") or request.headers.get("X-CSRFToken")
    if not same(sent, session.get("csrf")):
        audit.record("access_denied", user=g.user, object_type="csrf", object_id=request.path[:64], ip=_ip())
        return _error(403, "CSRF token missing or wrong: reload the page and try again")
    return None


def _csrf_cookie(response: Response) -> Response:
    if g.get("user") is not None and not g.get("bearer"):
        response.set_cookie(CSRF_COOKIE, csrf_token(), samesite="Lax", secure=config.settings().secure_cookies)
    return response


def _wants_html() -> bool:
    return (
        request.method == "GET"
        and not request.path.startswith(("/api/", "/_dash"))
        and "text/html" in request.headers.get("Accept", "")
    )


def _guard_household_pages():
    """Household pages: sign in first; a record outside the user's area is a 403 page, not a blank one."""
    m = HOUSEHOLD_PAGE.match(request.path)
    if not m or request.method != "GET":
        return None
    if g.user is None:
        return redirect("/login?next=" + escape(request.full_path.rstrip("?")))
    year = int(request.args.get("year", "2561")) if request.args.get("year", "2561").isdigit() else 2561
    if m.group("house"):
        check_household(g.user, m.group("house"), year)
    elif m.group("area"):
        check_area(g.user, m.group("area"))
    return None


def _domain_error(e: DomainError):
    return _error(e.status, str(e), said=said(e, _lang()) if e.key else None)


def _error(status: int, message: str, retry_after: int | None = None, said: str | None = None):
    if _wants_html():
        # a person reads the page: the reason in their language (the API keeps its precise English reason)
        lang = _lang()
        lead = said or (t(f"error.{status}", lang) if f"error.{status}" in CATALOGUE else message)
        home = landing(g.user) if g.get("user") is not None else "/"
        body = _page(
            t("auth.error_title", lang),
            f"<p class='lead' id='error-reason'>{escape(lead)}</p>"
            f"<p><a href='{escape(home)}'>{escape(t('error.back', lang))}</a></p>",
        )
        response = Response(body, status=status, mimetype="text/html")
    else:
        response = jsonify({"error": message, "status": status})
        response.status_code = status
    if retry_after:
        response.headers["Retry-After"] = str(retry_after)
    return response


def _unauthorized(e: Unauthorized):
    if _wants_html():
        return redirect("/login?next=" + escape(request.full_path.rstrip("?")))
    return _error(401, str(e) or "sign in first")


def _forbidden(e: Forbidden):
    # Every refusal is in the trail, whichever route raised it; data_access audits its own (refuse()).
    if not getattr(e, "audited", False):
        audit.record(
            "access_denied",
            user=g.get("user"),
            object_type="route",
            object_id=request.path[:64],
            detail={"reason": str(e)[:200], "method": request.method},
            ip=_ip(),
        )
    return _error(403, str(e) or "outside your area")


def _rate_limited(e: RateLimited):
    audit.record("rate_limited", user=g.get("user"), object_id=request.path[:64], ip=_ip())
    return _error(429, str(e), e.retry_after)


# --- HTML pages (plain Flask forms: they must work before any JavaScript) -----------------------


def _lang() -> str:
    lang = request.args.get("lang") or request.cookies.get(LANG_COOKIE)
    return lang if lang in LANGS else "th"


def _page(title: str, body: str) -> str:
    return f"""<!doctype html><html lang="{_lang()}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>{escape(title)} · TPMAP Open</title>
<link rel="stylesheet" href="/assets/00-bootstrap.min.css"><link rel="stylesheet" href="/assets/10-tpmap.css"></head>
<body><main class="container my-4" style="max-width: 960px"><h1 class="h3 mb-3">{escape(title)}</h1>{body}</main></body></html>"""


def _form_token() -> str:
    return f"<input type='hidden' name='csrf_token' value='{escape(csrf_token())}'>"


@bp.route("/login", methods=["GET", "POST"])
def login():
    lang = _lang()
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
    alert = f"<div class='alert alert-danger' role='alert'>{escape(message)}</div>" if message else ""
    body = f"""{alert}<form method="post" action="/login" class="vstack gap-3" style="max-width: 420px">{_form_token()}
<input type="hidden" name="next" value="{escape(nxt)}">
<label class="form-label">{escape(t("auth.username", lang))}<input class="form-control form-control-lg" name="username"
 autocomplete="username" required autofocus></label>
<label class="form-label">{escape(t("auth.password", lang))}<input class="form-control form-control-lg" type="password"
 name="password" autocomplete="current-password" required></label>
<button class="btn btn-primary btn-lg" type="submit" id="login-submit">{escape(t("auth.sign_in", lang))}</button></form>"""
    return _page(t("auth.sign_in", lang), body), (401 if message else 200)


@bp.post("/logout")
def logout():
    if g.user is not None:
        audit.record("logout", user=g.user, ip=_ip())
    accounts.end_session(session.get("sid"))
    session.clear()
    response = redirect("/")
    response.delete_cookie(CSRF_COOKIE)
    return response


@bp.route("/account/password", methods=["GET", "POST"])
def change_password():
    lang = _lang()
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
    alert = f"<div class='alert alert-{'success' if ok else 'danger'}'>{escape(message)}</div>" if message else ""
    fields = "".join(
        f"<label class='form-label'>{escape(t(key, lang))}<input class='form-control' type='password' name='{name}' "
        f"autocomplete='{ac}' required></label>"
        for name, key, ac in (
            ("old", "auth.old_password", "current-password"),
            ("new", "auth.new_password", "new-password"),
            ("again", "auth.new_again", "new-password"),
        )
    )
    body = f"""{alert}<form method="post" class="vstack gap-3" style="max-width: 420px">{_form_token()}{fields}
<button class="btn btn-primary" type="submit">{escape(t("auth.change_password", lang))}</button></form>
<p class="mt-3"><a href="/">{escape(t("nav.country", lang))}</a></p>"""
    return _page(t("auth.change_password", lang), body)


@bp.route("/account/approvals", methods=["GET", "POST"])
def approvals():
    """The second approver's page: accounts made by an administrator that read named records start here."""
    if g.user is None:
        return redirect("/login?next=/account/approvals")
    lang = _lang()
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
    rows = "".join(
        f"<tr><td>{escape(a['username'])}</td><td>{escape(a['full_name'])}</td><td>{escape(t('role.' + a['role'], lang))}</td>"
        f"<td>{escape(', '.join(a['areas']))}</td><td>{escape(a['created_by'] or '')}</td><td>"
        f"<form method='post' class='d-flex gap-2'>{_form_token()}"
        f"<input type='hidden' name='username' value='{escape(a['username'])}'>"
        f"<input class='form-control form-control-sm' name='reason' placeholder='{escape(t('auth.reason', lang))}'>"
        f"<button class='btn btn-sm btn-success' name='decision' value='approve'>{escape(t('auth.approve', lang))}</button>"
        f"<button class='btn btn-sm btn-outline-danger' name='decision' value='reject'>{escape(t('auth.reject', lang))}"
        f"</button></form></td></tr>"
        for a in accounts.pending_accounts(g.user)
    )
    alert = f"<div class='alert alert-{'success' if ok else 'danger'}'>{escape(message)}</div>" if message else ""
    body = (
        f"{alert}<p>{escape(t('auth.approvals_help', lang))}</p>"
        f"<table class='table table-sm' id='approvals'><thead><tr><th>{escape(t('auth.username', lang))}</th>"
        f"<th>{escape(t('hh.name', lang))}</th><th>{escape(t('auth.role', lang))}</th><th>{escape(t('table.area', lang))}</th>"
        f"<th>{escape(t('auth.created_by', lang))}</th><th></th></tr></thead><tbody>{rows or ''}</tbody></table>"
        + ("" if rows else f"<p class='text-muted'>{escape(t('auth.no_approvals', lang))}</p>")
        + f"<p class='mt-3'><a href='/'>{escape(t('nav.country', lang))}</a></p>"
    )
    return _page(t("auth.approvals", lang), body)


def landing(user: CurrentUser) -> str:
    """Where a sign-in without a destination lands: the user's own area, not the country."""
    if may(user, ACCOUNTS_ALL):
        return "/admin/users"
    if user.covers_country or not user.areas:
        return "/"
    areas = list(user.areas)
    code = areas[0] if len(areas) == 1 else areas[0][:4]  # a team of several tambons: their amphoe
    return f"/area/{code}"


def _require_admin() -> CurrentUser:
    user = g.user
    if user is None:
        raise Unauthorized("sign in first")
    if not may(user, ACCOUNTS_ALL) and not user.is_area_admin:
        raise Forbidden("only administrators manage accounts and read the audit trail")
    return user


@bp.route("/admin/users", methods=["GET", "POST"])
def admin_users():
    manager = _require_admin()
    lang = _lang()
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
    rows = "".join(
        f"<tr><td>{escape(a['username'])}</td><td>"
        + (
            escape(a["full_name"])
            if a["full_name"]
            else f"<form method='post' class='d-flex gap-1'>{_form_token()}<input type='hidden' name='action' value='name'>"
            f"<input type='hidden' name='username' value='{escape(a['username'])}'>"
            f"<input class='form-control form-control-sm is-invalid' name='full_name' required "
            f"placeholder='{escape(t('auth.name_missing', lang))}'>"
            f"<button class='btn btn-sm btn-outline-primary'>{escape(t('auth.saved_name', lang))}</button></form>"
        )
        + f"</td><td>{escape(t('role.' + a['role'], lang))}"
        f"{' (admin)' if a['is_area_admin'] else ''}</td><td>{escape(', '.join(a['areas']))}</td>"
        f"<td>{escape(a['agency'] or '')}</td><td>{'✓' if a['active'] else '–'}"
        f"{'' if a.get('approval', 'approved') == 'approved' else ' ' + escape(t('auth.approval.' + a['approval'], lang))}</td><td>"
        + (
            f"<form method='post'>{_form_token()}<input type='hidden' name='action' value='deactivate'>"
            f"<input type='hidden' name='username' value='{escape(a['username'])}'>"
            f"<button class='btn btn-sm btn-outline-danger'>{escape(t('auth.deactivate', lang))}</button></form>"
            if a["active"] and a["username"] != manager.username
            else ""
        )
        + "</td></tr>"
        for a in accounts.list_accounts(manager)
    )
    alert = f"<div class='alert alert-{'success' if ok else 'danger'}'>{escape(message)}</div>" if message else ""
    options = "".join(f"<option value='{r}'>{escape(t(f'role.{r}', lang))}</option>" for r in accounts.creatable_roles(manager))
    body = f"""{alert}<table class="table table-sm"><thead><tr><th>{escape(t("auth.username", lang))}</th>
<th>{escape(t("hh.name", lang))}</th><th>{escape(t("auth.role", lang))}</th><th>{escape(t("table.area", lang))}</th><th>{escape(t("auth.agency", lang))}</th><th></th><th></th></tr>
</thead><tbody>{rows}</tbody></table>
<h2 class="h5 mt-4">{escape(t("auth.new_account", lang))}</h2>
<form method="post" class="row g-2">{_form_token()}
<div class="col-md-3"><input class="form-control" name="username" placeholder="{escape(t("auth.username", lang))}" required></div>
<div class="col-md-3"><input class="form-control" name="full_name" placeholder="{escape(t("hh.name", lang))}" required></div>
<div class="col-md-2"><select class="form-select" name="role">{options}</select></div>
<div class="col-md-2"><input class="form-control" name="areas" placeholder="7501 / 750101,750102" required></div>
<div class="col-md-2"><input class="form-control" name="agency" placeholder="agency"></div>
<div class="col-md-3"><input class="form-control" type="password" name="password" placeholder="{escape(t("auth.password", lang))}"
 autocomplete="new-password" required></div>
<div class="col-md-2"><button class="btn btn-primary" type="submit">{escape(t("auth.create", lang))}</button></div></form>
<p class="mt-3"><a href="/admin/audit">{escape(t("auth.audit", lang))}</a> · <a href="/">{escape(t("nav.country", lang))}</a></p>"""
    return _page(t("auth.accounts", lang), body)


@bp.get("/admin/audit")
def admin_audit():
    manager = _require_admin()
    lang = _lang()

    def day(name):
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
    actions = "".join(
        f"<option {'selected' if request.args.get('action') == a else ''}>{a}</option>" for a in ("", *audit.ACTIONS)
    )
    trs = "".join(
        f"<tr><td>{escape(str(r['at'])[:19])}</td><td>{escape(r['username'] or '')}</td><td>{escape(r['action'])}</td>"
        f"<td>{escape(r['object_type'] or '')} {escape(r['object_id'] or '')}</td><td>{escape(r['area_code'] or '')}</td>"
        f"<td class='small'>{escape(r['detail'] or '')}</td></tr>"
        for r in rows
    )
    q = escape(request.query_string.decode())
    body = f"""<form class="row g-2 mb-3" method="get">
<div class="col-md-3"><input class="form-control" name="username" value="{escape(request.args.get("username", ""))}" placeholder="{escape(t("auth.username", lang))}"></div>
<div class="col-md-3"><select class="form-select" name="action">{actions}</select></div>
<div class="col-md-2"><input class="form-control" type="date" name="since" value="{escape(request.args.get("since", ""))}"></div>
<div class="col-md-2"><input class="form-control" type="date" name="until" value="{escape(request.args.get("until", ""))}"></div>
<div class="col-md-2"><button class="btn btn-primary" type="submit">{escape(t("auth.filter", lang))}</button></div></form>
<p><a class="btn btn-outline-secondary btn-sm" href="/admin/audit?{q}&format=csv">CSV</a></p>
<table class="table table-sm" id="audit-table"><thead><tr><th>at (UTC)</th><th>user</th><th>action</th><th>object</th><th>area</th>
<th>detail</th></tr></thead><tbody>{trs}</tbody></table>"""
    return _page(t("auth.audit", lang), body)
