"""Issue 18: the field app on this machine's Chromium, as a 360×740 phone, against the load database.

    python -m bench.field --database-url postgresql+psycopg://postgres@127.0.0.1:5432/tpmap_load [--rounds 5]

(the database `python -m bench.load --prepare` builds). Measures:

  prepare   a team of one tambon of about 300 target-poor households (501804 in 2562): the package's bytes as sent
            (brotli) and unpacked, the server's time for it, and the time from the press of "prepare" to the drawn
            list (package, tambon shapes, IndexedDB written)
  start     the app opened with the server unreachable (a relay shut: nothing listening), from navigation to the
            drawn list, served by the service worker and IndexedDB alone
  sync      200 visits queued on the phone, sent when the relay opens: seconds until every one is sent, and the
            visits the server holds afterwards (must be exactly 200)

The app is served by werkzeug in this process (threads), through a relay the phone reaches it by. Every wait is
bounded.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TAMBON = "501804"
YEAR = 2562
USERNAME = "bench-field-501804"
PASSWORD = "bench-field-secret-2569"
QUEUED = 200


def wait_for(driver, script: str, timeout: float = 60.0, *args):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = driver.execute_script(script, *args)
        if value:
            return value
        time.sleep(0.02)
    raise SystemExit(f"timed out after {timeout} s waiting for: {script}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--database-url", required=True)
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args()
    os.environ["TPMAP_DATABASE_URL"] = args.database_url
    import logging

    from sqlalchemy import text
    from werkzeug.serving import make_server

    from app import create_app
    from data_access import accounts, ratelimit
    from data_access.db import get_engine
    from scripts import chromium
    from tests.utils.served import Relay

    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    engine = get_engine()
    with engine.connect() as conn:
        exists = conn.execute(text("SELECT 1 FROM user_account WHERE username = :u"), {"u": USERNAME}).first()
    if not exists:
        accounts.create_user(username=USERNAME, full_name="ทีมทดสอบภาคสนาม", role="team", areas=[TAMBON], password=PASSWORD)
    ratelimit.LIMITS["prepare"] = (1000, 600)  # the rounds below prepare again and again
    httpd = make_server("127.0.0.1", 0, create_app().server, threaded=True)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    relay = Relay(("127.0.0.1", httpd.server_port))
    relay.open()
    base = f"http://127.0.0.1:{relay.port}"
    out: dict[str, object] = {}

    # the package as the network carries it
    import json

    req = urllib.request.Request(
        base + "/api/v1/auth/login",
        data=json.dumps({"username": USERNAME, "password": PASSWORD}).encode(),
        headers={"Content-Type": "application/json"},
    )
    token = json.loads(urllib.request.urlopen(req, timeout=30).read())["token"]
    server_ms, sent_bytes = [], 0
    for _ in range(args.rounds):
        req = urllib.request.Request(
            base + f"/api/v1/field/package?year={YEAR}", headers={"Authorization": f"Bearer {token}", "Accept-Encoding": "br"}
        )
        t0 = time.perf_counter()
        with urllib.request.urlopen(req, timeout=60) as r:
            body = r.read()
            encoding = r.headers.get("Content-Encoding")
        server_ms.append((time.perf_counter() - t0) * 1000)
        sent_bytes = len(body)
    import brotli

    unpacked = brotli.decompress(body) if encoding == "br" else body
    package = json.loads(unpacked)
    out["households"] = len(package["households"])
    out["package_bytes_sent"] = sent_bytes
    out["package_encoding"] = encoding
    out["package_bytes_unpacked"] = len(unpacked)
    out["package_ms_median"] = round(statistics.median(server_ms), 1)

    driver = chromium.make_driver(lang="th")
    chromium.emulate_phone(driver, 360, 740)
    try:
        driver.get(base + "/field/")
        wait_for(driver, "return document.body.dataset.ready === '1'")
        driver.execute_script(
            "document.getElementById('username').value = arguments[0]; document.getElementById('password').value = arguments[1];"
            "document.querySelector('#sign-in button').click();",
            USERNAME,
            PASSWORD,
        )
        wait_for(driver, "return !!document.getElementById('prepare')")
        prepare_ms = []
        for _ in range(args.rounds):
            t0 = time.perf_counter()
            driver.execute_script("document.getElementById('prepare').click()")
            time.sleep(0.05)
            wait_for(driver, "return document.querySelectorAll('#households a').length > 0 && !document.getElementById('notice')")
            prepare_ms.append((time.perf_counter() - t0) * 1000)
        out["prepare_ms_median"] = round(statistics.median(prepare_ms), 1)
        wait_for(
            driver,
            "return navigator.serviceWorker.controller !== null",
            30,
        )

        relay.cut()
        start_ms = []
        for _ in range(args.rounds):
            t0 = time.perf_counter()
            driver.get(base + "/field/")
            wait_for(
                driver, "return document.body.dataset.ready === '1' && document.querySelectorAll('#households a').length > 0"
            )
            start_ms.append((time.perf_counter() - t0) * 1000)
        out["start_offline_ms_median"] = round(statistics.median(start_ms), 1)

        houses = [h["house_id"] for h in package["households"]]
        with engine.connect() as conn:
            before = conn.execute(text("SELECT COUNT(*) FROM visit WHERE note LIKE 'bench field %'")).scalar()
        driver.set_script_timeout(60)
        driver.execute_async_script(
            """
            const [houses, year, n, done] = arguments;
            (async () => {
              const Q = await import('/field/queue.js');
              const S = await import('/field/store.js');
              for (let i = 0; i < n; i++) {
                await S.addRecord((seq) => Q.makeRecord({kind: 'visit', house_id: houses[i % houses.length], year, seq,
                  body: {visited_on: '2020-01-15', outcome: 'verified', note: `bench field ${crypto.randomUUID()}`}}));
              }
              done(true);
            })().catch((e) => done(String(e)));
            """,
            houses,
            YEAR,
            QUEUED,
        )
        driver.get(base + "/field/#/queue")
        wait_for(
            driver, "return document.querySelectorAll('#queue li.record[data-state=waiting]').length >= arguments[0]", 30, QUEUED
        )
        relay.open()
        t0 = time.perf_counter()
        driver.execute_script("document.getElementById('sync-queue').click()")
        wait_for(driver, "return document.querySelectorAll('#queue li.record[data-state=waiting]').length === 0", 600)
        out["sync_200_s"] = round(time.perf_counter() - t0, 1)
        with engine.connect() as conn:
            after = conn.execute(text("SELECT COUNT(*) FROM visit WHERE note LIKE 'bench field %'")).scalar()
        out["sync_visits_on_server"] = after - before
    finally:
        driver.quit()
        try:
            relay.cut()
        except AssertionError:
            pass
        httpd.shutdown()
    print(json.dumps(out, indent=1, ensure_ascii=False))


if __name__ == "__main__":
    main()
