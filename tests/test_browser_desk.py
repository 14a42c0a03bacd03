"""In Chromium: nothing typed is lost, the verdict chips, bulk assignment and the
claims list on a phone (issue 12). The fixtures are test_browser's."""

import pytest
from playwright.sync_api import expect

from tests import test_browser
from tests.conftest import cite, current_version, make_article, refresh
from tests.test_browser import PHONE, axe_violations, shortcuts_ready
from verifier import workflow
from verifier.models import Claim, Rating

# test_browser's fixtures: a logged-in page on the live server, failing on any
# JavaScript error or Content-Security-Policy violation.
visit = test_browser.visit
csp_violations = test_browser.csp_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def started_claim(checker):
    claim = make_article(checker).claims.order_by("start").first()
    workflow.start(claim, user=checker, version=current_version(claim))
    return claim


def record_dialogs(page, accept: bool) -> list[str]:
    """Answer every dialog (confirm or leave-page prompt); return their types."""
    seen = []

    def answer(dialog):
        seen.append(dialog.type)
        dialog.accept() if accept else dialog.dismiss()

    page.on("dialog", answer)
    return seen


def test_rationale_abandoned_by_the_j_shortcut_asks_first(visit, checker):
    claim = started_claim(checker)
    page = shortcuts_ready(visit(checker, claim.get_absolute_url()))
    dialogs = record_dialogs(page, accept=False)

    page.get_by_label("Rationale").fill("Half a careful paragraph")
    page.keyboard.press("Escape")
    page.keyboard.press("j")

    expect(page.get_by_label("Rationale")).to_have_value("Half a careful paragraph")
    assert dialogs == ["confirm"]
    assert page.url.endswith(claim.get_absolute_url())


def test_rationale_abandoned_by_a_link_asks_first_and_leaves_when_told(visit, checker):
    claim = started_claim(checker)
    page = shortcuts_ready(visit(checker, claim.get_absolute_url()))
    dialogs = record_dialogs(page, accept=True)

    page.get_by_label("Rationale").fill("Half a careful paragraph")
    page.get_by_role("link", name="Claims", exact=True).click()

    expect(page.get_by_role("heading", name="Claims", exact=True)).to_be_visible()
    assert dialogs == ["confirm"]


def test_closing_the_tab_with_typed_text_asks_first(visit, checker):
    claim = started_claim(checker)
    page = shortcuts_ready(visit(checker, claim.get_absolute_url()))
    dialogs = record_dialogs(page, accept=False)

    page.get_by_label("Rationale").fill("Half a careful paragraph")
    page.close(run_before_unload=True)

    page.wait_for_timeout(0)  # let the dialog event arrive
    expect(page.get_by_label("Rationale")).to_have_value("Half a careful paragraph")
    assert dialogs == ["beforeunload"]


def test_leaving_without_typing_or_after_saving_does_not_ask(visit, checker):
    claim = started_claim(checker)
    page = shortcuts_ready(visit(checker, claim.get_absolute_url()))
    dialogs = record_dialogs(page, accept=False)

    page.get_by_label("Rationale").fill("The whole paragraph.")
    page.get_by_role("button", name="Save verdict").click()
    expect(page.get_by_text("Verdict saved.")).to_be_visible()
    shortcuts_ready(page).keyboard.press("j")

    expect(page.get_by_text("Claim 2 of 3 in the article")).to_be_visible()
    assert dialogs == []
    assert refresh(claim).rationale == "The whole paragraph."


def test_after_a_conflict_the_typed_text_is_still_in_the_form(visit, checker):
    claim = started_claim(checker)
    page = shortcuts_ready(visit(checker, claim.get_absolute_url()))
    workflow.save_verdict(
        claim,
        user=checker,
        rating=Rating.objects.get(label="False"),
        rationale="Saved in another tab.",
        version=current_version(claim),
    )

    page.get_by_label("Rationale").fill("My careful paragraph.")
    page.get_by_role("button", name="Save verdict").click()

    expect(page.get_by_role("alert")).to_contain_text("Saved in another tab.")
    expect(page.get_by_label("Rationale")).to_have_value("My careful paragraph.")
    # Still unsaved: leaving asks.
    dialogs = record_dialogs(page, accept=False)
    shortcuts_ready(page).get_by_role("link", name="Next claim →").click()
    assert dialogs == ["confirm"]


def test_after_a_conflict_with_a_submitted_claim_the_text_is_kept_read_only(
    visit, checker
):
    claim = started_claim(checker)
    page = shortcuts_ready(visit(checker, claim.get_absolute_url()))
    # Meanwhile, in another tab: a verdict, evidence, and the claim submitted.
    workflow.save_verdict(
        claim,
        user=checker,
        rating=Rating.objects.get(label="False"),
        rationale="Saved in another tab.",
        version=current_version(claim),
    )
    cite(claim, checker)
    workflow.submit(claim, user=checker, version=current_version(claim))

    page.get_by_label("Rationale").fill("My careful paragraph.")
    page.get_by_role("button", name="Save verdict").click()

    expect(page.get_by_role("alert")).to_contain_text("cannot be saved")
    expect(page.get_by_role("button", name="Save verdict")).to_have_count(0)
    kept = page.get_by_label("Your rationale, not saved")
    expect(kept).to_have_value("My careful paragraph.")
    expect(kept).not_to_be_editable()
    assert refresh(claim).state == Claim.State.SUBMITTED


def test_clicking_a_verdict_chip_picks_that_verdict(visit, checker):
    claim = started_claim(checker)
    page = shortcuts_ready(visit(checker, claim.get_absolute_url()))

    chip = page.get_by_role("button", name="4 Misleading")
    chip.click()

    expect(page.get_by_label("Verdict").locator("option:checked")).to_have_text(
        "Misleading"
    )
    expect(chip).to_have_attribute("aria-pressed", "true")
    page.get_by_role("button", name="5 False").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_label("Verdict").locator("option:checked")).to_have_text("False")
    description = Rating.objects.get(label="False").description
    expect(page.get_by_role("button", name="5 False")).to_have_accessible_description(
        description
    )


def test_editor_assigns_two_claims_from_the_list(visit, checker, editor):
    first, second, third = make_article(checker).claims.order_by("start")
    page = visit(editor, "/claims/")

    page.get_by_role("checkbox", name=f"Select claim #{first.pk}").check()
    page.get_by_role("checkbox", name=f"Select claim #{third.pk}").check()
    page.get_by_label("Assign the selected claims to").select_option(label="alice")
    page.get_by_role("button", name="Assign", exact=True).click()

    expect(page.get_by_text("2 claims now assigned to alice")).to_be_visible()
    assert refresh(first).assignee == checker
    assert refresh(second).assignee is None
    assert refresh(third).assignee == checker
    assert axe_violations(page) == []


def test_claims_list_rows_are_compact_on_a_phone(visit, checker, editor):
    article = make_article(checker)
    for claim in article.claims.all():
        workflow.assign(
            claim, user=editor, assignee=checker, version=current_version(claim)
        )
    page = visit(editor, "/claims/", viewport=PHONE)

    heights = page.locator(".claims-table tbody tr").evaluate_all(
        "rows => rows.map(row => row.getBoundingClientRect().height)"
    )
    assert len(heights) == 3
    assert max(heights) < 200, heights
    expect(page.get_by_role("button", name="Keyboard shortcuts")).to_be_hidden()
    assert axe_violations(page) == []


def test_no_verdict_badge_is_an_even_outline(visit, checker):
    claim = make_article(checker).claims.order_by("start").first()
    page = visit(checker, claim.get_absolute_url())

    badge = page.locator(".page-head .verdict-none")
    expect(badge).to_have_text("No verdict")
    widths = badge.evaluate(
        """badge => ["Top", "Right", "Bottom", "Left"].map(
            side => getComputedStyle(badge)[`border${side}Width`])"""
    )
    assert len(set(widths)) == 1, widths


def test_split_and_merge_stand_apart(visit, checker):
    claim = make_article(checker).claims.order_by("start").first()
    page = visit(checker, claim.get_absolute_url())
    page.get_by_text("Adjust, split or merge this claim").click()

    split = page.get_by_role("button", name="Split", exact=True).bounding_box()
    merge = page.get_by_role("button", name="Merge with next claim").bounding_box()
    assert merge["y"] - (split["y"] + split["height"]) >= 16
