"""In a real browser: the review flow end to end, accessibility, keyboard and layout.

Playwright drives Debian's Chromium (never a downloaded one) against the live server.
One browser serves the whole session; every test gets fresh contexts, logged in
through the real login form. axe-core checks each page both at WCAG 2.1 AA and with
its default full rule set, which is what the contract check runs.
"""

from datetime import timedelta

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from tests.conftest import (
    PASSWORD,
    current_version,
    make_approved,
    make_article,
    make_in_progress,
    make_submitted,
    refresh,
)
from verifier import importing, workflow
from verifier.models import Article, Claim, Priority

# The live server reads what the test writes, so the test cannot hide its data in a
# transaction: the database is flushed after each test instead.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDE = {"width": 1440, "height": 900}
PHONE = {"width": 390, "height": 844}
WCAG21AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

axe = Axe()


# Registered before any of the page's own code runs; the browser fires the event for
# every blocked script, style, image or form target.
REPORT_CSP_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", event => {
    window.reportCspViolation(
        `${location.pathname}: ${event.violatedDirective} blocked `
        + `${event.blockedURI || "inline"} (${event.sourceFile}:${event.lineNumber})`
    );
});
"""


@pytest.fixture
def csp_violations():
    """Every Content-Security-Policy violation seen by the pages of visit()."""
    return []


@pytest.fixture
def visit(browser, live_server, csp_violations):
    """visit(user, path) -> a page showing path, logged in as user (None: anonymous).

    The session is made on the server as Django's test client makes it, which keeps
    the suite fast; log_in() goes through the login form where that is the point.
    Any uncaught JavaScript error or Content-Security-Policy violation on any page
    fails the test.
    """
    contexts, errors = [], []

    def visit(user, path="/", viewport=WIDE):
        context = browser.new_context(viewport=viewport, base_url=live_server.url)
        context.set_default_timeout(10_000)
        context.expose_function(
            "reportCspViolation", lambda violation: csp_violations.append(violation)
        )
        context.add_init_script(REPORT_CSP_VIOLATIONS)
        contexts.append(context)
        if user is not None:
            client = Client()
            client.force_login(user)
            session = client.cookies[settings.SESSION_COOKIE_NAME].value
            context.add_cookies(
                [
                    {
                        "name": settings.SESSION_COOKIE_NAME,
                        "value": session,
                        "url": live_server.url,
                    }
                ]
            )
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(error))
        page.goto(path)
        return page

    yield visit
    for context in contexts:
        context.close()
    assert errors == []
    assert csp_violations == []


def log_in(page, user):
    """Log in through the real login form, as a person does."""
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()


def axe_violations(page) -> list[str]:
    """The axe-core violations on the page: WCAG 2.1 AA, then the default full run."""
    wcag = axe.run(page, options={"runOnly": {"type": "tag", "values": WCAG21AA}})
    full = axe.run(page)
    found = []
    for results in (wcag, full):
        for violation in results.response["violations"]:
            targets = [", ".join(node["target"]) for node in violation["nodes"]]
            found.append(f"{violation['id']}: {violation['help']} at {targets}")
    return found


def dangling_references(page) -> list[str]:
    """aria-labelledby/-describedby naming ids that are not on the page.

    axe only lists these as needing review, but a description that points nowhere is
    lost to screen reader users (Django points fields at "<id>_helptext").
    """
    return page.evaluate(
        """() => [...document.querySelectorAll("[aria-labelledby], [aria-describedby]")]
            .flatMap(element => ["aria-labelledby", "aria-describedby"]
                .flatMap(name => (element.getAttribute(name) || "").split(/\\s+/))
                .filter(id => id && !document.getElementById(id))
                .map(id => `${element.tagName}#${element.id} -> ${id}`))"""
    )


def shortcuts_ready(page):
    """Wait until the page's shortcuts script has run (it is deferred)."""
    expect(page.locator("html")).to_have_attribute("data-shortcuts", "ready")
    return page


def status_of(claim) -> str:
    return refresh(claim).state


def select_words(page, words):
    """Select words of the article text with the mouse, as a person does: press on
    the first character, drag to the last, release."""
    # In the article text, not the "Other sentences" list, which may hold them too.
    page.locator("#article-body").get_by_text(words).first.scroll_into_view_if_needed()
    corners = page.evaluate(
        """words => {
            const body = document.getElementById("article-body");
            const walker = document.createTreeWalker(body, NodeFilter.SHOW_TEXT);
            for (let node = walker.nextNode(); node; node = walker.nextNode()) {
                const at = node.data.indexOf(words);
                if (at < 0) continue;
                const range = document.createRange();
                // In the middle of the screen, clear of its edges and the header.
                range.setStart(node, at);
                range.setEnd(node, at + words.length);
                const box = range.getBoundingClientRect();
                window.scrollBy(0, box.top - window.innerHeight / 2);
                range.setStart(node, at);
                range.setEnd(node, at + 1);
                const first = range.getBoundingClientRect();
                range.setStart(node, at + words.length - 1);
                range.setEnd(node, at + words.length);
                const last = range.getBoundingClientRect();
                return [first.left + 1, first.top + first.height / 2,
                        last.right - 1, last.top + last.height / 2];
            }
            return null;
        }""",
        words,
    )
    assert corners is not None, f"not in the article text: {words}"
    x1, y1, x2, y2 = corners
    page.mouse.move(x1, y1)
    page.mouse.down()
    page.mouse.move(x2, y2, steps=8)
    page.mouse.up()
    assert page.evaluate("getSelection().toString()") == words


def unclaimed_sentence(page) -> str:
    """The first sentence of the longest run of article text that no claim covers."""
    runs = page.locator("#article-body > span[data-start]").all_text_contents()
    text = max(runs, key=len).strip()
    return text.split(". ")[0].split("\n")[0].rstrip(".") + "."


def add_claim_by_selecting(page) -> Claim:
    words = unclaimed_sentence(page)
    select_words(page, words)
    page.locator(".floating-add").click()
    expect(page.locator(".message-success")).to_contain_text("added")
    claim = Claim.objects.get(text=words)
    expect(page.locator(f"#mark-{claim.pk}")).to_contain_text(words)
    return claim


PASTED = (
    "City unemployment fell to 4.1% in June, the statistics office said.\n\n"
    "The mayor called it the best summer the city has ever had. Residents at the "
    "market seemed to agree on Saturday morning.\n\n"
    "According to the transport agency, 38,000 people used the new bridge on its "
    "first day, twice the forecast.\n\n"
    "Council members will vote on the budget next week. Reporting by Ana Ruiz."
)


# --- the review flow, end to end ---


def test_the_whole_review_from_pasting_an_article_to_sign_off(visit, checker, editor):
    # A fact-checker pastes a new article and sees its claims highlighted.
    alice = visit(None)
    log_in(alice, checker)
    alice.get_by_role("navigation", name="Main").get_by_role(
        "link", name="Articles"
    ).click()
    alice.get_by_role("link", name="Import an article").click()
    alice.get_by_label("Title").fill("Summer in the city")
    alice.get_by_label("Article text").fill(PASTED)
    alice.get_by_label("Outlet").fill("City Herald")
    alice.get_by_role("button", name="Import and find claims").click()
    expect(alice.get_by_role("heading", name="Summer in the city")).to_be_visible()
    article = Article.objects.get(title="Summer in the city")
    found = list(article.claims.order_by("start"))
    expect(alice.locator(".message-success")).to_contain_text(
        f"Imported with {len(found)} candidate claim"
    )
    expect(alice.locator("#article-body .claim-mark")).to_have_count(len(found))
    for claim in found:
        expect(alice.locator(f"#mark-{claim.pk}")).to_contain_text(claim.text)
    expect(alice.locator(".claim-mark", has_text="fell to 4.1% in June")).to_have_count(
        1
    )

    # She adds two claims the machine missed by selecting their words.
    first = add_claim_by_selecting(alice)
    second = add_claim_by_selecting(alice)

    # She works the first to submission with evidence and a note.
    alice.locator(f"#mark-{first.pk}").click()
    alice.get_by_role("button", name="Start").click()
    alice.get_by_label("Verdict").select_option(label="Misleading")
    alice.get_by_label("Rationale").fill("The office's June figure is 4.4%.")
    alice.get_by_role("button", name="Save verdict").click()
    alice.locator("summary").filter(has_text="Add evidence").click()
    alice.get_by_label("Title").fill("Labour market, June")
    alice.get_by_label("Publisher").fill("City statistics office")
    alice.get_by_label("URL").fill("https://stats.example.org/june.pdf")
    alice.get_by_label("Excerpt").fill("Unemployment rate: 4.4%.")
    alice.get_by_label("Stance").select_option(label="Contradicts the claim")
    alice.get_by_role("button", name="Add evidence").click()
    alice.get_by_label("Note").fill("Asked the office about the 4.1% figure.")
    alice.get_by_role("button", name="Add note").click()
    alice.get_by_role("button", name="Submit").click()
    expect(alice.locator(".page-head .badge")).to_have_text("Submitted")
    make_submitted(second, checker)  # the second goes the same way, off screen

    # An editor returns the first with a reason and approves the second.
    carol = visit(None)
    log_in(carol, editor)
    carol.goto(first.get_absolute_url())
    returning = carol.locator("form.reason-form").filter(
        has=carol.get_by_role("button", name="Return")
    )
    returning.get_by_label("Reason").fill("Quote the table, not the press release.")
    returning.get_by_role("button", name="Return").click()
    expect(carol.locator(".page-head .badge")).to_have_text("In progress")
    carol.goto(second.get_absolute_url())
    carol.get_by_role("button", name="Approve").click()
    expect(carol.locator(".page-head .badge")).to_have_text("Approved")

    # Once every claim is settled, she signs the article off; it is read-only.
    workflow.submit(first, user=checker, version=current_version(first))
    workflow.approve(first, user=editor, version=current_version(first))
    for claim in found:
        workflow.dismiss(
            claim,
            user=editor,
            reason="Not for this check.",
            version=current_version(claim),
        )
    carol.goto(article.get_absolute_url())
    carol.get_by_role("button", name="Sign off").click()
    expect(carol.get_by_text("Signed off by carol")).to_be_visible()
    expect(carol.get_by_role("button", name="Add claim")).to_have_count(0)
    assert refresh(article).state == Article.State.SIGNED_OFF
    alice.goto(first.get_absolute_url())
    expect(alice.get_by_text("this claim is read-only")).to_be_visible()
    expect(alice.locator("main form[method=post]")).to_have_count(0)
    assert first.events.filter(action="return").get().reason == (
        "Quote the table, not the press release."
    )


def test_checker_adds_a_claim_by_selecting_words_in_the_text(visit, checker):
    article = make_article(checker, spans=[workflow.Span(0, 68)])
    page = visit(checker, article.get_absolute_url())

    select_words(page, "prices rose 3.2% in March")
    page.locator(".floating-add").click()

    expect(page.locator(".message-success")).to_contain_text("added")
    claim = article.claims.get(text="prices rose 3.2% in March")
    expect(page.locator(f"#mark-{claim.pk}")).to_contain_text(
        "prices rose 3.2% in March"
    )
    assert claim.events.get(action="create").actor == checker


def test_checker_works_claim_to_submission_with_evidence_and_note(visit, checker):
    claim = make_article(checker).claims.order_by("start").first()
    page = visit(checker, claim.get_absolute_url())

    page.get_by_role("button", name="Start").click()
    expect(page.locator(".page-head .badge")).to_have_text("In progress")
    page.get_by_label("Verdict").select_option(label="False")
    page.get_by_label("Rationale").fill("The department counted 230,000, not 210,000.")
    page.get_by_role("button", name="Save verdict").click()
    expect(page.get_by_text("Verdict saved.")).to_be_visible()

    page.locator("summary").filter(has_text="Add evidence").click()
    page.get_by_label("Title").fill("Weekly claims report")
    page.get_by_label("Publisher").fill("Labor Department")
    page.get_by_label("URL").fill("https://www.dol.gov/ui/data.pdf")
    page.get_by_label("Excerpt").fill("Initial claims were 230,000.")
    page.get_by_label("Locator").fill("table 1")
    page.get_by_label("Stance").select_option(label="Contradicts the claim")
    page.get_by_role("button", name="Add evidence").click()
    expect(page.get_by_text("Evidence added.")).to_be_visible()

    page.get_by_label("Note").fill("Checked against the PDF, table 1.")
    page.get_by_role("button", name="Add note").click()
    expect(page.get_by_text("Note added.")).to_be_visible()

    page.get_by_role("button", name="Submit").click()
    expect(page.locator(".page-head .badge")).to_have_text("Submitted")
    claim = refresh(claim)
    assert claim.state == Claim.State.SUBMITTED
    assert claim.rating.label == "False"
    assert claim.evidence.get().source.publisher == "Labor Department"
    assert claim.notes.get().text == "Checked against the PDF, table 1."


def test_editor_returns_a_verdict_with_a_reason(visit, checker, editor):
    claim = make_article(checker).claims.order_by("start").first()
    make_submitted(claim, checker)
    page = visit(editor, claim.get_absolute_url())

    form = page.locator("form.reason-form").filter(
        has=page.get_by_role("button", name="Return")
    )
    form.get_by_label("Reason").fill("Cite the primary table, not the summary.")
    form.get_by_role("button", name="Return").click()

    expect(page.locator(".page-head .badge")).to_have_text("In progress")
    assert status_of(claim) == Claim.State.IN_PROGRESS
    event = claim.events.order_by("pk").last()
    assert (event.action, event.reason) == (
        "return",
        "Cite the primary table, not the summary.",
    )


@pytest.mark.parametrize("viewport", [WIDE, PHONE], ids=["wide", "phone"])
def test_returned_work_leads_the_checkers_dashboard_and_tops_the_claim(
    visit, checker, editor, viewport
):
    claim = make_article(checker).claims.order_by("start").first()
    make_submitted(claim, checker)
    page = visit(editor, claim.get_absolute_url(), viewport=viewport)
    form = page.locator("form.reason-form").filter(
        has=page.get_by_role("button", name="Return")
    )
    form.get_by_label("Reason").fill("Cite the primary table, not the summary.")
    form.get_by_role("button", name="Return").click()
    expect(page.locator(".page-head .badge")).to_have_text("In progress")

    page = visit(checker, "/", viewport=viewport)
    first = page.locator(".work-item").first
    expect(first).to_contain_text("Returned to you")
    expect(first).to_contain_text("Cite the primary table, not the summary.")
    assert axe_violations(page) == []
    first.get_by_role("link").click()
    banner = page.get_by_role("status").filter(has_text="Returned by carol")
    expect(banner).to_contain_text("Cite the primary table, not the summary.")
    assert axe_violations(page) == []


@pytest.mark.parametrize("viewport", [WIDE, PHONE], ids=["wide", "phone"])
def test_editor_sets_a_deadline_and_the_checkers_work_shows_it(
    visit, checker, editor, viewport
):
    article = make_article(checker)
    claim = article.claims.order_by("start").first()
    workflow.start(claim, user=checker, version=current_version(claim))
    page = visit(editor, article.get_absolute_url(), viewport=viewport)
    due = timezone.localtime() + timedelta(hours=3, minutes=10)
    page.get_by_label("Due").fill(due.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Priority").select_option(label="Urgent")
    page.get_by_role("button", name="Save deadline").click()
    expect(page.locator(".deadline")).to_contain_text("due in 3 h")
    assert Article.objects.get(pk=article.pk).priority == Priority.URGENT

    page = visit(checker, "/", viewport=viewport)
    item = page.locator(".work-item").first
    expect(item).to_contain_text("due in 3 h")
    expect(item).to_contain_text("Urgent priority")
    assert axe_violations(page) == []


def test_editor_approves_a_verdict(visit, checker, editor):
    claim = make_article(checker).claims.order_by("start").first()
    make_submitted(claim, checker)
    page = visit(editor, claim.get_absolute_url())

    page.get_by_role("button", name="Approve").click()

    expect(page.locator(".page-head .badge")).to_have_text("Approved")
    assert status_of(claim) == Claim.State.APPROVED
    assert refresh(claim).approved_by == editor


def test_editor_signs_off_settled_article_and_it_becomes_read_only(
    visit, checker, editor
):
    article = make_article(checker)
    first, second, third = article.claims.order_by("start")
    make_approved(first, checker, editor)
    make_approved(second, checker, editor)
    workflow.dismiss(
        third,
        user=checker,
        reason="An opinion, not a claim.",
        version=current_version(third),
    )
    page = visit(editor, article.get_absolute_url())

    page.get_by_role("button", name="Sign off").click()

    expect(
        page.get_by_text("Signed off. The article is now read-only.")
    ).to_be_visible()
    expect(page.get_by_role("button", name="Sign off")).to_have_count(0)
    expect(page.get_by_role("button", name="Reopen")).to_be_visible()
    assert refresh(article).state == Article.State.SIGNED_OFF
    page.goto(first.get_absolute_url())
    expect(page.get_by_text("this claim is read-only")).to_be_visible()
    for name in ["Start", "Submit", "Approve", "Return", "Reopen", "Dismiss"]:
        expect(page.get_by_role("button", name=name, exact=True)).to_have_count(0)
    expect(page.get_by_label("Note")).to_have_count(0)


# --- keyboard ---


def test_j_and_k_move_between_claims_on_the_article_page(visit, checker):
    article = make_article(checker)
    first, second, _ = article.claims.order_by("start")
    page = visit(checker, article.get_absolute_url())
    shortcuts_ready(page)

    page.keyboard.press("j")
    expect(page.locator(f"#mark-{first.pk}")).to_be_focused()
    page.keyboard.press("j")
    expect(page.locator(f"#mark-{second.pk}")).to_be_focused()
    expect(page.locator(f".claim-row[data-claim='{second.pk}']")).to_have_class(
        "claim-row is-current"
    )
    page.keyboard.press("k")
    expect(page.locator(f"#mark-{first.pk}")).to_be_focused()


def test_k_stops_at_the_first_claim_and_says_so(visit, checker):
    article = make_article(checker)
    first = article.claims.order_by("start").first()
    page = visit(checker, article.get_absolute_url())
    shortcuts_ready(page)

    page.keyboard.press("j")
    page.keyboard.press("k")

    expect(page.locator(f"#mark-{first.pk}")).to_be_focused()
    expect(page.locator("#shortcut-status")).to_have_text("This is the first claim.")


def test_enter_opens_the_current_claim(visit, live_server, checker):
    article = make_article(checker)
    second = article.claims.order_by("start")[1]
    page = visit(checker, article.get_absolute_url())
    shortcuts_ready(page)

    page.keyboard.press("j")
    page.keyboard.press("j")
    page.keyboard.press("Enter")

    expect(page).to_have_url(live_server.url + second.get_absolute_url())


def test_number_keys_pick_the_verdict(visit, checker):
    claim = make_article(checker).claims.order_by("start").first()
    workflow.start(claim, user=checker, version=current_version(claim))
    page = visit(checker, claim.get_absolute_url())
    shortcuts_ready(page)
    expect(page.locator("[data-verdict-keys]")).to_be_visible()

    page.keyboard.press("5")

    verdict = page.get_by_label("Verdict")
    expect(verdict.locator("option:checked")).to_have_text("False")
    expect(page.locator("#shortcut-status")).to_contain_text("Verdict: False.")


def test_checker_works_a_claim_from_the_keyboard_alone(visit, checker):
    claim = make_article(checker).claims.order_by("start").first()
    page = visit(checker, claim.get_absolute_url())
    shortcuts_ready(page)
    keys = page.keyboard

    keys.press("s")  # Start
    expect(page.locator(".page-head .badge")).to_have_text("In progress")
    shortcuts_ready(page)
    keys.press("4")  # Misleading
    keys.press("r")
    keys.type("The figure is from last year.")
    keys.press("Escape")
    keys.press("v")  # save the verdict
    expect(page.get_by_text("Verdict saved.")).to_be_visible()
    shortcuts_ready(page)

    keys.press("e")  # the evidence form, from its Source field
    for text in ["Weekly claims report", "Labor Department"]:
        keys.press("Tab")
        keys.type(text)
    keys.press("Tab")  # Kind stays "Primary document"
    keys.press("Tab")
    keys.type("https://www.dol.gov/ui/data.pdf")
    keys.press("Tab")  # no offline reference
    keys.press("Tab")
    keys.type("Initial claims were 230,000.")
    keys.press("Tab")
    keys.type("table 1")
    keys.press("Tab")
    page.keyboard.press("ArrowDown")  # Stance: the first choice, "Supports the claim"
    keys.press("Tab")
    keys.press("Enter")  # Add evidence
    expect(page.get_by_text("Evidence added.")).to_be_visible()
    shortcuts_ready(page)

    keys.press("n")
    keys.type("Same table as last week.")
    keys.press("Tab")
    keys.press("Enter")  # Add note
    expect(page.get_by_text("Note added.")).to_be_visible()
    shortcuts_ready(page)

    keys.press("Shift+S")  # Submit
    expect(page.locator(".page-head .badge")).to_have_text("Submitted")
    claim = refresh(claim)
    assert (claim.state, claim.rating.label) == (Claim.State.SUBMITTED, "Misleading")
    assert claim.rationale == "The figure is from last year."
    assert claim.evidence.count() == 1 and claim.notes.count() == 1


def test_shortcuts_do_not_fire_while_typing_in_a_field(visit, checker):
    claim = make_article(checker).claims.order_by("start").first()
    make_in_progress(claim, checker)
    page = visit(checker, claim.get_absolute_url())
    shortcuts_ready(page)
    verdict = page.get_by_label("Verdict")
    before = verdict.input_value()

    rationale = page.get_by_label("Rationale")
    rationale.fill("")
    rationale.click()
    page.keyboard.type("1 vs S j?")

    expect(rationale).to_have_value("1 vs S j?")
    expect(verdict).to_have_value(before)
    expect(page.locator("#shortcuts")).not_to_have_attribute("open", "")
    assert status_of(claim) == Claim.State.IN_PROGRESS


def test_shortcuts_do_not_fire_with_modifier_keys(visit, checker):
    claim = make_article(checker).claims.order_by("start").first()
    make_in_progress(claim, checker)
    page = visit(checker, claim.get_absolute_url())
    shortcuts_ready(page)
    verdict = page.get_by_label("Verdict")
    before = verdict.input_value()

    page.keyboard.press("Alt+1")
    page.keyboard.press("Control+2")

    expect(verdict).to_have_value(before)


def test_submit_shortcut_asks_to_save_an_unsaved_verdict_first(visit, checker):
    claim = make_article(checker).claims.order_by("start").first()
    make_in_progress(claim, checker)
    page = visit(checker, claim.get_absolute_url())
    shortcuts_ready(page)

    page.keyboard.press("1")
    page.keyboard.press("Shift+S")

    expect(page.locator("#shortcut-status")).to_contain_text("unsaved changes")
    expect(page.get_by_role("button", name="Save verdict")).to_be_focused()
    assert status_of(claim) == Claim.State.IN_PROGRESS


def test_question_mark_shows_the_shortcuts_and_close_hides_them(visit, checker):
    claim = make_article(checker).claims.order_by("start").first()
    page = visit(checker, claim.get_absolute_url())
    shortcuts_ready(page)
    dialog = page.get_by_role("dialog", name="Keyboard shortcuts")

    page.keyboard.press("?")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_role("button", name="Close")).to_be_focused()
    expect(dialog).to_contain_text("Submit the verdict for approval")
    page.keyboard.press("Enter")

    expect(dialog).to_be_hidden()


def test_shortcuts_button_in_the_header_opens_the_list(visit, checker):
    article = make_article(checker)
    page = visit(checker, article.get_absolute_url())
    shortcuts_ready(page)

    page.get_by_role("button", name="Keyboard shortcuts").click()

    dialog = page.get_by_role("dialog", name="Keyboard shortcuts")
    expect(dialog).to_contain_text("Next claim")
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()


# --- accessibility: zero axe-core violations on every page ---


def test_login_page_has_no_accessibility_violations(visit):
    page = visit(None, "/accounts/login/")
    assert axe_violations(page) == []


def test_failed_login_page_has_no_accessibility_violations(visit, checker):
    page = visit(None, "/accounts/login/")
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("alert")).to_be_visible()
    assert axe_violations(page) == []


@pytest.fixture
def desk(checker, other_checker, editor):
    """Every page of an editor's working day: an article with a claim in each state.

    Returns {what the page shows: its path}.
    """
    article = make_article(
        checker,
        body=(
            "Jobless claims fell to 210,000 last week, the Labor Department said.\n\n"
            "The mayor said crime fell 12% in 2024.\n\n"
            "According to the agency, prices rose 3.2% in March.\n\n"
            "Officials said 4,000 homes were built.\n\n"
            "It was a fine day for a parade.\n\n"
            "Exports rose 7% in May, the ministry said."
        ),
        outlet="Daily Example",
    )
    article = workflow.schedule_article(
        article,
        user=editor,
        due=timezone.now() + timedelta(hours=5),
        priority=Priority.HIGH,
        version=current_version(article),
    )
    claims = list(article.claims.order_by("start"))
    make_submitted(claims[5], checker)
    workflow.return_(
        claims[5],
        user=editor,
        reason="Name the ministry's release.",
        version=current_version(claims[5]),
    )
    make_approved(claims[0], checker, editor)
    make_submitted(claims[1], other_checker)
    make_in_progress(claims[2], checker)
    workflow.dismiss(
        claims[4],
        user=checker,
        reason="Not a checkable claim.",
        version=current_version(claims[4]),
    )
    corrected = make_article(
        checker,
        title="Schools",
        body="The council approved 12 new schools.\n\nBuilding starts in May.",
    )
    importing.import_new_version(
        user=checker,
        article=corrected,
        body="The council approved 14 new schools.\n\nBuilding starts in June.",
    )
    return {
        "dashboard": "/",
        "article list": "/articles/",
        "article corrected by its outlet": corrected.get_absolute_url(),
        "what changed in its text": reverse(
            "article-text-changes", args=[corrected.pk, 1]
        ),
        "import form": "/articles/new/",
        "claim list": "/claims/",
        "claim list, filtered": "/claims/?state=submitted&sort=-updated_at",
        "article": article.get_absolute_url(),
        "memo": article.get_absolute_url() + "report/",
        "approved claim": claims[0].get_absolute_url(),
        "submitted claim": claims[1].get_absolute_url(),
        "claim in progress": claims[2].get_absolute_url(),
        "open claim": claims[3].get_absolute_url(),
        "dismissed claim": claims[4].get_absolute_url(),
        "returned claim": claims[5].get_absolute_url(),
        "inbox": "/inbox/",
        "preferences": "/preferences/",
    }


def violations_on(page, pages: dict) -> dict:
    """{page: its axe violations} for every page that has any, forms unfolded."""
    found = {}
    for name, path in pages.items():
        page.goto(path)
        for details in page.locator("details").all():
            details.evaluate("element => { element.open = true; }")
        violations = axe_violations(page) + dangling_references(page)
        if violations:
            found[name] = violations
    return found


def test_every_page_a_checker_sees_has_no_accessibility_violations(
    visit, checker, desk
):
    assert violations_on(visit(checker), desk) == {}


def test_every_page_an_editor_sees_has_no_accessibility_violations(visit, editor, desk):
    assert violations_on(visit(editor), desk) == {}


def test_every_page_on_a_phone_has_no_accessibility_violations(visit, checker, desk):
    assert violations_on(visit(checker, viewport=PHONE), desk) == {}


def test_import_form_with_errors_has_no_accessibility_violations(visit, checker):
    page = visit(checker, "/articles/new/")
    page.get_by_label("URL").fill("ftp://example.org/a.txt")
    page.get_by_role("button", name="Import and find claims").click()
    expect(page.locator(".errorlist").first).to_be_visible()
    assert axe_violations(page) == []


def test_signed_off_article_has_no_accessibility_violations(visit, checker, editor):
    article = make_article(checker)
    for claim in article.claims.all():
        make_approved(claim, checker, editor)
    workflow.sign_off(article, user=editor, version=current_version(article))
    page = visit(editor, article.get_absolute_url())
    assert axe_violations(page) == []
    page.goto(article.claims.first().get_absolute_url())
    assert axe_violations(page) == []


def test_open_shortcuts_dialog_has_no_accessibility_violations(visit, checker):
    claim = make_article(checker).claims.order_by("start").first()
    make_in_progress(claim, checker)
    page = shortcuts_ready(visit(checker, claim.get_absolute_url()))
    page.keyboard.press("?")
    expect(page.get_by_role("dialog")).to_be_visible()
    assert axe_violations(page) == []


def test_current_claim_mark_has_no_accessibility_violations(visit, checker):
    article = make_article(checker)
    page = shortcuts_ready(visit(checker, article.get_absolute_url()))
    page.keyboard.press("j")
    assert axe_violations(page) == []


def test_skip_link_is_the_first_stop_and_moves_focus_to_main(visit, checker):
    page = visit(checker, "/claims/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()


def test_focus_is_visible_on_buttons_and_links(visit, checker):
    claim = make_article(checker).claims.order_by("start").first()
    page = visit(checker, claim.get_absolute_url())
    start = page.get_by_role("button", name="Start")
    page.keyboard.press("Tab")  # focus-visible follows a keyboard user
    start.focus()
    outline = start.evaluate("element => getComputedStyle(element).outlineStyle")
    assert outline == "solid"


# --- layout: from a 390-pixel phone to a wide screen ---


def test_no_page_scrolls_sideways_on_a_phone(visit, checker, desk):
    page = visit(checker, viewport=PHONE)
    too_wide = {}
    for name, path in desk.items():
        page.goto(path)
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > PHONE["width"]:
            too_wide[name] = width
    assert too_wide == {}


def test_article_text_and_claim_list_stand_side_by_side_on_a_wide_screen(
    visit, checker
):
    article = make_article(checker)
    page = visit(checker, article.get_absolute_url())
    text = page.locator(".article-text").bounding_box()
    side = page.locator(".claim-side").bounding_box()
    assert side["x"] >= text["x"] + text["width"]
    assert abs(side["y"] - text["y"]) < 1


def test_claim_list_follows_the_text_on_a_phone(visit, checker):
    article = make_article(checker)
    page = visit(checker, article.get_absolute_url(), viewport=PHONE)
    text = page.locator(".article-text").bounding_box()
    side = page.locator(".claim-side").bounding_box()
    assert side["y"] >= text["y"] + text["height"]


def test_table_rows_become_labelled_cards_on_a_phone(visit, checker, desk):
    # The claims list has its own compact rows (test_browser_desk.py).
    page = visit(checker, "/articles/", viewport=PHONE)
    cell = page.locator("td[data-label='Outlet']").first
    label = cell.evaluate("element => getComputedStyle(element, '::before').content")
    assert label == '"Outlet"'
    assert cell.bounding_box()["width"] > 300


# --- Content-Security-Policy: no page of the app or the admin breaks it ---


def test_every_page_a_checker_sees_keeps_to_the_content_security_policy(
    visit, checker, desk, csp_violations
):
    page = visit(checker)
    for path in desk.values():
        response = page.goto(path)
        assert "script-src 'self'" in response.headers["content-security-policy"]
        for details in page.locator("details").all():
            details.evaluate("element => { element.open = true; }")
    assert csp_violations == []


def test_the_memo_print_button_works_under_the_policy(visit, checker, desk):
    page = visit(checker, desk["memo"])
    expect(page.get_by_role("button", name="Print the memo")).to_be_visible()


def test_every_admin_page_keeps_to_the_content_security_policy(
    visit, admin_user, checker, desk, csp_violations
):
    claim = Claim.objects.order_by("pk").first()
    pages = [
        "/admin/",
        "/admin/verifier/claim/",
        f"/admin/verifier/claim/{claim.pk}/change/",
        "/admin/verifier/article/",
        f"/admin/verifier/article/{claim.article_id}/change/",
        "/admin/verifier/rating/",
        "/admin/verifier/rating/add/",
        "/admin/verifier/source/add/",
        "/admin/verifier/workflowpolicy/1/change/",
        "/admin/verifier/event/",
        "/admin/auth/user/",
        f"/admin/auth/user/{checker.pk}/change/",
        f"/admin/auth/user/{checker.pk}/password/",
        "/admin/auth/group/add/",
        "/admin/axes/accessattempt/",
    ]
    page = visit(admin_user)
    for path in pages:
        response = page.goto(path)
        assert response.status == 200, path
        assert "script-src 'self'" in response.headers["content-security-policy"]
    # The admin's scripts at work: the changelist's select-all and the permission
    # picker (SelectFilter2) building its two lists.
    page.goto("/admin/verifier/claim/")
    page.locator("#action-toggle").check()
    page.goto("/admin/auth/group/add/")
    expect(page.locator("#id_permissions_from")).to_be_visible()
    assert csp_violations == []


def test_the_login_pages_keep_to_the_content_security_policy(visit, csp_violations):
    page = visit(None, "/accounts/login/")
    page.goto("/admin/login/")
    assert csp_violations == []


def test_an_inline_script_is_blocked_and_reported(visit, checker, csp_violations):
    """The watch above can fail: markup that injects a script is stopped and seen."""
    page = visit(checker, "/claims/")
    page.evaluate(
        """() => {
            const script = document.createElement("script");
            script.textContent = "document.body.dataset.pwned = 'yes'";
            document.body.append(script);
        }"""
    )
    expect(page.locator("body")).not_to_have_attribute("data-pwned", "yes")
    page.wait_for_function("() => true")
    assert any("script-src" in violation for violation in csp_violations)
    csp_violations.clear()


# --- what no other desk does: on screen, axe-clean ---

CHECKED = (
    "Immigration and Customs Enforcement lost track of more than 30,000 migrant "
    "children released into the country, the inspector general said."
)
REWORDED = (
    "The inspector general says ICE has lost track of over 30,000 migrant kids "
    "who were released into the country."
)
OTHER_FIGURE = (
    "The inspector general says ICE has lost track of over 85,000 migrant kids "
    "who were released into the country."
)


@pytest.fixture
def checked_before(checker, editor):
    """An approved claim in one article; its rewordings in another."""
    first = make_article(checker, body=CHECKED, title="Watchdog report")
    make_approved(first.claims.get(), checker, editor)
    body = "\n\n".join(
        [
            REWORDED,
            OTHER_FIGURE,
            "The council says 1,250 families are waiting for a home.",
            "Officials later put the waiting list at 1,400 families.",
        ]
    )
    return make_article(checker, body=body, title="Reworded report")


@pytest.mark.parametrize("viewport", [WIDE, PHONE], ids=["wide", "phone"])
def test_previously_checked_shows_on_the_claim_page(
    visit, checker, checked_before, viewport
):
    claim = checked_before.claims.get(text=REWORDED)
    page = visit(checker, claim.get_absolute_url(), viewport)
    section = page.locator(
        "section", has=page.get_by_role("heading", name="Previously checked")
    )
    expect(section).to_contain_text("Same claim")
    expect(section).to_contain_text("Misleading")
    expect(section.get_by_role("button", name="Reuse this verdict")).to_be_visible()
    assert axe_violations(page) == []
    other = checked_before.claims.get(text=OTHER_FIGURE)
    page = visit(checker, other.get_absolute_url(), viewport)
    expect(
        page.get_by_text("Similar, differs in the figure (85,000 / 30,000)")
    ).to_be_visible()


def test_reusing_a_verdict_in_the_browser(visit, checker, checked_before):
    claim = checked_before.claims.get(text=REWORDED)
    page = visit(checker, claim.get_absolute_url())
    page.get_by_role("button", name="Reuse this verdict").click()
    expect(
        page.get_by_text("Started from the verdict approved on claim")
    ).to_be_visible()
    assert refresh(claim).rating.label == "Misleading"
    assert axe_violations(page) == []


@pytest.mark.parametrize("viewport", [WIDE, PHONE], ids=["wide", "phone"])
def test_figures_that_disagree_show_on_the_article_page(
    visit, checker, checked_before, viewport
):
    page = visit(checker, checked_before.get_absolute_url(), viewport)
    section = page.locator("#figures")
    expect(section.get_by_role("heading", name="Figures that disagree")).to_be_visible()
    expect(section).to_contain_text("“1,250” against “1,400”")
    assert axe_violations(page) == []


def test_evidence_that_does_not_say_it_is_marked(visit, checker, checked_before):
    claim = checked_before.claims.get(text=REWORDED)
    workflow.add_evidence(
        claim,
        user=checker,
        source=workflow.create_source(
            user=checker, title="OIG report", url="https://example.org/oig.pdf"
        ),
        excerpt="ICE had not issued notices to more than 291,000 children.",
        stance="contradicts",
    )
    page = visit(checker, claim.get_absolute_url())
    expect(page.get_by_text("different in the excerpt")).to_be_visible()
    assert axe_violations(page) == []


def test_a_new_version_of_the_text_keeps_the_review(visit, checker, editor):
    body = "Jobless claims fell to 210,000 last week.\n\nPrices rose 3.2% in March."
    article = make_article(checker, body=body)
    first, second = article.claims.order_by("start")
    make_approved(first, checker, editor)
    page = visit(checker, article.get_absolute_url())
    page.get_by_text("The outlet corrected the article").click()
    page.get_by_label("New text").fill(body.replace("3.2%", "3.4%"))
    page.get_by_role("button", name="Import the new version").click()
    expect(page.get_by_text("Imported as version 2")).to_be_visible()
    assert refresh(first).state == Claim.State.APPROVED
    assert "3.4%" in refresh(second).text
    assert axe_violations(page) == []


# --- notifications ---


def unread_link(page, n: int):
    return page.get_by_role("navigation", name="Main").get_by_role(
        "link", name=f"Inbox, {n} unread"
    )


@pytest.mark.parametrize(
    "viewport", [{"width": 1280, "height": 900}, PHONE], ids=["1280", "390"]
)
def test_a_return_and_a_resubmission_reach_inbox_and_mail(
    visit, live_server, checker, editor, smtp_server, viewport
):
    claim = make_article(checker).claims.order_by("start").first()
    make_submitted(claim, checker)
    editors_page = visit(editor, claim.get_absolute_url(), viewport=viewport)
    expect(unread_link(editors_page, 1)).to_be_visible()  # awaiting approval

    form = editors_page.locator("form.reason-form").filter(
        has=editors_page.get_by_role("button", name="Return")
    )
    form.get_by_label("Reason").fill("Cite the primary table, not the summary.")
    form.get_by_role("button", name="Return").click()
    expect(editors_page.locator(".page-head .badge")).to_have_text("In progress")

    page = visit(None, "/accounts/login/", viewport=viewport)
    log_in(page, checker)
    unread_link(page, 1).click()
    expect(page.get_by_role("heading", name="Inbox")).to_be_visible()
    item = page.locator(".notification").first
    expect(item).to_contain_text("carol returned claim")
    expect(item).to_contain_text("Reason: Cite the primary table, not the summary.")
    assert axe_violations(page) == []
    mails = smtp_server.to("alice@example.org")
    assert [m["Subject"] for m in mails] == [
        f"Claim #{claim.pk} returned to you by carol"
    ]
    assert "Cite the primary table, not the summary." in mails[0].get_content()

    item.get_by_role("button", name=f"Open claim #{claim.pk}").click()
    expect(page).to_have_url(f"{live_server.url}/claims/{claim.pk}/")
    expect(page.get_by_role("navigation", name="Main")).not_to_contain_text("unread")
    page.get_by_role("button", name="Submit").click()
    expect(page.locator(".page-head .badge")).to_have_text("Submitted")

    editors_page.reload()
    expect(unread_link(editors_page, 2)).to_be_visible()
    assert axe_violations(editors_page) == []
    assert [m["Subject"] for m in smtp_server.to("carol@example.org")] == [
        f"Claim #{claim.pk} awaits your approval"
    ] * 2


def test_preferences_page_has_no_accessibility_violations(visit, checker):
    page = visit(checker, "/preferences/")
    page.get_by_label("Time zone").select_option("Europe/Berlin")
    page.get_by_role("button", name="Save preferences").click()
    expect(page.get_by_text("Your preferences are saved.")).to_be_visible()
    assert axe_violations(page) == []
    phone = visit(checker, "/inbox/", viewport=PHONE)
    assert axe_violations(phone) == []
