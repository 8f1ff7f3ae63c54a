"""The `Idempotency-Key` header (pinned) on every POST, PUT and PATCH of the API: a repeated key returns the
first result (status and body) instead of writing again. Keys are per user; a key is 1-128 printable
characters (a UUID is the usual choice). The answer to a repeat carries `Idempotent-Replayed: true`. How keys are
held, kept and purged is data_access.idempotency's."""

from __future__ import annotations

import hashlib
import json
import logging

from flask import Blueprint, Response, g, request
from werkzeug.wrappers import Response as BaseResponse

from auth.respond import respond
from data_access import idempotency
from data_access.db import is_outage
from data_access.errors import BadRequest

log = logging.getLogger(__name__)

HEADER = "Idempotency-Key"
WRITES = {"POST", "PUT", "PATCH"}
NOT_REPLAYED = {"/api/v1/auth/login", "/api/v1/auth/logout"}


def init(bp: Blueprint) -> None:
    bp.before_request(_before)
    bp.after_request(_after)
    bp.teardown_request(_let_go)


def _before() -> BaseResponse | None:
    key = request.headers.get(HEADER)
    if key is None or request.method not in WRITES or request.path in NOT_REPLAYED:
        return None
    if not 1 <= len(key) <= 128 or any(ord(c) < 33 or ord(c) > 126 for c in key):
        return respond(BadRequest(f"{HEADER} must be 1-128 printable characters (a UUID, say)"), "api")
    user = g.get("user")
    if user is None:
        return None  # the route answers 401 as usual; nothing is written, nothing to remember
    body = hashlib.sha256(request.get_data(cache=True)).hexdigest()
    try:
        claimed = idempotency.claim(user.id, key, request.method, request.full_path.rstrip("?")[:300], body)
    except (idempotency.KeyReused, idempotency.StillRunning) as e:
        return respond(e, "api")  # 422; 409 with Retry-After (the errors' own)
    if isinstance(claimed, idempotency.Stored):
        response = Response(claimed.response, status=claimed.status, mimetype="application/json")
        response.headers["Idempotent-Replayed"] = "true"
        return response
    g.idempotency_held = (claimed, idempotency.holding(claimed))  # until the request ends (_let_go)
    g.idempotency = claimed  # until it is answered (_after)
    return None


def _after(response: Response) -> Response:
    claim = g.pop("idempotency", None)
    if claim is None:
        return response
    try:
        if response.status_code >= 500 or response.status_code == 429:
            idempotency.release(claim)  # the server's failure or a throttle: a retry should run afresh
            return response
        body = response.get_data(as_text=True)
        try:
            json.loads(body or "null")
        except ValueError:
            body = json.dumps({"status": response.status_code})
        idempotency.finish(claim, response.status_code, body)
    except Exception as error:
        if not is_outage(error):
            raise
        # The write, if there was one, is committed and its claim marked applied in the same transaction: the
        # caller is told the truth (this answer), and a replay is answered without running it again.
        log.warning("the answer to an idempotent request could not be stored: %s", type(error).__name__)
    return response


def _let_go(_error: BaseException | None) -> None:
    """The request no longer holds its claim, whatever happened (the thread serves other requests next): the key's
    lock goes with it, so a repeat waiting for this request goes on."""
    held = g.pop("idempotency_held", None)
    if held is not None:
        idempotency.done_holding(*held)
