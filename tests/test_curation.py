"""Correcting what the machine found: add, adjust, split, merge and promote claims."""

import pytest
from django.urls import reverse

from tests.conftest import BODY, current_version, make_approved, make_article, refresh
from verifier import workflow
from verifier.models import Claim

pytestmark = pytest.mark.django_db


def claims_of(article):
    return list(article.claims.order_by("start", "pk"))


def test_quote_is_found_nearest_the_offset_hint():
    body = "Prices rose. Wages fell. Prices rose."
    assert workflow.resolve_quote(body, "Prices rose.", near=30) == (25, 37)
    assert workflow.resolve_quote(body, "Prices rose.", near=0) == (0, 12)


def test_quote_not_in_text_is_refused():
    with pytest.raises(workflow.WorkflowError, match="does not appear"):
        workflow.resolve_quote("Prices rose.", "Prices fell.")


def test_checker_adds_a_claim_the_machine_missed(checker):
    article = make_article(checker, spans=[])
    claim = workflow.add_claim(article, user=checker, start=0, end=68)
    assert claim.text == BODY[:68]
    event = claim.events.get()
    assert (event.action, event.actor) == ("create", checker)


def test_added_claim_is_trimmed_of_surrounding_space(checker):
    article = make_article(checker, spans=[])
    claim = workflow.add_claim(article, user=checker, start=68, end=74)
    assert not claim.text[0].isspace() and not claim.text[-1].isspace()


def test_added_claim_cannot_overlap_a_live_claim(checker):
    article = make_article(checker)
    first = claims_of(article)[0]
    with pytest.raises(workflow.WorkflowError, match=f"overlaps claim #{first.pk}"):
        workflow.add_claim(article, user=checker, start=5, end=20)
    assert article.claims.count() == 3


def test_added_claim_outside_the_text_is_refused(checker):
    article = make_article(checker, spans=[])
    with pytest.raises(workflow.WorkflowError, match="outside"):
        workflow.add_claim(article, user=checker, start=5, end=len(BODY) + 5)
    assert article.claims.count() == 0


def test_claims_cannot_be_added_after_sign_off(checker, editor):
    article = make_article(
        checker, body="Rates rose 2%. The end.", spans=[workflow.Span(0, 14)]
    )
    make_approved(claims_of(article)[0], checker, editor)
    workflow.sign_off(article, user=editor, version=current_version(article))
    with pytest.raises(workflow.WorkflowError, match="signed off"):
        workflow.add_claim(article, user=checker, start=15, end=23)


def test_adjusting_a_span_moves_text_and_selector_with_event(checker):
    article = make_article(checker)
    claim = claims_of(article)[0]
    workflow.adjust_span(
        claim, user=checker, start=0, end=40, version=current_version(claim)
    )
    claim = refresh(claim)
    assert claim.text == BODY[:40]
    assert claim.suffix == BODY[40:72]
    event = claim.events.order_by("pk").last()
    assert event.action == "adjust"
    assert event.changes["end"] == [68, 40]


def test_adjust_cannot_swallow_a_neighbour(checker):
    article = make_article(checker)
    first, second, _ = claims_of(article)
    with pytest.raises(workflow.WorkflowError, match=f"overlaps claim #{second.pk}"):
        workflow.adjust_span(
            first,
            user=checker,
            start=0,
            end=second.start + 5,
            version=current_version(first),
        )


def test_split_keeps_both_parts_in_text_order(checker):
    article = make_article(
        checker, body="Rates rose 2% and jobs fell 3%.", spans=[workflow.Span(0, 31)]
    )
    claim = claims_of(article)[0]
    second = workflow.split(claim, user=checker, at=14, version=current_version(claim))
    first = refresh(claim)
    assert (first.text, second.text) == ("Rates rose 2%", "and jobs fell 3%.")
    assert [c.pk for c in claims_of(article)] == [first.pk, second.pk]
    assert second.events.get().reason == f"Split from claim #{first.pk}."


def test_split_at_the_edge_is_refused(checker):
    article = make_article(checker)
    claim = claims_of(article)[0]
    with pytest.raises(workflow.WorkflowError, match="both parts"):
        workflow.split(
            claim, user=checker, at=claim.start, version=current_version(claim)
        )
    assert article.claims.count() == 3


def test_split_of_a_claim_in_progress_is_refused(checker):
    article = make_article(checker)
    claim = claims_of(article)[0]
    workflow.start(claim, user=checker, version=current_version(claim))
    with pytest.raises(workflow.WorkflowError, match="in progress"):
        workflow.split(
            claim, user=checker, at=claim.start + 10, version=current_version(claim)
        )


def test_merge_joins_neighbours_and_dismisses_the_second(checker):
    article = make_article(checker)
    first, second, third = claims_of(article)
    merged = workflow.merge(first, second, user=checker, version=current_version(first))
    assert merged.text == BODY[first.start : second.end]
    second = refresh(second)
    assert second.state == Claim.State.DISMISSED
    assert second.dismiss_reason == f"Merged into claim #{first.pk}."
    assert refresh(third).state == Claim.State.OPEN


def test_restoring_a_claim_merged_away_is_refused_while_the_merge_covers_it(
    checker, editor
):
    article = make_article(checker)
    first, second, _ = claims_of(article)
    merged = workflow.merge(first, second, user=checker, version=current_version(first))
    with pytest.raises(workflow.WorkflowError, match=f"Claim #{merged.pk} covers"):
        workflow.restore(second, user=editor, version=current_version(second))
    assert refresh(second).state == Claim.State.DISMISSED
    # Once the merged claim gives the text back, the claim can come back.
    workflow.adjust_span(
        merged,
        user=checker,
        start=first.start,
        end=first.end,
        version=current_version(merged),
    )
    workflow.restore(second, user=editor, version=current_version(second))
    assert refresh(second).state == Claim.State.OPEN


def test_merge_of_claims_that_are_not_neighbours_is_refused(checker):
    article = make_article(checker)
    first, _, third = claims_of(article)
    with pytest.raises(workflow.WorkflowError, match="neighbouring"):
        workflow.merge(first, third, user=checker, version=current_version(first))


def test_merge_across_articles_is_refused(checker):
    one = claims_of(make_article(checker))[0]
    other = claims_of(
        make_article(checker, body="Another 5% rise.", spans=[workflow.Span(0, 16)])
    )[0]
    with pytest.raises(workflow.WorkflowError, match="same article"):
        workflow.merge(one, other, user=checker, version=current_version(one))


# --- through the pages ---


def test_selected_text_becomes_a_claim_from_the_article_page(client, checker):
    article = make_article(checker, spans=[])
    client.force_login(checker)
    response = client.post(
        reverse("article-add-claim", args=[article.pk]),
        {"quote": "The mayor called the report “a triumph”.", "start": "70"},
    )
    assert response.status_code == 302
    claim = article.claims.get()
    assert claim.text == "The mayor called the report “a triumph”."
    assert response["Location"].endswith(f"#mark-{claim.pk}")


def test_promoting_an_other_sentence_makes_it_a_claim(client, checker):
    body = "Rates rose 2%. The sky was grey."
    article = make_article(checker, body=body, spans=[workflow.Span(0, 14)])
    article.sentences = [[15, 32, 0.1, []]]
    article.save()
    client.force_login(checker)
    page = client.get(article.get_absolute_url()).content.decode()
    assert "Other sentences" in page and "The sky was grey." in page
    client.post(
        reverse("article-add-claim", args=[article.pk]), {"start": 15, "end": 32}
    )
    assert [c.text for c in claims_of(article)] == [
        "Rates rose 2%.",
        "The sky was grey.",
    ]
    page = client.get(article.get_absolute_url()).content.decode()
    assert "Other sentences" not in page


def test_other_sentences_are_listed_likeliest_claim_first(client, checker):
    body = "Rates rose 2%. The sky was grey. Rents rose in May. It rained."
    article = make_article(checker, body=body, spans=[workflow.Span(0, 14)])
    article.sentences = [[15, 32, 0.1, []], [33, 51, 0.4, ["dates"]], [52, 62, 0.2, []]]
    article.save()
    client.force_login(checker)
    page = client.get(article.get_absolute_url()).content.decode()
    others = page[page.index("Other sentences") :]

    assert (
        others.index("Rents rose in May.")
        < others.index("It rained.")
        < others.index("The sky was grey.")
    )


def test_quote_not_in_article_shows_an_error_and_adds_nothing(client, checker):
    article = make_article(checker, spans=[])
    client.force_login(checker)
    response = client.post(
        reverse("article-add-claim", args=[article.pk]),
        {"quote": "Words never written."},
        follow=True,
    )
    assert "does not appear in the article" in response.content.decode()
    assert article.claims.count() == 0


def test_user_without_role_cannot_add_claims(client, nobody, checker):
    article = make_article(checker, spans=[])
    client.force_login(nobody)
    response = client.post(
        reverse("article-add-claim", args=[article.pk]), {"quote": "The mayor"}
    )
    assert response.status_code == 403
    assert article.claims.count() == 0


def test_split_and_merge_from_the_claim_page(client, checker):
    article = make_article(
        checker, body="Rates rose 2% and jobs fell 3%.", spans=[workflow.Span(0, 31)]
    )
    claim = claims_of(article)[0]
    client.force_login(checker)
    client.post(
        reverse("claim-split", args=[claim.pk]),
        {"version": 1, "split_before": "and jobs"},
    )
    assert [c.text for c in claims_of(article)] == [
        "Rates rose 2%",
        "and jobs fell 3%.",
    ]
    client.post(
        reverse("claim-merge", args=[claim.pk]), {"version": refresh(claim).version}
    )
    live = [c.text for c in claims_of(article) if c.state != Claim.State.DISMISSED]
    assert live == ["Rates rose 2% and jobs fell 3%."]


def test_adjust_with_stale_version_is_a_conflict(client, checker):
    article = make_article(checker)
    claim = claims_of(article)[0]
    workflow.adjust_span(
        claim, user=checker, start=0, end=40, version=current_version(claim)
    )
    client.force_login(checker)
    response = client.post(
        reverse("claim-adjust", args=[claim.pk]), {"version": 1, "quote": BODY[:20]}
    )
    assert response.status_code == 409
    assert refresh(claim).end == 40


def test_article_page_ranks_claims_with_figures_first_on_request(client, checker):
    body = "The mayor spoke at length.\n\nPrices rose 3% in May."
    spans = [
        workflow.Span(0, 26, 0.6, ("named entity",)),
        workflow.Span(28, 50, 0.9, ("figures", "dates")),
    ]
    article = make_article(checker, body=body, spans=spans)
    client.force_login(checker)
    in_text = client.get(article.get_absolute_url()).content.decode()
    ranked = client.get(article.get_absolute_url() + "?order=rank").content.decode()
    assert in_text.index("The mayor spoke") < in_text.index("Prices rose 3%")
    sidebar = ranked[ranked.index('id="claims-heading"') :]
    assert sidebar.index("Prices rose 3%") < sidebar.index("The mayor spoke")
    assert "0.90 · figures, dates" in sidebar
