"""Sign-in for scripts and the field app: bearer tokens (pinned)."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request
from pydantic import ValidationError

from api import models
from api.contract import operation
from api.v1.common import BadRequest
from auth.context import current_user
from data_access import accounts, ratelimit
from data_access.errors import Unauthorized

bp = Blueprint("sessions", __name__)


@bp.post("/auth/login")
@operation("POST", "Sign in: a bearer token", models.Token, body=models.LoginBody)
def login() -> Response:
    try:
        body = models.LoginBody.model_validate(request.get_json(silent=True) or {})
    except ValidationError:
        raise BadRequest('send JSON {"username": …, "password": …}') from None
    ratelimit.hit("login", request.remote_addr or "-", "too many sign-in attempts; wait a minute")
    signed = accounts.authenticate(body.username, body.password, ip=request.remote_addr)  # LoginFailed: 401
    token, expires = accounts.issue_token(signed.user, ip=request.remote_addr)
    return jsonify(
        {
            "token": token,
            "expires_at": expires.isoformat(),
            "username": signed.user.username,
            "role": signed.user.role,
            "areas": list(signed.user.areas),
        }
    )


@bp.post("/auth/logout")
@operation("POST", "Revoke the bearer token sent", models.Revoked)
def logout() -> Response:
    header = request.headers.get("Authorization", "")
    user = current_user()
    if not header.startswith("Bearer ") or user is None:
        raise Unauthorized("send the token to revoke as Authorization: Bearer <token>")
    accounts.revoke_token(header[7:].strip(), user)
    return jsonify({"revoked": True})
