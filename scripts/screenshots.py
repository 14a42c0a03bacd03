"""Make the README's screenshots from the demo, so that they show what `make run` shows.

`make screenshots` runs this: it serves the demo (demo_server.py: a throwaway SQLite
database, a free local port or DEMO_PORT), logs in through the login form in Debian's
Chromium and saves docs/screenshots/dashboard.png, article.png and claim.png.
"""

from pathlib import Path

from demo_server import CHROMIUM, CHROMIUM_ARGS, serve_demo
from playwright.sync_api import expect, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
VIEWPORT = {"width": 1280, "height": 800}


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
        # A fact-checker's day: My work, led by the claim an editor sent back.
        checker = log_in(browser, base, "checker2", password)
        shoot(checker, "dashboard")
        # The editor's article: its claims in the text, the sign-off, the deadline.
        editor = log_in(browser, base, "editor", password)
        editor.goto("/articles/")
        editor.locator("td a[href^='/articles/']").first.click()
        editor.locator("html[data-shortcuts='ready']").wait_for(state="attached")
        editor.keyboard.press("j")
        editor.keyboard.press("j")
        editor.evaluate("window.scrollTo(0, 0)")
        shoot(editor, "article")
        # The returned claim: the editor's reason on top, verdict keys, actions.
        checker.locator(".work-item a").first.click()
        expect(checker.get_by_role("heading", name="Verdict")).to_be_visible()
        shoot(checker, "claim")
        browser.close()


def main() -> None:
    with serve_demo() as (base, password):
        take_screenshots(base, password)


if __name__ == "__main__":
    main()
