"""Headless Debian Chromium for browser tests, screenshots and the dashboard benchmark (never a downloaded browser)."""

from __future__ import annotations

from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
# The machines have no internet: without the background-networking flags Chromium keeps trying to reach Google.
FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)


def available() -> bool:
    return Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()


def emulate_phone(driver, width: int = 360, height: int = 740) -> None:
    """A real phone viewport (a headless window cannot be narrower than 500 px)."""
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride", {"width": width, "height": height, "deviceScaleFactor": 2, "mobile": True}
    )


def emulate_screen(driver, width: int = 1920, height: int = 1080) -> None:
    """A whole screen as a projector shows it (fullscreen): the viewport itself, not a window with the
    room a headless window keeps for its toolbars (1080 px tall windows give 937 px pages)."""
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride", {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False}
    )


def stop_emulation(driver) -> None:
    driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


def make_driver(width: int = 1600, height: int = 1000, console_log: bool = False, lang: str | None = None):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for arg in (*FLAGS, f"--window-size={width},{height}", *([f"--lang={lang}"] if lang else [])):
        opts.add_argument(arg)
    if console_log:
        opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service(CHROMEDRIVER), options=opts)
