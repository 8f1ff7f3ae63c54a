"""Screenshots of the main pages in headless Chromium, for docs/screenshots/.

    python scripts/screenshots.py [--base http://127.0.0.1:8050] [--out docs/screenshots]
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from scripts.chromium import make_driver  # noqa: E402

PAGES = {
    "country": "/",
    "province-75": "/area/75",
    "amphoe-7501": "/area/7501?metric=dim:income",
    "tambon-750101": "/area/750101",
    "country-english": "/?lang=en",
    "households-7501": "/area/7501/households",
    "presentation-58": "/area/58?present=1",
}


def driver(width: int = 1600, height: int = 1000):
    return make_driver(width, height)


def _a_crisis_household(province: str) -> str | None:
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from data_access.access import CurrentUser
    from data_access.households import list_target_poor_households

    tool = CurrentUser(0, "screenshots", "screenshot script", "national", ("TH",))
    found = list_target_poor_households(province, 2561, crisis_only=True, page_size=1, user=tool)["items"]
    return found[0]["house_id"] if found else None


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--base", default="http://127.0.0.1:8050")
    ap.add_argument("--out", type=Path, default=Path(__file__).resolve().parent.parent / "docs" / "screenshots")
    ap.add_argument("--only", nargs="*")
    a = ap.parse_args()
    a.out.mkdir(parents=True, exist_ok=True)
    pages = dict(PAGES)
    house = _a_crisis_household("75")
    if house:
        pages["household"] = f"/household/{house}"
    d = driver()
    try:
        for name, path in pages.items():
            if a.only and name not in a.only:
                continue
            if name.startswith("presentation"):
                d.set_window_size(1920, 1080)
            d.get(a.base + path)
            time.sleep(4)
            d.save_screenshot(str(a.out / f"{name}.png"))
            print(a.out / f"{name}.png")
            d.set_window_size(1600, 1000)
    finally:
        d.quit()


if __name__ == "__main__":
    main()
