"""One real Chromium (Playwright) for the UI tests: constants, the `ui` marks, and the fixtures that
tests/web/conftest.py offers (one browser per test worker, not one per module)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
FITS = "document.documentElement.scrollWidth <= window.innerWidth"  # nothing scrolls sideways

UI_MARKS = [
    pytest.mark.ui,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} not installed"),
]


def browser_session() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; Django's ORM (used by the
    # fixtures in the same thread) refuses to run while a loop is running unless told it is safe.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            yield chromium
            chromium.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


def shots_dir(tmp_path: Path) -> Path:
    """Where screenshots go: $SHOUHU_SCREENSHOT_DIR when set, else the test's temporary dir."""
    where = Path(os.environ.get("SHOUHU_SCREENSHOT_DIR") or tmp_path)
    where.mkdir(parents=True, exist_ok=True)
    return where


def second_factor_pass(page, base_url: str, username: str) -> None:
    """After the password: enter the code of the tests' authenticator (enrolled beforehand when
    the sign-in asks for enrolment). Nothing happens for a role that needs no second factor."""
    from shouhu.web.accounts.models import User
    from tests.web.factories import enrol, totp_code

    page.wait_for_load_state()
    if not page.url.startswith((f"{base_url}/login/enrol/", f"{base_url}/login/code/")):
        return
    user = User.objects.get(username=username)
    enrol(user)
    page.goto(f"{base_url}/login/code/")
    page.get_by_label("验证码", exact=True).fill(totp_code(user))
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()
