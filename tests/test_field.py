"""Issue 18, the field app (/field/) in headless Chromium as a 360×740 touch phone, against a live server.

The phone goes offline for real: it reaches the server through a TCP relay on its own port (the app's origin),
and the relay is shut (nothing listening, every connection cut) and opened again. Browser offline emulation is
not used: it does not reach the service worker's own fetches, so it would not show that the app starts from the
phone alone.
"""

from __future__ import annotations

import json
import os

import pytest
from sqlalchemy import text

from data_access import accounts
from data_access import logbook as logbook_da
from scripts import chromium
from tests.utils.served import Relay, request, samut_songkhram_site, served
from tests.utils.waiting import wait_until

pytestmark = pytest.mark.browser
PASSWORD = "field-test-secret"
TEAM_TAMBONS = ("750103", "750104")
YEAR = 2561


def _with_check_digit(first12: str) -> str:
    total = sum(int(d) * (13 - i) for i, d in enumerate(first12))
    return first12 + str((11 - total % 11) % 10)


MISSED_ID = _with_check_digit("110170099871")  # a person the survey missed (not in the synthetic population)


@pytest.fixture(scope="module")
def site(tmp_path_factory, boundaries):
    if not chromium.available():
        msg = "the field app's tests need Debian's chromium and chromium-driver"
        if os.environ.get("TPMAP_REQUIRE_BROWSER") == "1":
            pytest.fail(msg)
        pytest.skip(msg)
    import logging

    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    tmp = tmp_path_factory.mktemp("field")
    with samut_songkhram_site(tmp, boundaries, YEAR, seed=5) as engine:
        accounts.create_user(
            username="field.team", full_name="ทีมภาคสนาม", role="team", areas=list(TEAM_TAMBONS), password=PASSWORD, engine=engine
        )
        accounts.create_user(
            username="field.district", full_name="นายอำเภอ", role="district", areas=["7501"], password=PASSWORD, engine=engine
        )
        from app import create_app

        with served(create_app().server) as direct:
            relay = Relay(("127.0.0.1", int(direct.split(":")[1])))
            relay.open()
            yield {"base": f"http://127.0.0.1:{relay.port}", "direct": direct, "engine": engine, "relay": relay}
            if relay.listener is not None and relay.listener.fileno() != -1:
                relay.cut()


def _phone():
    driver = chromium.make_driver(console_log=True, lang="th")
    chromium.emulate_phone(driver, 360, 740)
    driver.execute_cdp_cmd("Emulation.setTouchEmulationEnabled", {"enabled": True, "maxTouchPoints": 5})
    return driver


def wait_for(driver, predicate, timeout=20.0, what="condition"):
    """An exception counts as not yet: the page is between two renders."""
    return wait_until(predicate, timeout, what, describe=lambda: f"page: {driver.find_element('tag name', 'body').text[:500]}")


def css(driver, selector):
    return driver.find_elements("css selector", selector)


def tap(driver, selector):
    """Find and click in one step: the app redraws a view after each sync attempt, so an element found in one call
    may be gone by the next."""
    script = "const e = document.querySelector(arguments[0]); if (!e) return false; e.scrollIntoView({block: 'center'}); e.click(); return true;"
    wait_for(driver, lambda: driver.execute_script(script, selector), what=selector)


def ready(driver):
    return driver.execute_script("return document.body && document.body.dataset.ready === '1'")


def open_app(driver, base):
    driver.get(base + "/field/")
    wait_for(driver, lambda: ready(driver), what="the app started")


def sign_in_and_prepare(driver, base):
    """The team at the office: the app opened, signed in, the day prepared."""
    open_app(driver, base)
    fill(driver, "username", "field.team")
    fill(driver, "password", PASSWORD)
    tap(driver, "#sign-in button[type=submit]")
    tap(driver, "#prepare")
    wait_for(driver, lambda: css(driver, "#households a.household"), what="the prepared list")


def controlled(driver) -> bool:
    return driver.execute_async_script(
        "const done = arguments[0];"
        "navigator.serviceWorker.ready.then(() => done(!!navigator.serviceWorker.controller)).catch(() => done(false));"
    )


def fill(driver, element_id, value):
    driver.execute_script(
        "const e = document.getElementById(arguments[0]); e.value = arguments[1];"
        "e.dispatchEvent(new Event('input', {bubbles: true}));",
        element_id,
        value,
    )


def queue_states(driver) -> dict[str, str]:
    # read in one script: the list is redrawn while records are sent, and an element found in one call can be gone in
    # the next (a stale element, seen once in a full run)
    return driver.execute_script(
        "const o = {}; document.querySelectorAll('#queue li.record').forEach((e) => { o[e.dataset.key] = e.dataset.state; });"
        " return o;"
    )


def test_queue_logic_alone(site):
    """The queue module by itself (no IndexedDB, no network): order, idempotency keys, references between records
    made offline, what each answer means, and the versions a status change names."""
    driver = _phone()
    try:
        driver.get(site["base"] + "/field/manifest.webmanifest")  # any page of the origin: the module is imported
        result = driver.execute_async_script(
            """
            const done = arguments[0];
            (async () => {
              const Q = await import('/field/queue.js');
              const out = {};
              const visit = Q.makeRecord({kind: 'visit', house_id: 'H1', year: 2561, body: {visited_on: '2024-01-02', outcome: 'verified'}, seq: 1});
              const need = Q.makeRecord({kind: 'need', house_id: 'H1', year: 2561, body: {dimension: 'health', description: 'x'}, seq: 2});
              const help = Q.makeRecord({kind: 'assistance', house_id: 'H1', year: 2561, body: {kind: 'cash'}, refs: {need_id: need.key}, seq: 3});
              const status = Q.makeRecord({kind: 'status', house_id: 'H1', year: 2561, body: {status: 'sufficiency', reason: 'r'}, seq: 4, seenVersion: 7});
              const other = Q.makeRecord({kind: 'status', house_id: 'H2', year: 2561, body: {status: 'survival', reason: 'r'}, seq: 5, seenVersion: 3});
              out.keys = new Set([visit, need, help, status, other].map((r) => r.key)).size;
              const byKey = Object.fromEntries([visit, need, help, status, other].map((r) => [r.key, r]));
              out.blocked = Q.requestFor(help, byKey).blocked;
              // the server: ids from 100; H1 is at version 7 when the phone was prepared, H2 was changed by someone (409)
              const sent = [];
              let version = {H1: 7, H2: 4};
              let down = true;
              const send = async (req) => {
                if (down) { down = false; return {status: 0, answer: 'no network'}; }
                sent.push(req);
                const house = req.path.split('/')[4];
                if (req.method === 'PUT' && req.body.version !== version[house]) return {status: 409, answer: {error: 'changed', said: 'มีผู้แก้ไขแล้ว'}};
                version[house] += 1;
                return {status: req.method === 'PUT' ? 200 : 201, answer: {id: 100 + sent.length, version: version[house]}};
              };
              const saved = {};
              const save = async (r) => { saved[r.key] = r; };
              const records = [other, status, help, need, visit];  // stored in any order: sent by seq
              let versions = {H1: {base: 7, version: 7, ours: true}, H2: {base: 3, version: 3, ours: true}};
              const first = await Q.sync(records, send, save, versions);
              out.first = {sent: first.sent, stopped: first.stopped, saved: Object.keys(saved).length};
              const after = records.map((r) => saved[r.key] || r);
              const second = await Q.sync(after, send, save, first.versions);
              out.second = {sent: second.sent, conflicts: second.conflicts};
              out.order = sent.map((r) => r.method + ' ' + r.path.split('/').slice(-1)[0].split('?')[0]);
              out.helpNeed = sent[2].body.need_id;
              out.needId = saved[need.key].serverId;
              out.statusVersion = sent[3].body.version;
              out.states = Object.fromEntries(Object.values(saved).map((r) => [r.body.status || r.kind, r.state]));
              out.reason = saved[other.key].reason;
              const mine = Q.resolve(saved[other.key], 'mine', 4);
              const third = await Q.sync([mine], send, save, second.versions);
              out.third = {sent: third.sent, version: sent[sent.length - 1].body.version};
              out.theirs = Q.resolve(saved[other.key], 'theirs', 4).state;
              const missed = Q.makeRecord({kind: 'member', house_id: 'H1', year: 2561, body: {citizen_id: '1101700998711', first_name: 'a'}, seq: 6});
              const missedReq = Q.requestFor(missed, {}, {});
              out.member = {path: missedReq.path, house: missedReq.body.house_id,
                            sent: Q.outcome(missed, 201, {id: 5}).record.body.citizen_id,
                            refused: Q.outcome(missed, 400, {error: 'duplicate'}).record.body.citizen_id,
                            valid: [Q.citizenIdValid('1101700998711'), Q.citizenIdValid('1101700998712')]};
              out.keysSent = sent.map((r) => r.headers['Idempotency-Key']);
              out.otherKey = other.key;
              // a refused record makes what points at it refused too, never sent
              const n2 = {...Q.makeRecord({kind: 'need', house_id: 'H3', year: 2561, body: {}, seq: 9}), state: Q.REFUSED};
              const h2 = Q.makeRecord({kind: 'assistance', house_id: 'H3', year: 2561, body: {}, refs: {need_id: n2.key}, seq: 10});
              const before = sent.length;
              const fourth = await Q.sync([n2, h2], send, save, {});
              out.dependent = {refused: fourth.refused, sentMore: sent.length - before, reason: saved[h2.key].reason};
              // busy server: the record waits and nothing after it is sent
              const busy = [Q.makeRecord({kind: 'visit', house_id: 'H4', year: 2561, body: {}, seq: 11}), Q.makeRecord({kind: 'visit', house_id: 'H4', year: 2561, body: {}, seq: 12})];
              let calls = 0;
              const fifth = await Q.sync(busy, async () => { calls += 1; return {status: 503, answer: {error: 'down'}}; }, save, {});
              out.busy = {calls, stopped: fifth.stopped, state: saved[busy[0].key].state};
              done(out);
            })().catch((e) => done({error: String(e && e.stack || e)}));
            """
        )
    finally:
        driver.quit()
    assert "error" not in result, result
    assert result["keys"] == 5  # a key per record
    assert result["blocked"] == "waiting"  # help for a need not yet sent waits for it
    assert result["first"] == {"sent": 0, "stopped": True, "saved": 1}  # no network: stop at once, keep order
    assert result["order"] == ["POST visits", "POST needs", "POST assistance", "PUT status", "PUT status"]
    assert result["second"] == {"sent": 4, "conflicts": 1}
    assert result["helpNeed"] == result["needId"]  # the offline need's server id, filled in at sending
    assert result["statusVersion"] == 10  # 7, then this phone's own visit, need and help: not a conflict
    assert result["states"]["sufficiency"] == "sent" and result["states"]["survival"] == "conflict"
    assert result["reason"] == "มีผู้แก้ไขแล้ว"  # the server's reason in Thai
    assert result["third"] == {"sent": 1, "version": 4}  # "keep mine" names the server's version now
    assert result["theirs"] == "dropped"
    assert result["member"] == {
        "path": "/api/v1/member-requests?year=2561",
        "house": "H1",
        "sent": "1-1017-xxxxx-xx-x",  # once sent (or refused) the phone keeps the ID masked
        "refused": "1-1017-xxxxx-xx-x",
        "valid": [True, False],
    }
    assert result["dependent"] == {"refused": 1, "sentMore": 0, "reason": "depends_refused"}
    assert result["busy"] == {"calls": 1, "stopped": True, "state": "waiting"}
    keys = result["keysSent"]
    # each record's request under its own key; "keep mine" is a new request (another version), under a new key
    assert len(keys) == 6 and len(set(keys)) == 6 and keys[4] == result["otherKey"]


def test_dates_are_written_and_asked_in_the_buddhist_era_as_on_the_dashboard(site):
    """dates.js by itself: a date written as the dashboard writes it (components.fmt.be_date, both languages), three
    selects put back together as the dashboard's forms do (components.dates.iso_from_parts), refusals named by the
    catalogue; words.js keeps Thai compounds whole."""
    import datetime as dt

    from components import fmt

    days = ["2019-12-07", "2021-02-28", "1990-05-01"]
    driver = _phone()
    try:
        driver.get(site["base"] + "/field/manifest.webmanifest")
        result = driver.execute_async_script(
            """
            const [done, days] = [arguments[1], arguments[0]];
            (async () => {
              const D = await import('/field/dates.js');
              const W = await import('/field/words.js');
              const words = await (await fetch('/field/i18n.json')).json();
              const out = {};
              for (const lang of ['th', 'en']) {
                const t = (k) => (words[k] || {})[lang] || k;
                out[lang] = days.map((d) => D.beDate(d, lang, t));
              }
              out.parts = [['1', '5', '2533'], ['29', '2', '2562'], ['29', '2', '2563'], ['', '', ''], ['1', '', '2562']]
                .map((p) => D.isoFromParts(...p));
              out.words = W.thaiWords('เปลี่ยนสถานะครัวเรือน');
              done(out);
            })().catch((e) => done({error: String(e && e.stack || e)}));
            """,
            days,
        )
    finally:
        driver.quit()
    assert "error" not in result, result
    for lang in ("th", "en"):
        assert result[lang] == [fmt.be_date(d, lang) for d in days]
    assert result["en"][0].endswith(f"{dt.date(2019, 12, 7).year + 543} BE")
    # 2562 BE is 2019 (no 29 February); 2563 BE is 2020 (a leap year)
    assert result["parts"] == ["1990-05-01", {"error": "err.date_none"}, "2020-02-29", "", {"error": "err.date_parts"}]
    assert result["words"] == ["เปลี่ยน", "สถานะ", "ครัวเรือน"]


def test_the_phones_forms_ask_for_buddhist_era_dates_and_thai_buttons_break_between_words(site):
    """The visit form has the dashboard's day / month / Buddhist-era year selects (no browser calendar), today chosen;
    on a 360 px phone no Thai word on a button is cut over two lines, in particular not "ครัวเรือน"."""
    import datetime as dt

    from mpi.calendar import THAI_MONTHS

    driver = _phone()
    try:
        sign_in_and_prepare(driver, site["base"])
        house = css(driver, "#households a.household")[0].get_attribute("data-house")
        driver.get(f"{site['base']}/field/#/h/{house}")
        wait_for(driver, lambda: css(driver, "#household #go-status"), what="the household")
        cut = driver.execute_script(
            "return [...document.querySelectorAll('button .w, .button .w')].filter((w) => w.getClientRects().length > 1)"
            ".map((w) => w.textContent);"
        )
        whole = driver.execute_script("return [...document.querySelectorAll('#go-status .w')].map((w) => w.textContent);")
        overflowing = driver.execute_script(  # the words wrap inside their button, never past its edge
            "return [...document.querySelectorAll('button, .button')].filter((b) => b.scrollWidth > b.clientWidth + 1)"
            ".map((b) => b.textContent);"
        )
        wrapped = driver.execute_script(  # a long label does take two lines on a 360 px phone: the breaks were needed
            "return [...document.querySelectorAll('.buttons .button')].filter((b) =>"
            " new Set([...b.querySelectorAll('.w')].map((w) => Math.round(w.getBoundingClientRect().top))).size > 1).length;"
        )
        tap(driver, "#go-visit")
        wait_for(driver, lambda: css(driver, "#form-visit"), what="the visit form")
        form = driver.execute_script(
            "const v = (id) => document.getElementById(id).value;"
            "const m = document.getElementById('visited_on-m');"
            "return {calendar: document.querySelectorAll('input[type=date]').length, d: v('visited_on-d'), m: v('visited_on-m'),"
            " y: v('visited_on-y'), month: m.options[m.selectedIndex].text};"
        )
    finally:
        driver.quit()
    assert cut == [], cut  # every word on one line
    assert overflowing == [], overflowing
    assert wrapped >= 1
    assert "ครัวเรือน" in whole, whole
    today = dt.date.today()
    assert form == {
        "calendar": 0,
        "d": str(today.day),
        "m": str(today.month),
        "y": str(today.year + 543),
        "month": THAI_MONTHS[today.month - 1],
    }


def test_the_package_holds_the_teams_tambons_only(site):
    base = site["direct"]
    status, signed, _ = request(base, "POST", "/api/v1/auth/login", {"username": "field.team", "password": PASSWORD})
    assert status == 200
    auth = {"Authorization": f"Bearer {signed['token']}"}
    status, package, _ = request(base, "GET", f"/api/v1/field/package?year={YEAR}", headers=auth)
    assert status == 200, package
    houses = package["households"]
    assert houses and {h["tambon_code"] for h in houses} <= set(TEAM_TAMBONS)
    assert [t["code"] for t in package["tambons"]] == list(TEAM_TAMBONS)
    for h in houses:
        for m in h["members"]:
            assert "x" in m["citizen_id"] and sum(c.isdigit() for c in m["citizen_id"]) < 13  # never a full ID
    with site["engine"].connect() as conn:
        expected = conn.execute(
            text(
                "SELECT COUNT(*) FROM household WHERE year = :y AND tambon_code IN ('750103', '750104') "
                "AND (pattern & 31) <> 0 AND n_welfare > 0"
            ),
            {"y": YEAR},
        ).scalar()
        audited = conn.execute(text("SELECT detail FROM audit_event WHERE action = 'field_prepare' ORDER BY id DESC")).first()
    assert len(houses) == expected
    assert (
        json.loads(audited[0])["households"] == expected if isinstance(audited[0], str) else audited[0]["households"] == expected
    )
    status, refused, _ = request(base, "GET", f"/api/v1/field/package?year={YEAR}&tambon=750201", headers=auth)
    assert status == 403, refused  # another tambon: refused, never its households
    status, district, _ = request(base, "POST", "/api/v1/auth/login", {"username": "field.district", "password": PASSWORD})
    status, asked, _ = request(
        base, "GET", f"/api/v1/field/package?year={YEAR}", headers={"Authorization": f"Bearer {district['token']}"}
    )
    assert status == 400 and "tambon" in asked["error"]  # an amphoe is not a phone's day: name the tambons


def test_a_day_offline_reaches_the_server_exactly_once(site, monkeypatch):
    """Sign in, prepare, lose the signal, restart the app, record a visit, a need, help for that need and a status
    change (double taps included), close the tab, reopen offline, get the signal back and a new version of the app:
    one record of each on the server, in order; a status changed meanwhile on the dashboard is offered side by side
    and kept as chosen."""
    base, relay, engine = site["base"], site["relay"], site["engine"]
    driver = _phone()
    try:
        sign_in_and_prepare(driver, base)
        shown = [a.get_attribute("data-house") for a in css(driver, "#households a.household")]
        assert shown and all(h[:6] in TEAM_TAMBONS for h in shown)
        assert wait_for(driver, lambda: controlled(driver), what="the service worker in control")
        house = shown[0]
        with engine.connect() as conn:
            lat, lon, tambon = conn.execute(
                text("SELECT latitude, longitude, tambon_code FROM household WHERE year = :y AND house_id = :h"),
                {"y": YEAR, "h": house},
            ).one()

        relay.cut()  # no signal from here on
        driver.refresh()
        wait_for(driver, lambda: ready(driver) and css(driver, "#households a.household"), what="the app, started offline")
        assert css(driver, f'#households a[data-house="{house}"]')

        # the dashboard, meanwhile: the district chief sets a status (the phone's will meet a newer version)
        district = accounts.authenticate("field.district", PASSWORD, engine=engine).user
        logbook_da.set_status(district, house, YEAR, status="survival", reason="dashboard", engine=engine)

        driver.execute_cdp_cmd("Browser.grantPermissions", {"origin": base, "permissions": ["geolocation"]})
        driver.execute_cdp_cmd("Emulation.setGeolocationOverride", {"latitude": lat, "longitude": lon, "accuracy": 10})
        driver.get(f"{base}/field/#/h/{house}/visit")
        wait_for(driver, lambda: css(driver, "#form-visit"), what="the visit form")
        fill(driver, "note", "offline visit")
        tap(driver, "#gps")
        wait_for(driver, lambda: css(driver, "#gps-result")[0].text, what="the GPS check")
        gps_said = css(driver, "#gps-result")[0].text
        driver.execute_script("const f = document.getElementById('form-visit'); f.requestSubmit(); f.requestSubmit();")
        wait_for(driver, lambda: css(driver, "#household"), what="back on the household")

        tap(driver, "#go-need")
        wait_for(driver, lambda: css(driver, "#form-need"), what="the need form")
        fill(driver, "description", "offline need")
        driver.execute_script("const f = document.getElementById('form-need'); f.requestSubmit(); f.requestSubmit();")
        wait_for(driver, lambda: css(driver, "#household"), what="back on the household")

        tap(driver, "#go-assistance")
        wait_for(driver, lambda: css(driver, "#form-assistance"), what="the assistance form")
        fill(driver, "agency", "อบต.")
        fill(driver, "amount", "1500")
        assert driver.execute_script("return document.getElementById('need').value").startswith("phone:")
        driver.execute_script("const b = document.getElementById('save'); b.click(); b.click();")  # a double tap
        wait_for(driver, lambda: css(driver, "#household"), what="back on the household")

        tap(driver, "#go-status")
        wait_for(driver, lambda: css(driver, "#form-status"), what="the status form")
        driver.execute_script("document.getElementById('status').value = 'sufficiency'")
        fill(driver, "reason", "offline status")
        tap(driver, "#save")
        wait_for(driver, lambda: css(driver, "#household"), what="back on the household")

        # a person the survey missed: a mistyped ID is caught on the phone, the right one is queued
        tap(driver, "#go-member")
        wait_for(driver, lambda: css(driver, "#form-member"), what="the missed-person form")
        fill(driver, "citizen_id", MISSED_ID[:12] + str((int(MISSED_ID[12]) + 1) % 10))
        for field_id, value in (("first_name", "สมหญิง"), ("last_name", "ตกสำรวจ")):
            fill(driver, field_id, value)
        for part, value in (("d", "1"), ("m", "5"), ("y", "2533")):  # 1 May 2533 BE: 1990
            fill(driver, f"birth_date-{part}", value)
        tap(driver, "#save")
        wait_for(driver, lambda: css(driver, "#notice.error"), what="the check digit refused on the phone")
        assert css(driver, "#form-member")  # still on the form, nothing saved
        fill(driver, "citizen_id", MISSED_ID)
        tap(driver, "#save")
        wait_for(driver, lambda: css(driver, "#household"), what="back on the household")

        # the tab is closed; the app is opened again, still without a signal
        first = driver.current_window_handle
        driver.switch_to.new_window("tab")
        driver.switch_to.window(first)
        driver.close()
        driver.switch_to.window(driver.window_handles[0])
        driver.get(base + "/field/#/queue")
        wait_for(driver, lambda: ready(driver) and len(queue_states(driver)) == 5, what="five records kept on the phone")
        assert set(queue_states(driver).values()) == {"waiting"}
        kept = set(queue_states(driver))

        relay.open()  # the signal is back

        # a new version of the app is published meanwhile: it takes over and the queue is all there
        import field

        monkeypatch.setattr(field, "version", lambda: "next")
        driver.execute_async_script(
            "const done = arguments[0];"
            "navigator.serviceWorker.getRegistration('/field/').then((r) => r.update()).then(() => done(1), (e) => done(String(e)));"
        )
        names = lambda: driver.execute_async_script("caches.keys().then(arguments[0])")  # noqa: E731
        wait_for(driver, lambda: names() == ["tpmap-field-next"], what="the new version's files in place of the old")
        driver.refresh()
        wait_for(driver, lambda: ready(driver) and len(queue_states(driver)) == 5, what="the queue after the update")
        assert set(queue_states(driver)) == kept  # the same five records (the restarted app may be sending them)
        tap(driver, "#sync-queue")
        wait_for(driver, lambda: "waiting" not in queue_states(driver).values(), what="the queue sent", timeout=30)
        states = sorted(queue_states(driver).values())
        assert states == ["conflict", "sent", "sent", "sent", "sent"], css(driver, "#queue")[0].text
        conflict = css(driver, "#queue li.conflict")[0].text
        assert "field.district" in conflict and "พอเพียง" in conflict  # theirs (by whom) beside mine
        tap(driver, "#queue li.record.conflict button.mine")
        wait_for(driver, lambda: sorted(queue_states(driver).values()) == ["sent"] * 5, what="mine kept", timeout=30)
        stored = driver.execute_async_script(PHONE_DATA)["text"]
        assert MISSED_ID not in stored and "1-1017-xxxxx-xx-x" in stored  # the full ID left the phone once sent

        # the district chief opens the household's page on the dashboard: the day's records are on it
        chromium.emulate_screen(driver)
        driver.get(f"{base}/login?next=/household/{house}?year={YEAR}")
        wait_for(driver, lambda: css(driver, "[name=username]"), what="the dashboard's sign-in")
        css(driver, "[name=username]")[0].send_keys("field.district")
        css(driver, "[name=password]")[0].send_keys(PASSWORD)
        tap(driver, "#login-submit")
        page = lambda: driver.find_element("tag name", "body").text  # noqa: E731
        wait_for(driver, lambda: "offline visit" in page() and "offline need" in page(), what="the records on the dashboard")
        assert page().count("offline visit") == 1 and "offline status" in page()  # the status the team kept, too
        # script errors only: a refused connection (offline) and the 409 are the network's answers, logged by Chromium
        errors = [e for e in driver.get_log("browser") if e["level"] == "SEVERE" and e.get("source") != "network"]
    finally:
        if relay.listener is None or relay.listener.fileno() == -1:
            relay.open()
        driver.quit()
    assert "ตำบล" in gps_said  # the phone said whether the point is inside the household's tambon

    with engine.connect() as conn:
        hid = conn.execute(text("SELECT id FROM household WHERE year = :y AND house_id = :h"), {"y": YEAR, "h": house}).scalar()
        visits = conn.execute(text("SELECT id, note, gps_inside_tambon FROM visit WHERE household_id = :h"), {"h": hid}).all()
        needs = conn.execute(
            text("SELECT id FROM need WHERE household_id = :h AND description = 'offline need'"), {"h": hid}
        ).all()
        helps = conn.execute(text("SELECT id, need_id FROM assistance WHERE household_id = :h"), {"h": hid}).all()
        status = conn.execute(text("SELECT status FROM logbook_state WHERE household_id = :h"), {"h": hid}).scalar()
    assert [v.note for v in visits] == ["offline visit"] and visits[0].gps_inside_tambon in (True, 1)
    assert len(needs) == 1 and len(helps) == 1 and helps[0].need_id == needs[0].id
    assert visits[0].id and needs[0].id and helps[0].id  # one of each
    assert status == "sufficiency"  # the team chose theirs over the dashboard's, knowingly
    with engine.connect() as conn:
        requested = conn.execute(
            text("SELECT status FROM member_request WHERE household_id = :h AND citizen_id = :c"), {"h": hid, "c": MISSED_ID}
        ).scalars()
        assert list(requested) == ["pending"]  # one request, waiting for the district chief

    # the household's Logbook as the dashboard shows it (the district's page reads the same function)
    district = accounts.authenticate("field.district", PASSWORD, engine=engine).user
    book = logbook_da.logbook(district, house, YEAR, engine=engine)
    kinds = [e["kind"] for e in book["timeline"]]
    assert kinds.count("visit") == 1 and kinds.count("need") == 1 and kinds.count("assistance") == 1
    assert [s["status"] for s in book["status_history"]][:2] == ["sufficiency", "survival"]
    assert errors == [], errors


PHONE_DATA = """
const done = arguments[0];
(async () => {
  const known = (await indexedDB.databases()).some((d) => d.name === 'tpmap-field');
  if (!known) return done({households: 0, queue: 0, meta: 0, text: ''});
  const req = indexedDB.open('tpmap-field');
  req.onsuccess = () => {
    const db = req.result;
    const names = [...db.objectStoreNames];
    if (!names.length) { db.close(); return done({households: 0, queue: 0, meta: 0, text: ''}); }
    const tx = db.transaction(names);
    const out = {text: ''};
    let left = names.length;
    for (const n of names) {
      const r = tx.objectStore(n).getAll();
      r.onsuccess = () => {
        out[n] = r.result.length;
        out.text += JSON.stringify(r.result);
        if (--left === 0) { db.close(); done(out); }
      };
    }
  };
})();
"""


def test_the_phone_keeps_no_full_id_and_forgets_everything_when_told(site):
    """What the phone stores is the team's own, IDs masked; a revoked account, "clear this phone" and a sign-out
    each leave nothing of it; a sign-out with records not yet sent is refused until they are."""
    import re

    base, engine = site["base"], site["engine"]
    driver = _phone()

    try:
        sign_in_and_prepare(driver, base)
        stored = driver.execute_async_script(PHONE_DATA)
        assert stored["households"] > 0
        assert not re.search(r"(?<!\d)\d{13}(?!\d)", stored["text"].replace("-", "")), "a full citizen ID on the phone"
        with engine.connect() as conn:
            outside = conn.execute(
                text("SELECT house_id FROM household WHERE year = :y AND tambon_code NOT IN ('750103', '750104')"), {"y": YEAR}
            ).scalars()
            assert not any(h in stored["text"] for h in outside)  # another tambon's households never reach the phone

        # the account is revoked at the office: the phone's next call is refused and it forgets everything
        with engine.begin() as conn:
            accounts.revoke_everything(
                conn, conn.execute(text("SELECT id FROM user_account WHERE username = 'field.team'")).scalar()
            )
        tap(driver, "#prepare")
        wait_for(driver, lambda: css(driver, "#sign-in"), what="signed out by the revocation")
        assert "เพิกถอน" in css(driver, "#notice")[0].text
        gone = driver.execute_async_script(PHONE_DATA)
        assert gone["households"] == 0 and gone["queue"] == 0 and '"token"' not in gone["text"]

        # "clear this phone"
        sign_in_and_prepare(driver, base)
        tap(driver, "#clear")
        driver.switch_to.alert.accept()
        wait_for(driver, lambda: css(driver, "#sign-in"), what="the cleared phone")
        assert driver.execute_async_script(PHONE_DATA)["households"] == 0

        # a sign-out waits for what is not sent yet, then leaves nothing
        sign_in_and_prepare(driver, base)
        house = css(driver, "#households a.household")[0].get_attribute("data-house")
        site["relay"].cut()
        try:
            driver.get(f"{base}/field/#/h/{house}/need")
            wait_for(driver, lambda: css(driver, "#form-need"), what="the need form")
            fill(driver, "description", "before signing out")
            tap(driver, "#save")
            wait_for(driver, lambda: css(driver, "#household"), what="saved")
            driver.get(f"{base}/field/#/")
            tap(driver, "#sign-out")
            wait_for(driver, lambda: css(driver, "#notice"), what="the refusal to sign out")
            assert css(driver, "#households")  # still signed in, the record still there
            assert driver.execute_async_script(PHONE_DATA)["queue"] == 1
        finally:
            site["relay"].open()
        tap(driver, "#sync")
        wait_for(driver, lambda: "0" in css(driver, "#queue-link")[0].text, what="the record sent")
        tap(driver, "#sign-out")
        wait_for(driver, lambda: css(driver, "#sign-in"), what="signed out")
        assert driver.execute_async_script(PHONE_DATA)["households"] == 0
    finally:
        driver.quit()
    with engine.connect() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM need WHERE description = 'before signing out'")).scalar() == 1


def test_the_phone_shows_what_each_member_receives_and_whom_each_indicator_concerns(site, tmp_path):
    """Issue 33, 5 and issue 34, 5 on the phone: each member's register facts (receives or not, whose data, as of
    when), the agencies' assistance rows beside the Logbook's help with their sources, and the members each failed
    indicator is about. A second team account: the first has prepared its phone as often as the limit allows."""
    import csv
    import datetime as dt

    from data_access.access import CurrentUser
    from data_access.registers import RegisterImport

    base, engine = site["base"], site["engine"]
    accounts.create_user(
        username="field.team2", full_name="ทีมที่สอง", role="team", areas=list(TEAM_TAMBONS), password=PASSWORD, engine=engine
    )
    with engine.connect() as conn:
        house_pk, house = conn.execute(
            text(
                "SELECT id, house_id FROM household WHERE year = :y AND tambon_code IN ('750103', '750104') "
                "AND (pattern & 31) <> 0 AND n_welfare > 0 ORDER BY house_id LIMIT 1"
            ),
            {"y": YEAR},
        ).one()
        members = (
            conn.execute(text("SELECT citizen_id FROM person WHERE household_id = :h ORDER BY birth_date, id"), {"h": house_pk})
            .scalars()
            .all()
        )
        team_id = conn.execute(text("SELECT id FROM user_account WHERE username = 'field.team2'")).scalar()

    def write(name, header, rows):
        with open(tmp_path / name, "w", encoding="utf-8", newline="") as f:
            csv.writer(f, lineterminator="\n").writerows([header, *rows])
        return tmp_path / name

    as_of = dt.date(2024, 1, 31)
    RegisterImport(
        "old_age_allowance", as_of, write("old.csv", ["citizen_id", "monthly_amount"], [[members[0], "600"]]), engine=engine
    ).run()
    RegisterImport(
        "assistance_received",
        as_of,
        write("help.csv", ["citizen_id", "programme", "amount", "received_on"], [[members[0], "ถุงยังชีพ", "500", "2023-11-15"]]),
        engine=engine,
    ).run()
    team = CurrentUser(team_id, "field.team2", "ทีมที่สอง", "team", TEAM_TAMBONS)
    version = logbook_da.logbook(team, house, YEAR, engine=engine)["version"]
    logbook_da.add_assistance(
        team, house, YEAR, given_on="2024-02-03", dimension="income", kind=logbook_da.assistance_kinds(engine)[0]["code"],
        agency="อบต. บางขันแตก", amount_baht=1200, version=version, engine=engine,
    )  # fmt: skip

    driver = _phone()
    try:
        open_app(driver, base)
        fill(driver, "username", "field.team2")
        fill(driver, "password", PASSWORD)
        tap(driver, "#sign-in button[type=submit]")
        tap(driver, "#prepare")
        wait_for(driver, lambda: css(driver, "#households a.household"), what="the prepared list")
        driver.get(f"{base}/field/#/h/{house}")
        wait_for(driver, lambda: css(driver, "#members li .facts li"), what="the members' facts")
        first = css(driver, "#members > li")[0]
        said = first.find_element("css selector", "[data-register=old_age_allowance]").text
        assert said.startswith("ได้รับ: ผู้รับเบี้ยยังชีพผู้สูงอายุ") and "31 ม.ค. 2567" in said, said
        if len(members) > 1:  # the others are not on it, and the phone says so
            other = css(driver, "#members > li")[1].find_element("css selector", "[data-register=old_age_allowance]").text
            assert other.startswith("ไม่ได้รับ: ผู้รับเบี้ยยังชีพผู้สูงอายุ"), other
        rows = {e.get_attribute("data-source"): e.text for e in css(driver, "#receipts li")}
        assert "ถุงยังชีพ" in rows["register"] and "สมาชิกคนที่ 1" in rows["register"] and "ข้อมูลหน่วยงาน" in rows["register"]
        assert "แฟ้มบ้าน" in rows["logbook"] and "อบต. บางขันแตก" in rows["logbook"] and "1,200" in rows["logbook"]
        assert [e.get_attribute("data-source") for e in css(driver, "#receipts li")] == ["logbook", "register"]  # newest first
        failed = [e.text for e in css(driver, "#failed li")]
        assert failed and all("(เกี่ยวกับสมาชิกคนที่" in f or "(ทั้งครัวเรือน)" in f for f in failed), failed
        stored = driver.execute_async_script(PHONE_DATA)
        assert not any(m in stored["text"] for m in members)  # facts name no one: the IDs stay masked
    finally:
        driver.quit()
    # the household card shows the same receipts, and passes axe-core in both languages with them
    from tests.test_browser import AXE, audit

    card = chromium.make_driver(console_log=True, lang="th")
    try:
        card.set_script_timeout(30)
        card.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": AXE.read_text(encoding="utf-8")})
        card.get(f"{base}/login?next=/household/{house}")
        wait_for(card, lambda: card.find_elements("name", "username"), what="the sign-in form")
        card.find_element("name", "username").send_keys("field.team2")
        card.find_element("name", "password").send_keys(PASSWORD)
        card.find_element("id", "login-submit").click()
        wait_for(card, lambda: css(card, "#household-title"), what="the household card, signed in")
        found = []
        for lang in ("th", "en"):
            found += audit(card, f"{base}/household/{house}?year={YEAR}&lang={lang}", lang)
        table = wait_for(card, lambda: css(card, "#receipts-box table"), what="the receipts table")[0].text
        assert "ถุงยังชีพ" in table and "Logbook: recorded by the team" in table and "as of 31 Jan 2567" in table
    finally:
        card.quit()
    assert found == [], "\n".join(found)
