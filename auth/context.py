"""Who is asking, and in which language: what pages and components read about the request (no routes here).

`auth.web` puts the user in `flask.g` before any route (from the session cookie or a bearer token); this module
only reads it, so a page or a component depends on the request's context, not on the sign-in pages."""

from __future__ import annotations

import secrets

from flask import g, request, session

from components.i18n import LANGS
from components.view import LANG_COOKIE
from data_access.access import CurrentUser
from data_access.policy import ACCOUNTS_ALL, may


def current_user() -> CurrentUser | None:
    return g.get("user")


def csrf_token() -> str:
    """The session's token against cross-site requests, made on first use."""
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(32)
    return session["csrf"]


def reader_lang() -> str:
    """The language a server-rendered answer is written in: `?lang=`, else the toggle's cookie, else Thai."""
    lang = request.args.get("lang") or request.cookies.get(LANG_COOKIE)
    return lang if lang in LANGS else "th"


def landing(user: CurrentUser) -> str:
    """Where a sign-in without a destination lands: the user's own area, not the country."""
    if may(user, ACCOUNTS_ALL):
        return "/admin/users"
    if user.covers_country or not user.areas:
        return "/"
    areas = list(user.areas)
    code = areas[0] if len(areas) == 1 else areas[0][:4]  # a team of several tambons: their amphoe
    return f"/area/{code}"
