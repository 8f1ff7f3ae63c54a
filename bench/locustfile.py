"""The meeting-morning rush (issue 35) for Locust (https://locust.io): a province's officials opening the meeting's
pages, changing the metric, reading figures and rankings and their district's households, and field teams writing
the Logbook. Runs in Locust's own venv (bench/requirements-locust.txt), never the project's.

`python -m bench.rush` starts the server, writes the setup file, runs this and reads the figures. By hand, against a
server started on a database prepared by `python -m bench.rush --prepare`:

    /tmp/locustvenv/bin/locust -f bench/locustfile.py --host http://127.0.0.1:8050 --setup-file SETUP.json Official Team

--setup-file  the JSON bench.rush writes: bearer tokens of the reader and team accounts, the district's households
              and each team's, and where to write the keys of acknowledged visits
--no-think    no think time (the closed loop; with the class PublicOfficial, the public mix alone)

Callbacks are posted as Dash's renderer posts them, built at the start from /_dash-dependencies and each page as
rendered by its router callback (bench.rush's builders): nothing depends on the order or names of a callback's
outputs. A failure: a 5xx, a connection error, a refusal other than 429 (every request here is one its caller may
make: a 401, 403 or 404 means the tool is broken), or a callback answer that is not valid Dash JSON. 429s count as
answered (the server's /metrics counts them by status).
"""

from __future__ import annotations

import json
import random
import sys
import threading
import uuid
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from locust import FastHttpUser, between, constant, events, task  # noqa: E402

from bench import rush  # noqa: E402 - standard library only above its run section

# the pages of the meeting, and how often each is opened: the province's page most
PAGES = {"/area/75": 4, "/": 2, "/area/7501": 2, "/area/58": 1}
PUBLIC_YEAR = 2561  # every province's published figures
AREAS = ["TH", "75", "7501", "58", "50"]
SURVEYED = ["75", "7501", "58", "50"]  # provinces with households in both editions (the demo's)


class Shared:
    """What every user starts from, read once at the test's start."""

    setup: dict[str, Any] = {}
    deps: list[dict[str, Any]] = []
    pages: dict[str, dict[str, Any]] = {}  # path -> router callback, its payload, shapes, metric callback and choices
    acknowledged: list[str] = []
    lock = threading.Lock()


@events.init_command_line_parser.add_listener
def _options(parser: Any) -> None:
    parser.add_argument("--setup-file", default="", help="bench.rush's setup JSON (tokens, households)")
    parser.add_argument("--no-think", action="store_true", default=False, help="no think time (closed loop)")


@events.init.add_listener
def _think(environment: Any, **_: Any) -> None:
    if environment.parsed_options and environment.parsed_options.no_think:
        for cls in (Official, Team, PublicOfficial):
            cls.wait_time = constant(0)


def _learn_page(host: str, path: str) -> dict[str, Any]:
    """A page as its router renders it: the payload the browser posts, the shapes its map names, and the metric
    menu's callback, options and the page's components (to post a metric change as that page would)."""
    import requests

    dep, payload = rush.router_payload(Shared.deps, path)
    answer = requests.post(host + "/_dash-update-component", json=payload, timeout=120)
    problem = rush.dash_answer_problem(answer.status_code, answer.content, dep)
    if problem:
        raise RuntimeError(f"the router callback of {path}: {problem}")
    rendered = answer.json()
    props = rush.component_props(rendered)
    page: dict[str, Any] = {"router": dep, "payload": payload, "shapes": rush.shape_files(rendered)}
    choices = rush.metric_choices(props)
    if choices:
        page |= {"metric": rush.metric_callback(Shared.deps, props), "props": props, "choices": choices}
    preview = rush.map_preview(props)
    if preview is not None:
        page["preview"] = preview
    return page


@events.test_start.add_listener
def _start(environment: Any, **_: Any) -> None:
    import requests

    options = environment.parsed_options
    if options and options.setup_file:
        Shared.setup = json.loads(Path(options.setup_file).read_text())
    host = environment.host.rstrip("/")
    Shared.deps = requests.get(host + "/_dash-dependencies", timeout=120).json()
    Shared.pages = {path: _learn_page(host, path) for path in PAGES}
    if not any("metric" in p for p in Shared.pages.values()):
        raise RuntimeError("no page has a metric menu: the metric changes cannot be posted")


@events.test_stop.add_listener
def _stop(environment: Any, **_: Any) -> None:
    """The keys of the visits the server acknowledged, for bench.rush to look for in the database."""
    where = Shared.setup.get("acknowledged")
    if where:
        with Shared.lock:
            Path(where).write_text("\n".join(Shared.acknowledged))


def _judge(response: Any, dep: dict[str, Any] | None = None) -> None:
    """Inside catch_response: mark the answer failed or succeeded by the rules in this module's docstring."""
    status = response.status_code or 0
    if status == 0:
        response.failure(f"connection: {response.error}")
    elif status >= 400 and status != 429:
        response.failure(f"HTTP {status}")
    elif dep is not None and status != 429:
        problem = rush.dash_answer_problem(status, response.content or b"", dep)
        if problem:
            response.failure(problem)
        else:
            response.success()
    else:
        response.success()


class Base(FastHttpUser):
    abstract = True
    wait_time = between(5, 15)

    def on_start(self) -> None:
        readers = Shared.setup.get("readers") or [None]
        self.token = random.choice(readers)

    def get(self, path: str, name: str, headers: dict[str, str] | None = None) -> None:
        with self.client.get(path, name=name, headers=headers or {}, catch_response=True) as r:
            _judge(r)

    def callback(self, name: str, dep: dict[str, Any], payload: dict[str, Any]) -> None:
        with self.client.post("/_dash-update-component", name=name, json=payload, catch_response=True) as r:
            _judge(r, dep)

    def signed(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}

    def open_page(self) -> None:
        """A page as the browser loads it (its scripts cached): the HTML, Dash's layout and dependencies, the router
        callback, the map's shape file."""
        path = random.choices(list(PAGES), weights=list(PAGES.values()))[0]
        page = Shared.pages[path]
        self.get(path, "page html", {"Accept": "text/html"})
        self.get("/_dash-layout", "page layout")
        self.get("/_dash-dependencies", "page dependencies")
        self.callback("page callback", page["router"], page["payload"])
        for shape in page["shapes"]:
            self.get(shape, "shape")

    def change_metric(self) -> None:
        page = random.choice([p for p in Shared.pages.values() if "metric" in p])
        choice = random.choice(page["choices"])
        # as a browser does: the map from its preview, and the page's update beside it
        if "preview" in page:
            self.get(rush.preview_address(*page["preview"], choice), "map preview")
        payload = rush.metric_change_payload(page["metric"], page["props"], choice)
        self.callback("metric change", page["metric"], payload)

    def area(self) -> None:
        self.get(f"/api/v1/areas/{random.choice(AREAS)}?year={PUBLIC_YEAR}", "api area", self.signed())

    def children(self) -> None:
        code, year = random.choice([("TH", PUBLIC_YEAR), *((c, self.year()) for c in SURVEYED)])
        self.get(f"/api/v1/areas/{code}/children?year={year}", "api children", self.signed())

    def ranking(self) -> None:
        self.get(f"/api/v1/areas/TH/ranking?year={PUBLIC_YEAR}", "api ranking", self.signed())

    def year(self) -> int:
        return int(Shared.setup.get("year", 2562))


class PublicOfficial(Base):
    """The public mix (the closed loop's): pages, metric changes, the API's figures; API calls with a reader's
    token as an official's are (an anonymous caller's whole-country reads are limited per address)."""

    @task(6)
    def page(self) -> None:
        self.open_page()

    @task(6)
    def metric(self) -> None:
        self.change_metric()

    @task(3)
    def figures(self) -> None:
        self.area()

    @task(3)
    def child_areas(self) -> None:
        self.children()

    @task(2)
    def rank(self) -> None:
        self.ranking()


class Official(PublicOfficial):
    """An official's morning: the public mix, and the district's target-poor households and a record, signed in."""

    weight = 9

    @task(3)
    def households(self) -> None:
        self.get(f"/api/v1/areas/7501/households?year={self.year()}&page_size=20", "household list", self.signed())

    @task(2)
    def record(self) -> None:
        houses = Shared.setup.get("houses") or []
        if houses:
            self.get(f"/api/v1/households/{random.choice(houses)}?year={self.year()}", "household record", self.signed())


class Team(Base):
    """A field team: Logbook visits with an Idempotency-Key (one in ten sent twice, as a phone retries on a lost
    answer: the retry must be answered, not written again), and its tambon's list."""

    weight = 1

    def on_start(self) -> None:
        teams = Shared.setup.get("teams") or []
        self.team = random.choice(teams) if teams else None
        self.token = self.team["token"] if self.team else None

    @task(4)
    def write(self) -> None:
        if not self.team:
            return
        key = uuid.uuid4().hex
        path = f"/api/v1/households/{random.choice(self.team['houses'])}/visits?year={self.year()}"
        body = {"visited_on": "2020-01-15", "outcome": "verified", "note": f"bench {key}"}
        headers = self.signed() | {"Idempotency-Key": key}
        sends = 2 if random.random() < 0.1 else 1
        for n in range(sends):
            name = "logbook write" if n == 0 else "logbook retry"
            with self.client.post(path, name=name, json=body, headers=headers, catch_response=True) as r:
                _judge(r)
                if n == 0 and r.status_code in (200, 201):
                    with Shared.lock:
                        Shared.acknowledged.append(key)

    @task(1)
    def own_list(self) -> None:
        if self.team:
            self.get(
                f"/api/v1/areas/{self.team['tambon']}/households?year={self.year()}&page_size=20", "household list", self.signed()
            )
