"""The API as a contract: each /api/v1 route declares its operation (`@operation`) with the models of api.models
it reads and answers; the route's query and body are validated by those models, and the OpenAPI 3.1 document
served at /api/v1/openapi.json is built from the same declarations and the app's url_map (tests/test_openapi.py
fails on a route the document lacks)."""

from __future__ import annotations

import functools
import re
import typing
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from flask import Flask, request
from pydantic import BaseModel, ValidationError
from pydantic.json_schema import models_json_schema

from api import inputs, models

VERSION = "1"
WRITES = ("POST", "PUT", "PATCH", "DELETE")
# every refusal any route can give, whatever the operation: input (400), sign-in (401), area or role (403), absent
# (404), a stale version or a request still running (409), a body too large (413), an Idempotency-Key reused for
# another request (422), throttled (429), the database away for a moment (503)
ERROR_STATUSES = ("400", "401", "403", "404", "409", "413", "422", "429", "503")
# how the path variables of the routes are written (area codes, house ids, quarters, ...)
PATH_SCHEMAS: dict[str, dict[str, Any]] = {
    "code": {"type": "string", "pattern": "^(TH|[0-9]{2}|[0-9]{4}|[0-9]{6})$", "examples": ["TH", "75", "7501", "750101"]},
    "province_code": {"type": "string", "pattern": "^[0-9]{2}$", "examples": ["75"]},
    "quarter": {"type": "string", "pattern": "^[0-9]{4}-Q[1-4]$", "examples": ["2564-Q3"]},
    "house_id": {"type": "string", "maxLength": 64},
    "token": {"type": "string", "maxLength": 64},
    "decision": {"type": "string", "enum": ["approve", "reject"]},
}
INT_PATH = {"type": "integer", "minimum": 0, "maximum": inputs.INT32_MAX}

V = TypeVar("V", bound=Callable[..., Any])


@dataclass(frozen=True)
class Operation:
    """One method of one route: what it reads and what it answers."""

    summary: str
    answer: type[BaseModel] | None
    status: int = 200
    query: type[models.Query] | None = None
    body: type[BaseModel] | None = None
    body_required: bool = True
    form: type[BaseModel] | None = None
    # other media types of the success answer (a CSV download of the same table, a PDF)
    media: tuple[str, ...] = ()
    tags: tuple[str, ...] = field(default_factory=tuple)


def operation(method: str, summary: str, answer: type[BaseModel] | None, **kw: Any) -> Callable[[V], V]:
    """Declare a route's `method` (stack one per method, under the route decorator): its query is validated by the
    model before the route runs, and the document describes it."""

    def declare(view: V) -> V:
        declared: dict[str, Operation] | None = getattr(view, "__contract__", None)
        if declared is not None:  # the route's other method, on the wrapper already made
            declared[method] = Operation(summary, answer, **kw)
            return view

        @functools.wraps(view)
        def checked(*args: Any, **kwargs: Any) -> Any:
            op = checked.__contract__.get(request.method)  # type: ignore[attr-defined]
            if op is not None and op.query is not None:
                query(op.query)
            return view(*args, **kwargs)

        checked.__contract__ = {method: Operation(summary, answer, **kw)}  # type: ignore[attr-defined]
        return checked  # type: ignore[return-value]

    return declare


def query(model: type[models.Query]) -> BaseModel:
    """The request's query string read by `model`; the first problem refused with the route's own sentence."""
    given = {f.alias or name: request.args.get(f.alias or name) for name, f in model.model_fields.items()}
    try:
        return model.model_validate(given)
    except ValidationError as e:
        raise _refusal(model, e) from None


def fields(body: dict, model: type[models.Body]) -> dict:
    """The fields of a JSON object that `model` names, each of its type (None: not given); an unknown field, a
    missing one ("" is missing) or one of the wrong type refused, in that order, as inputs.fields did by hand."""
    named = set(model.model_fields)
    unknown = set(body) - named
    if unknown:
        raise inputs.BadInput(f"unknown field(s): {', '.join(sorted(str(u)[:40] for u in unknown))}")
    missing = [name for name, f in model.model_fields.items() if f.is_required() and body.get(name) in (None, "")]
    if missing:
        raise inputs.BadInput(f"missing field(s): {', '.join(missing)}")
    given = {k: v for k, v in body.items() if v is not None}
    try:
        checked = model.model_validate(given)
    except ValidationError as e:
        raise _refusal(model, e) from None
    return {k: getattr(checked, k) for k in model.model_fields if k in given and k not in models.Body.model_fields}


def _refusal(model: type[BaseModel], error: ValidationError) -> inputs.BadInput:
    """The first problem pydantic found, said as the hand-written checks said it: a route's own refusal (raised
    in a validator) as it is, "<field> <problem>" for a value, "<field> must be <kind>" for a type."""
    problems = error.errors()
    first = problems[0]
    name = str(first["loc"][0]) if first["loc"] else "body"
    for problem in problems:  # a union's members each fail: a value's problem is said before a type's
        if problem["loc"][:1] != first["loc"][:1]:
            break
        cause = (problem.get("ctx") or {}).get("error")
        if isinstance(cause, inputs.BadInput):
            return cause
        if isinstance(cause, ValueError):
            return inputs.BadInput(f"{name} {cause}")
    f = model.model_fields.get(name)
    kind = _kind(f.metadata, f.annotation) if f else None
    return inputs.BadInput(f"{name} must be {kind}" if kind else f"{name}: {first['msg']}")


def _kind(metadata: list[Any], annotation: Any) -> str | None:
    """How the field's type is said: its own Kind, or the one inside an optional one (`Number | None`)."""
    for m in [*metadata, *getattr(annotation, "__metadata__", ())]:
        if isinstance(m, models.Kind):
            return m.said
    return next((k for arg in typing.get_args(annotation) if (k := _kind([], arg))), None)


# --- the document ----------------------------------------------------------------------------------------------


def document(server: Flask) -> dict[str, Any]:
    """The OpenAPI 3.1 document of every /api/v1 route the app has, from the routes' declarations."""
    ops = list(_operations(server))
    refs, schemas = _schemas({m for _, _, op in ops for m in _models(op)})
    paths: dict[str, dict[str, Any]] = {}
    for rule, method, op in ops:
        paths.setdefault(openapi_path(rule.rule), {})[method.lower()] = _operation(rule, method, op, refs)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "TPMAP Open API",
            "version": VERSION,
            "description": (
                "Public aggregates need no sign-in; named records are scoped to the caller's area. Sign in with "
                "POST /api/v1/auth/login and send `Authorization: Bearer <token>`, or use the site's session cookie "
                "with its CSRF token (X-CSRFToken) on writes. Every POST, PUT and PATCH honours an Idempotency-Key."
            ),
        },
        "servers": [{"url": "/"}],
        "paths": dict(sorted(paths.items())),
        "components": {
            "schemas": schemas,
            "responses": {
                "Refused": {
                    "description": "refused: the reason in `error` (English), the status again in `status`",
                    "content": {"application/json": {"schema": {"$ref": refs[models.Error]}}},
                }
            },
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer"},
                "session": {"type": "apiKey", "in": "cookie", "name": "session"},
            },
        },
        "security": [{}, {"bearer": []}, {"session": []}],
    }


def openapi_path(rule: str) -> str:
    """/api/v1/households/<house_id>/needs/<int:need_id> → /api/v1/households/{house_id}/needs/{need_id}"""
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule)


def _operations(server: Flask) -> list[tuple[Any, str, Operation]]:
    found = []
    for rule in server.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/"):
            continue
        declared = getattr(server.view_functions[rule.endpoint], "__contract__", {})
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            if method in declared:
                found.append((rule, method, declared[method]))
    return found


def _models(op: Operation) -> list[type[BaseModel]]:
    return [m for m in (op.answer, op.body, op.form, models.Error) if m is not None]


def _schemas(used: set[type[BaseModel]]) -> tuple[dict, dict]:
    ordered = sorted(used, key=lambda m: m.__name__)
    key_map, top = models_json_schema(
        [(m, "validation") for m in ordered], ref_template="#/components/schemas/{model}", by_alias=True
    )
    refs = {m: key_map[(m, "validation")]["$ref"] for m in ordered}
    return refs, dict(sorted(top.get("$defs", {}).items()))


def _operation(rule: Any, method: str, op: Operation, refs: dict) -> dict[str, Any]:
    out: dict[str, Any] = {
        "operationId": f"{rule.endpoint.rsplit('.', 1)[-1]}_{method.lower()}",
        "summary": op.summary,
        "tags": [rule.endpoint.split(".")[1] if rule.endpoint.count(".") > 1 else "api"],
        "parameters": _path_parameters(rule) + _query_parameters(op.query) + _headers(method),
        "responses": _responses(op, refs),
    }
    if op.body is not None:
        out["requestBody"] = {"required": op.body_required, "content": {"application/json": {"schema": {"$ref": refs[op.body]}}}}
    if op.form is not None:
        out["requestBody"] = {"required": True, "content": {"multipart/form-data": {"schema": {"$ref": refs[op.form]}}}}
    return out


def _path_parameters(rule: Any) -> list[dict[str, Any]]:
    params = []
    for name in re.findall(r"<(?:[^:<>]+:)?([^<>]+)>", rule.rule):
        converter = rule._converters.get(name)
        schema = INT_PATH if type(converter).__name__ == "BoundedInt" else PATH_SCHEMAS.get(name, {"type": "string"})
        params.append({"name": name, "in": "path", "required": True, "schema": schema})
    return params


def _query_parameters(model: type[models.Query] | None) -> list[dict[str, Any]]:
    if model is None:
        return []
    schema = model.model_json_schema(by_alias=True)
    required = set(schema.get("required", []))
    params = []
    for name, prop in schema.get("properties", {}).items():
        prop = {k: v for k, v in prop.items() if k not in ("title", "default")}
        param: dict[str, Any] = {"name": name, "in": "query", "required": name in required, "schema": prop}
        if "description" in prop:
            param["description"] = prop.pop("description")
        params.append(param)
    return params


def _headers(method: str) -> list[dict[str, Any]]:
    if method not in WRITES or method == "DELETE":
        return []
    return [
        {
            "name": "Idempotency-Key",
            "in": "header",
            "required": False,
            "description": "1-128 printable characters (a UUID): a retry with the same key is answered, not written again",
            "schema": {"type": "string", "pattern": "^[!-~]{1,128}$"},
        }
    ]


def _responses(op: Operation, refs: dict) -> dict[str, Any]:
    content: dict[str, Any] = {}
    if op.answer is not None:
        content["application/json"] = {"schema": {"$ref": refs[op.answer]}}
    for media in op.media:
        content[media] = {"schema": {"type": "string"}}
    out: dict[str, Any] = {str(op.status): {"description": op.summary, "content": content}}
    for status in ERROR_STATUSES:
        out[status] = {"$ref": "#/components/responses/Refused"}
    return out
