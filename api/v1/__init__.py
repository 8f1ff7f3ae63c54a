"""The API (pinned routes and fields).

Public aggregates: GET /api/v1/areas/<code>, GET /api/v1/areas/<code>/children.
Sign-in for scripts and the field app: POST /api/v1/auth/login, POST /api/v1/auth/logout.
Named records, scoped to the caller's area by data_access: GET /api/v1/areas/<code>/households,
GET /api/v1/households/<house_id>, POST /api/v1/households/<house_id>/members/<n>/citizen-id.
"""

from __future__ import annotations

from flask import Blueprint

from api import replay
from api.v1 import areas, committees, households, logbook, openapi, registers, sessions, targeting, vulnerable

bp = Blueprint("api_v1", __name__, url_prefix="/api/v1")
replay.init(bp)  # Idempotency-Key on every POST, PUT and PATCH (pinned); the hooks run for every resource below
for resource in (areas, sessions, households, logbook, targeting, committees, vulnerable, registers, openapi):
    bp.register_blueprint(resource.bp)
