"""Issue 32, item 3: one error path. Every domain error is answered by auth.respond.respond on the surface that
asked: JSON for a program (the English reason pinned, the reader's words beside it), a page in the reader's language
for a person, the alert line for a Dash callback (tests/test_structure.py sends a refused callback)."""

from __future__ import annotations

import re
from html import unescape

from sqlalchemy import text

from components.i18n import t
from tests.utils.world import bearer, session_client

YEAR = 2564
THAI = re.compile("[\u0e00-\u0e7f]")
BAD_QUARTER = "2564-Q9"
REASON = "a quarter is written like 2564-Q3 (Buddhist-era fiscal year), not '2564-Q9'"  # parse_quarter's own


def test_the_api_answers_json_with_its_status_the_english_reason_and_the_readers_words(isolated_world):
    client = isolated_world["app"].server.test_client()
    province = bearer(isolated_world, "province")
    for lang in ("th", "en"):
        r = client.get(f"/api/v1/reports/quarterly/75/{BAD_QUARTER}?lang={lang}", headers=province | {"Accept": "text/html"})
        body = r.get_json()
        assert r.status_code == 400 and r.is_json, (r.status_code, r.mimetype)
        assert body["status"] == 400 and body["error"] == REASON  # a DateError, once answered by its own handler
        assert body["said"] == t("err.date_written", lang, detail=REASON)
    assert THAI.search(body["said"]) is None and THAI.search(t("err.date_written", "th", detail=REASON))


def test_a_replayed_key_is_answered_by_the_same_door(isolated_world):
    """idempotency's KeyReused (422) and StillRunning (409, Retry-After) are domain errors like any other."""
    from auth.respond import respond
    from data_access.idempotency import KeyReused, StillRunning

    with isolated_world["app"].server.test_request_context("/api/v1/visits?lang=en"):
        reused = respond(KeyReused("this Idempotency-Key was already used for a different request; send a new key"), "api")
        running = respond(StillRunning("the first request with this key is still running"), "api")
    assert reused.status_code == 422 and reused.get_json()["said"] == t("err.key_reused", "en")
    assert running.status_code == 409 and running.headers["Retry-After"] == "2"
    assert running.get_json() == {
        "error": "the first request with this key is still running",
        "status": 409,
        "said": t("err.still_running", "en"),
    }


def test_a_person_gets_a_page_in_their_language_with_the_errors_status(isolated_world):
    client = isolated_world["app"].server.test_client()
    html = {"Accept": "text/html"}
    thai = client.get(f"/reports/quarterly/75/{BAD_QUARTER}.pdf", headers=html)
    english = client.get(f"/reports/quarterly/75/{BAD_QUARTER}.pdf?lang=en", headers=html)
    for r, lang in ((thai, "th"), (english, "en")):
        assert r.status_code == 400 and r.mimetype == "text/html", (r.status_code, r.mimetype)
        lead = unescape(re.search(r'id="error-reason">([^<]*)<', r.get_data(as_text=True)).group(1))
        assert lead == t("err.date_written", lang, detail=REASON), lead
    # the same address asked by a program: JSON
    assert client.get(f"/reports/quarterly/75/{BAD_QUARTER}.pdf").get_json()["error"] == REASON


def test_a_page_refusal_is_a_page_and_in_the_trail_and_sign_in_first_is_the_sign_in_page(isolated_world):
    html = {"Accept": "text/html"}
    signed_out = isolated_world["app"].server.test_client().get("/admin/users", headers=html)
    assert signed_out.status_code == 302 and signed_out.headers["Location"] == "/login?next=/admin/users"
    district, _ = session_client(isolated_world, "district")
    with isolated_world["engine"].connect() as conn:
        before = conn.execute(text("SELECT COUNT(*) FROM audit_event WHERE action = 'access_denied'")).scalar()
    r = district.get("/admin/users?lang=en", headers=html)
    assert r.status_code == 403 and r.mimetype == "text/html"
    assert t("error.403", "en") in r.get_data(as_text=True)
    with isolated_world["engine"].connect() as conn:
        after = conn.execute(text("SELECT COUNT(*) FROM audit_event WHERE action = 'access_denied'")).scalar()
    assert after == before + 1  # once: said and audited by the one door


def test_which_surface_a_request_is_answered_on(isolated_world):
    from auth.respond import surface_of_request

    server = isolated_world["app"].server
    cases = {
        ("/area/75", "text/html,application/xhtml+xml"): "page",
        ("/area/75", "*/*"): "api",
        ("/api/v1/areas/75", "text/html"): "api",
        ("/_dash-update-component", "text/html"): "api",  # Dash's own requests; a callback's errors: its on_error
        ("/export/children.csv", "text/html"): "page",
    }
    for (path, accept), expected in cases.items():
        with server.test_request_context(path, headers={"Accept": accept}):
            assert surface_of_request() == expected, (path, accept)


def test_anything_else_a_callback_or_route_raises_is_said_as_the_servers_fault(isolated_world, caplog):
    from sqlalchemy.exc import OperationalError

    from auth.respond import as_domain_error, respond
    from data_access.errors import DomainError

    with isolated_world["app"].server.test_request_context("/api/v1/areas/75?lang=en"):
        fault = as_domain_error(KeyError("a bug"))
        outage = as_domain_error(OperationalError("SELECT 1", {}, Exception("server closed the connection unexpectedly")))
        answer = respond(fault, "api")
        down = respond(outage, "api")
    assert isinstance(fault, DomainError) and fault.status == 500 and "a bug" not in str(fault)
    assert answer.status_code == 500 and answer.get_json()["said"] == t("err.500", "en")
    assert "a bug" in caplog.text  # logged with its traceback, not said
    assert outage.status == 503 and down.status_code == 503
    assert down.headers["Retry-After"] == "5" and down.headers["Cache-Control"] == "no-store"
