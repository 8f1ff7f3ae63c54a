"""Screenshots of the main pages in headless Chromium, for docs/screenshots/.

python scripts/screenshots.py [--base http://127.0.0.1:8050] [--out docs/screenshots]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from scripts.chromium import emulate_phone, emulate_screen, make_driver, stop_emulation  # noqa: E402

PAGES = {
    "country": "/",
    "province-75": "/area/75",
    "amphoe-7501": "/area/7501?metric=dim:income",
    "tambon-750101": "/area/750101",
    "country-english": "/?lang=en",
    "households-7501": "/area/7501/households",
    "presentation-58": "/area/58?present=1",
    "presentation-country": "/?present=1",
    "presentation-tour-75": "/area/75?present=1&tour=75,58,50&every=30",
    "country-phone": "/",
    "ranking": "/ranking",
    "committees": "/committees",
    "committee-75": "/committees/75",
    "reports": "/reports?quarter=2564-Q3",
    "report-75": "/reports/75/2564-Q3",
    "pivot-75": "/pivot?area=75&rows=area&cols=indicator",
    "story-75": "/area/75/story",
    "vulnerable-50": "/area/50/vulnerable",
    # editions over time (issue 15)
    "change-75": "/area/75",
    "change-75-phone": "/area/75",
    "change-map-50": "/area/50?metric=change&colour=share",
    "ranking-change": "/ranking?by=change&order=improved",
    "nocard-75": "/area/75?definition=nocard",
    # the country by every tambon (issue 16)
    "tambons-country": "/?level=tambon",
    # every age (issue 34): the elderly of Samut Songkhram, and the pyramid further down
    "elderly-75": "/area/75?age=elderly",
    "pyramid-75": "/area/75",
    # agencies' registers (issue 33): the catalogue, and the poor elderly without the old-age allowance
    "data": "/data",
    "gap-75": "/area/75?metric=gap:old_age_allowance",
    # the API's reference (issue 32, 6)
    "api-docs": "/api/docs",
    # the second round: each life stage's flows, published groups where no microdata, the lenses off the map
    "stage-flows-7501": "/area/7501",
    "published-groups-57": "/area/57?year=2561&age=elderly",
    "ranking-gap-75": "/ranking?area=75&level=tambon&by=gap:old_age_allowance",
    "story-elderly-75": "/area/75/story?age=elderly",
    "vulnerable-75": "/area/75/vulnerable",
}
# shots of a part further down a page: scrolled to this element first
SCROLL_TO = {
    "change-75": "#area-change",
    "change-75-phone": "#area-change",
    "household-path": "#household-trajectory",
    "pyramid-75": "#area-pyramid",
    "stage-flows-7501": "#stage-flows-table-part",
    "published-groups-57": "#published-groups",
}


def driver(width: int = 1600, height: int = 1000):
    return make_driver(width, height)


def _sign_in(d, base: str, username: str) -> None:
    from demo import DEMO_PASSWORD

    d.delete_all_cookies()
    d.get(base + "/login")
    d.find_element("name", "username").send_keys(username)
    d.find_element("name", "password").send_keys(DEMO_PASSWORD)
    d.find_element("id", "login-submit").click()
    time.sleep(1)


def _a_crisis_household(province: str) -> str | None:
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from data_access.access import CurrentUser
    from data_access.figures import latest_year
    from data_access.households import list_target_poor_households

    tool = CurrentUser(0, "screenshots", "screenshot script", "national", ("TH",))
    year = latest_year() or 2561
    found = (
        list_target_poor_households(province, year, crisis_only=True, page_size=1, user=tool)["items"]
        or list_target_poor_households(province, year, page_size=1, user=tool)["items"]
    )
    return found[0]["house_id"] if found else None


def _a_helped_household(amphoe: str) -> str | None:
    """A household of the earliest edition with help recorded in the Logbook (its path crosses two editions)."""
    from sqlalchemy import text

    from data_access.db import get_engine

    with get_engine().connect() as conn:
        return conn.execute(
            text(
                "SELECT h.house_id FROM household h JOIN assistance a ON a.household_id = h.id "
                "WHERE h.tambon_code LIKE :p AND h.year = (SELECT MIN(year) FROM household) ORDER BY h.house_id LIMIT 1"
            ),
            {"p": amphoe + "%"},
        ).scalar()


SETTLED = """
return !document.querySelector('[data-dash-is-loading="true"]')
  && document.querySelector('#_pages_content') && document.querySelector('#_pages_content').children.length > 0
  && Array.from(document.querySelectorAll('.dash-graph')).every(g => g.querySelector('.main-svg'))
  && (!document.querySelector('#area-canvas-host') || document.querySelector('#area-canvas-host[data-drawn]'));
"""


def _settled(d, timeout: float = 60.0) -> None:
    """Wait until Dash has rendered the page and every chart has drawn (a loaded machine takes longer than 4 s)."""
    end = time.time() + timeout
    time.sleep(1.5)
    while time.time() < end and not d.execute_script(SETTLED):
        time.sleep(0.3)
    time.sleep(1.5)  # the last transitions and fonts


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--base", default="http://127.0.0.1:8050")
    ap.add_argument("--out", type=Path, default=Path(__file__).resolve().parent.parent / "docs" / "screenshots")
    ap.add_argument("--only", nargs="*")
    a = ap.parse_args()
    a.out.mkdir(parents=True, exist_ok=True)
    pages = dict(PAGES)
    house = _a_crisis_household("7501")
    if house:
        pages["household"] = f"/household/{house}"
    pages["logbook-phone"] = "/household/" + (_a_crisis_household("750102") or "")
    helped = _a_helped_household("7501")
    if helped:
        pages["household-path"] = f"/household/{helped}"
    # pages behind sign-in, and who signs in for them (demo accounts)
    accounts = {
        "households-7501": "ss.district",
        "household": "ss.district",
        "household-path": "ss.district",
        "logbook-phone": "ss.team",
        "committees": "national",
        "reports": "national",
        "committee-75": "ss.governor",
        "report-75": "ss.governor",
        "vulnerable-50": "national",
    }
    d = driver()
    try:
        for name, path in pages.items():
            if a.only and name not in a.only:
                continue
            if name in accounts:
                _sign_in(d, a.base, accounts[name])
            else:
                d.delete_all_cookies()
            if name.endswith("-phone"):
                emulate_phone(d, 360, 1400 if name in ("logbook-phone", "change-75-phone") else 2600)
            elif name.startswith("presentation"):
                emulate_screen(d, 1920, 1080)  # the projector's whole screen
            else:
                stop_emulation(d)
            d.get(a.base + path)
            _settled(d)
            if name in SCROLL_TO:
                d.execute_script(f"document.querySelector('{SCROLL_TO[name]}').scrollIntoView({{block: 'start'}});")
                time.sleep(1)
            d.save_screenshot(str(a.out / f"{name}.png"))
            print(a.out / f"{name}.png")
    finally:
        d.quit()


if __name__ == "__main__":
    main()
