"""What an editor approved and signed off stays exactly as approved.

Approving freezes the verdict (Claim.approval); the memo, ClaimReview and the sign-off
fingerprint read that record, never the live Rating or Source. Ratings in use keep
their label and value; cited sources are corrected by adding a version. The claimant
is part of the claim: a checker corrects it, with an Event, before approval.
"""

import json
import re

import pytest
from django.urls import reverse

from tests.conftest import (
    cite,
    current_version,
    make_approved,
    make_source,
    rating,
    refresh,
)
from verifier import audit, exports, workflow
from verifier.models import Claim, Event, Evidence, Rating, Source

pytestmark = pytest.mark.django_db


def signed_off(article, checker, editor):
    """The first claim approved, the others dismissed, the article signed off."""
    first, *rest = article.claims.order_by("start")
    make_approved(first, checker, editor)
    for claim in rest:
        workflow.dismiss(
            claim,
            user=checker,
            reason="Not check-worthy.",
            version=current_version(claim),
        )
    workflow.sign_off(article, user=editor, version=refresh(article).version)
    return refresh(article), refresh(first)


def published(client, article):
    """The memo and the ClaimReview exactly as a reader gets them (but for the CSRF
    token of the memo's form, which is new on every request)."""
    memo = client.get(reverse("article-report", args=[article.pk])).content
    memo = re.sub(rb'name="csrfmiddlewaretoken" value="[^"]*"', b"", memo)
    review = client.get(reverse("article-claimreview", args=[article.pk])).content
    return memo, review


def recomputed_fingerprint(article):
    return workflow.fingerprint(article, list(article.claims.all()))


# --- approval freezes the verdict ---


def test_approving_stores_the_verdict_as_approved(claim, checker, editor):
    make_approved(claim, checker, editor)
    approval = refresh(claim).approval
    assert approval["rating"] == {
        "label": "Misleading",
        "value": rating("Misleading").value,
        "description": rating("Misleading").description,
        "colour": rating("Misleading").colour,
    }
    assert approval["rationale"] == "The figure is from another year."
    assert approval["approved_by"] == editor.username
    assert approval["evidence"][0]["source"]["url"] == "https://example.org/report.pdf"
    assert approval["evidence"][0]["stance"] == "contradicts"


def test_the_approve_event_records_the_frozen_verdict(claim, checker, editor):
    make_approved(claim, checker, editor)
    event = claim.events.get(action="approve")
    assert event.changes["approval"] == [None, refresh(claim).approval]


def test_reopening_a_claim_lets_go_of_its_frozen_verdict(claim, checker, editor):
    make_approved(claim, checker, editor)
    workflow.reopen(
        claim,
        user=editor,
        reason="New figures came out.",
        version=current_version(claim),
    )
    assert refresh(claim).approval is None


def test_renaming_a_rating_after_sign_off_changes_nothing_published(
    client, article, checker, editor
):
    article, claim = signed_off(article, checker, editor)
    client.force_login(editor)
    before = published(client, article)
    # Behind the admin's back too: the database row itself is rewritten.
    Rating.objects.filter(label="Misleading").update(
        label="Accurate!", value=5, description="Rewritten.", colour="#000000"
    )
    assert published(client, article) == before
    assert recomputed_fingerprint(article) == article.fingerprint


def test_editing_a_cited_source_behind_the_app_changes_nothing_published(
    client, article, checker, editor
):
    article, claim = signed_off(article, checker, editor)
    client.force_login(editor)
    before = published(client, article)
    Source.objects.update(title="Another title", url="https://example.org/other")
    Evidence.objects.update(excerpt="Words the editor never saw.")
    assert published(client, article) == before
    assert recomputed_fingerprint(article) == article.fingerprint


def test_claimreview_publishes_the_scale_as_it_stood_at_approval(
    article, checker, editor
):
    article, claim = signed_off(article, checker, editor)
    best = claim.approval["scale"]["best"]
    Rating.objects.create(label="Beyond doubt", value=best + 10, position=99)
    review = exports.claimreview_document(article)["@graph"][0]
    assert review["reviewRating"]["bestRating"] == best


def test_the_fingerprint_changes_when_the_frozen_record_is_forged(
    article, checker, editor
):
    article, claim = signed_off(article, checker, editor)
    forged = claim.approval | {"rationale": "Quietly rewritten."}
    Claim.objects.filter(pk=claim.pk).update(approval=forged)
    assert recomputed_fingerprint(article) != article.fingerprint


# --- the scale and the sources in the admin ---


def admin_post(client, url, data):
    return client.post(url, {**data, "change_reason": "Correcting the wording."})


def rating_form(r, **changes):
    return {
        "label": r.label,
        "description": r.description,
        "colour": r.colour,
        "value": r.value,
        "position": r.position,
        "requires_evidence": "on" if r.requires_evidence else "",
        "is_active": "on" if r.is_active else "",
    } | changes


def test_admin_cannot_rename_or_revalue_a_rating_in_use(
    client, admin_user, claim, checker, editor
):
    make_approved(claim, checker, editor)
    used = rating("Misleading")
    client.force_login(admin_user)
    url = reverse("admin:verifier_rating_change", args=[used.pk])
    page = client.get(url).content.decode()
    assert "retire this rating and add a new one" in page
    response = admin_post(client, url, rating_form(used, label="Accurate!", value=5))
    assert response.status_code == 200
    assert "so its label cannot change" in response.content.decode()
    assert "so its value cannot change" in response.content.decode()
    assert (refresh(used).label, refresh(used).value) == ("Misleading", used.value)
    assert not Event.objects.filter(target_type="rating", action="edit").exists()


def test_admin_may_still_reword_the_description_of_a_rating_in_use(
    client, admin_user, claim, checker, editor
):
    make_approved(claim, checker, editor)
    used = rating("Misleading")
    approved_with = used.description
    client.force_login(admin_user)
    url = reverse("admin:verifier_rating_change", args=[used.pk])
    response = admin_post(client, url, rating_form(used, description="Reworded."))
    assert response.status_code == 302
    assert refresh(used).description == "Reworded."
    assert refresh(claim).approval["rating"]["description"] == approved_with


def test_admin_renames_a_rating_nobody_uses(client, admin_user, db):
    unused = rating("Unverifiable")
    client.force_login(admin_user)
    url = reverse("admin:verifier_rating_change", args=[unused.pk])
    admin_post(client, url, rating_form(unused, label="Cannot be verified"))
    assert refresh(unused).label == "Cannot be verified"


def test_workflow_refuses_renaming_a_rating_in_use_whoever_asks(
    claim, checker, editor, admin_user
):
    make_approved(claim, checker, editor)
    used = rating("Misleading")
    used.label = "Accurate!"
    with pytest.raises(workflow.WorkflowError, match="retire it and add a new rating"):
        workflow.admin_save(
            used,
            user=admin_user,
            changed={"label": ["Misleading", "Accurate!"]},
            reason="Rename.",
            created=False,
        )
    assert Rating.objects.filter(label="Misleading").exists()


def test_a_cited_source_is_corrected_by_adding_a_version(
    client, admin_user, claim, checker
):
    evidence = cite(claim, checker)
    old = evidence.source
    client.force_login(admin_user)
    page = client.get(
        reverse("admin:verifier_source_change", args=[old.pk])
    ).content.decode()
    assert "Add a corrected version" in page
    assert 'name="title"' not in page
    response = admin_post(
        client,
        reverse("admin:verifier_source_add"),
        {
            "title": "Government report (corrected)",
            "publisher": "",
            "kind": "primary",
            "url": "https://example.org/report-v2.pdf",
            "reference": "",
            "supersedes": old.pk,
        },
    )
    assert response.status_code == 302
    new = Source.objects.get(supersedes=old)
    assert refresh(old).title == "Government report"
    assert refresh(evidence).source == old
    assert list(Source.objects.current()) == [new]


def test_new_evidence_is_offered_only_the_current_version_of_a_source(
    client, claim, checker
):
    old = make_source(checker)
    workflow.create_source(
        user=checker, title="Report v2", url="https://example.org/v2", supersedes=old
    )
    client.force_login(checker)
    page = client.get(claim.get_absolute_url()).content.decode()
    assert f'<option value="{old.pk}">' not in page
    assert "Report v2</option>" in page


# --- the claimant ---


def post_claimant(client, claim, claimant, kind=""):
    return client.post(
        reverse("claim-claimant", args=[claim.pk]),
        {
            "claimant": claimant,
            "claimant_kind": kind,
            "version": refresh(claim).version,
        },
    )


def test_checker_corrects_the_claimant_on_the_claim_page(client, claim, checker):
    client.force_login(checker)
    page = client.get(claim.get_absolute_url()).content.decode()
    assert '<label for="id_claimant">Claimant:</label>' in page
    response = post_claimant(client, claim, "City data", "organisation")
    assert response.status_code == 302
    claim = refresh(claim)
    assert (claim.claimant, claim.claimant_kind) == ("City data", "organisation")
    event = claim.events.order_by("pk").last()
    assert (event.action, event.actor) == ("claimant", checker)
    assert event.changes["claimant"] == ["", "City data"]
    assert audit.verify_claim(claim) == []


def test_the_claimant_kind_decides_the_claimreview_author_type(claim, checker, editor):
    workflow.set_claimant(
        claim,
        user=checker,
        claimant="Harbour Watch",
        kind="organisation",
        version=claim.version,
    )
    make_approved(claim, checker, editor)
    review = exports.claimreview_document(claim.article)["@graph"][0]
    assert review["itemReviewed"]["author"] == {
        "@type": "Organization",
        "name": "Harbour Watch",
    }


def test_without_a_claimant_the_outlet_is_the_author(checker, editor):
    from tests.conftest import make_claim

    claim = make_claim(checker, outlet="Daily Planet")
    make_approved(claim, checker, editor)
    review = exports.claimreview_document(claim.article)["@graph"][0]
    assert review["itemReviewed"]["author"] == {
        "@type": "Organization",
        "name": "Daily Planet",
    }


def test_the_claimant_cannot_change_once_submitted(client, claim, checker):
    from tests.conftest import make_submitted

    make_submitted(claim, checker)
    client.force_login(checker)
    response = post_claimant(client, claim, "Someone else")
    assert response.status_code == 400
    assert refresh(claim).claimant == ""


def test_a_claimant_with_an_unknown_kind_is_refused(client, claim, checker):
    client.force_login(checker)
    response = post_claimant(client, claim, "City data", "robot")
    assert response.status_code == 400
    assert refresh(claim).claimant == ""


def test_a_stale_claimant_form_is_a_conflict(client, claim, checker):
    client.force_login(checker)
    stale = refresh(claim).version
    workflow.set_claimant(claim, user=checker, claimant="A", version=stale)
    response = client.post(
        reverse("claim-claimant", args=[claim.pk]),
        {"claimant": "B", "claimant_kind": "", "version": stale},
    )
    assert response.status_code == 409
    assert refresh(claim).claimant == "A"


def test_the_approved_claimant_is_frozen(claim, checker, editor):
    workflow.set_claimant(
        claim,
        user=checker,
        claimant="Mayor Ann Lee",
        kind="person",
        version=current_version(claim),
    )
    make_approved(claim, checker, editor)
    Claim.objects.filter(pk=claim.pk).update(claimant="Someone else")
    review = exports.claimreview_document(claim.article)["@graph"][0]
    assert review["itemReviewed"]["author"]["name"] == "Mayor Ann Lee"


def test_an_editor_who_corrected_the_claimant_cannot_approve(claim, checker, editor):
    from tests.conftest import make_submitted

    workflow.set_claimant(
        claim, user=editor, claimant="The council", version=current_version(claim)
    )
    make_submitted(claim, checker)
    with pytest.raises(workflow.WorkflowError, match="four-eyes"):
        workflow.approve(claim, user=editor, version=current_version(claim))


def test_anonymous_cannot_post_a_claimant(client, claim):
    response = post_claimant(client, claim, "X")
    assert response.status_code == 302
    assert refresh(claim).claimant == ""
    assert not Event.objects.filter(action="claimant").exists()


def test_the_memo_shows_the_approved_claimant_and_evidence(
    client, article, checker, editor
):
    article, claim = signed_off(article, checker, editor)
    client.force_login(editor)
    memo = client.get(reverse("article-report", args=[article.pk])).content.decode()
    assert "The report says so on page 3." in memo
    assert json.loads(
        client.get(reverse("article-claimreview", args=[article.pk])).content
    )["@graph"][0]["reviewRating"]["alternateName"] == ("Misleading")
