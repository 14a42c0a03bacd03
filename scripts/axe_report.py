"""axe-core's rule counts on every page of the demo: `make axe-report`.

The browser tests already fail on any violation; this prints, page by page, how
many rules axe ran and what came of them, with its default full rule set (what the
contract check runs) and restricted to WCAG 2.1 A and AA. "Needs review" are the
checks axe cannot decide alone (often colour contrast over an image or gradient).
"""

import re
import sys

from axe_playwright_python.sync_playwright import Axe
from demo_server import CHROMIUM, CHROMIUM_ARGS, serve_demo
from playwright.sync_api import sync_playwright

WCAG21AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
SIZES = {"wide": {"width": 1440, "height": 900}, "phone": {"width": 390, "height": 844}}


def log_in(page, username: str, password: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/")


def pages_of(page) -> dict:
    """{name: path} for the demo: the lists, forms, article, memo and claims."""
    page.goto("/articles/")
    article = page.locator("td a[href^='/articles/']").first.get_attribute("href")
    page.goto("/claims/")
    claims = page.locator("td a").evaluate_all("links => links.map(a => a.pathname)")
    claims = {c for c in claims if re.fullmatch(r"/claims/\d+/", c)}
    claims = sorted(claims, key=lambda path: int(path.split("/")[2]))
    named = {
        "dashboard": "/",
        "article list": "/articles/",
        "claim list": "/claims/",
        "import form": "/articles/new/",
        "article": article,
        "memo": article + "report/",
        "inbox": "/inbox/",
        "preferences": "/preferences/",
    }
    return named | {f"claim {path.split('/')[2]}": path for path in claims[:6]}


def counts(results: dict) -> tuple[int, int, int, int]:
    return tuple(
        len(results[kind])
        for kind in ("passes", "violations", "incomplete", "inapplicable")
    )


def main() -> int:
    axe = Axe()
    rows, total = [], 0
    with serve_demo() as (base, password), sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS
        )
        for size, viewport in SIZES.items():
            for username in ["checker2", "editor"]:
                context = browser.new_context(viewport=viewport, base_url=base)
                page = context.new_page()
                page.goto("/accounts/login/")
                pages = {"login": "/accounts/login/"} if username == "editor" else {}
                log_in(page, username, password)
                pages |= pages_of(page)
                for name, path in pages.items():
                    if name == "login":
                        anonymous = browser.new_context(viewport=viewport)
                        target = anonymous.new_page()
                        target.goto(base + path)
                    else:
                        target = page
                        target.goto(path)
                    for details in target.locator("details").all():
                        details.evaluate("element => { element.open = true; }")
                    full = axe.run(target, options={}).response
                    wcag = axe.run(
                        target,
                        options={"runOnly": {"type": "tag", "values": WCAG21AA}},
                    ).response
                    passed, violations, review, inapplicable = counts(full)
                    wcag_violations = len(wcag["violations"])
                    total += violations + wcag_violations
                    rows.append(
                        f"| {size} | {username if name != 'login' else '-'} | "
                        f"{name} | {passed} | {violations} | {review} | "
                        f"{inapplicable} | {counts(wcag)[0]} | {wcag_violations} |"
                    )
                    if name == "login":
                        anonymous.close()
                context.close()
        browser.close()
    print(
        "| size | user | page | rules passed | violations | needs review "
        "| inapplicable | WCAG 2.1 AA rules passed | WCAG 2.1 AA violations |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    print("\n".join(rows))
    print(f"\n{len(rows)} page views; violations in all: {total}")
    return 1 if total else 0


if __name__ == "__main__":
    sys.exit(main())
