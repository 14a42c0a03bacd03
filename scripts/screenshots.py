"""Make the README's screenshots from the demo, so that they show what `make run` shows.

`make screenshots` runs this: it sets the demo up (migrate + setup_demo with DEBUG on)
in a throwaway SQLite database, serves it with runserver on a free local port (or
SCREENSHOT_PORT), logs in through the login form in Debian's Chromium and saves
docs/screenshots/dashboard.png, article.png and claim.png.
"""

import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

from playwright.sync_api import expect, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
VIEWPORT = {"width": 1280, "height": 800}


def free_port() -> int:
    if os.environ.get("SCREENSHOT_PORT"):
        return int(os.environ["SCREENSHOT_PORT"])
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url: str, seconds: int = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.25)
    raise SystemExit(f"The demo server did not answer at {url}.")


def log_in(browser, base: str, username: str, password: str):
    page = browser.new_page(viewport=VIEWPORT, base_url=base)
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
    return page


def shoot(page, name: str) -> None:
    path = OUT / f"{name}.png"
    page.screenshot(path=path)
    print(f"{path.relative_to(ROOT)}: {path.stat().st_size // 1024} KB")


def take_screenshots(base: str, password: str) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS
        )
        # The editor's day: what awaits approval, the articles, the verdicts.
        editor = log_in(browser, base, "editor", password)
        shoot(editor, "dashboard")
        editor.goto("/articles/")
        editor.locator("td a[href^='/articles/']").first.click()
        editor.locator("html[data-shortcuts='ready']").wait_for(state="attached")
        editor.keyboard.press("j")
        editor.keyboard.press("j")
        editor.evaluate("window.scrollTo(0, 0)")
        shoot(editor, "article")
        # A fact-checker's claim in progress: verdict keys, evidence, actions.
        checker = log_in(browser, base, "checker2", password)
        checker.locator("#my-work + ul a").first.click()
        expect(checker.get_by_role("heading", name="Verdict")).to_be_visible()
        shoot(checker, "claim")
        browser.close()


def main() -> None:
    password = secrets.token_urlsafe(16)
    with tempfile.TemporaryDirectory() as tmp:
        env = {
            **os.environ,
            "DEBUG": "1",
            "DATABASE_URL": f"sqlite:///{tmp}/demo.sqlite3",
            "VERIFIER_DEMO_PASSWORD": password,
        }
        manage = [sys.executable, str(ROOT / "manage.py")]
        quiet = {"env": env, "check": True, "stdout": subprocess.DEVNULL}
        subprocess.run([*manage, "migrate", "--noinput"], **quiet)
        subprocess.run([*manage, "setup_demo"], **quiet)
        port = free_port()
        server = subprocess.Popen(
            [*manage, "runserver", "--noreload", f"127.0.0.1:{port}"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            wait_for(base + "/healthz")
            take_screenshots(base, password)
        finally:
            server.terminate()
            server.wait(timeout=10)


if __name__ == "__main__":
    main()
