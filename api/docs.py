"""/api/docs: the API's reference, Swagger UI rendering /api/v1/openapi.json from files this server sends
(static/vendor/swagger-ui, from npm with its licence; static/api-docs.js starts it). No CDN, no inline script."""

from __future__ import annotations

import functools
from pathlib import Path

from flask import Blueprint, Response, abort, render_template, request

import static_files
from components.i18n import LANGS, t
from components.view import LANG_COOKIE

bp = Blueprint("api_docs", __name__)
STATIC = Path(__file__).resolve().parent.parent / "static"
VENDOR = STATIC / "vendor" / "swagger-ui"
# the files the page loads, by the name it asks for them (nothing else under static/ is reachable here)
FILES = {
    "swagger-ui-bundle.js": (VENDOR / "swagger-ui-bundle.js", "text/javascript"),
    "swagger-ui.css": (VENDOR / "swagger-ui.css", "text/css"),
    "api-docs.js": (STATIC / "api-docs.js", "text/javascript"),
}


@functools.cache
def _url(name: str) -> str:
    """The file's address with its content's hash (hashed once a process: the bundle is 1.8 MB)."""
    return f"/api/docs/{name}?v={static_files.content_version(FILES[name][0])}"


@bp.get("/api/docs")
def docs_page() -> str:
    lang = request.args.get("lang") or request.cookies.get(LANG_COOKIE) or "th"
    lang = lang if lang in LANGS else "th"
    return render_template(
        "api_docs.html",
        lang=lang,
        title=t("api.docs_title", lang),
        spec="/api/v1/openapi.json",
        css=_url("swagger-ui.css"),
        bundle=_url("swagger-ui-bundle.js"),
        init=_url("api-docs.js"),
    )


@bp.get("/api/docs/<name>")
def docs_file(name: str) -> Response:
    if name not in FILES:
        abort(404)
    path, mimetype = FILES[name]
    return static_files.send(path, mimetype, max_age=365 * 86400)  # the address names its content's version
