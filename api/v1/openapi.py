"""The API's OpenAPI 3.1 document, built from the routes' declarations (api.contract) once per process."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, json

from api import models
from api.contract import document, operation

bp = Blueprint("openapi", __name__)


@bp.get("/openapi.json")
@operation("GET", "This document: every /api/v1 route, what it reads and what it answers", models.Answer)
def openapi_document() -> Response:
    built = current_app.extensions.get("openapi")
    if built is None:  # the routes are fixed once the app is made
        built = current_app.extensions["openapi"] = json.dumps(document(current_app), ensure_ascii=False).encode()
    return Response(built, mimetype="application/json")
