"""New versions of an article: the review is kept, changed claims reopen, gone ones
are orphans, a signed-off article needs a new sign-off."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from tests.conftest import current_version, make_approved, make_article, refresh
from verifier import audit, importing, workflow
from verifier.models import Article, ArticleText, Claim, Event

pytestmark = pytest.mark.django_db

FIRST = "Jobless claims fell to 210,000 last week, the Labor Department said."
SECOND = "The mayor called the report “a triumph” at a rally on Friday."
THIRD = "According to the agency, prices rose 3.2% in March."
BODY = "\n\n".join([FIRST, SECOND, THIRD])


@pytest.fixture
def reviewed(checker, editor):
    """Three claims approved and the article signed off."""
    article = make_article(checker, body=BODY, url="https://news.example/jobs")
    for claim in article.claims.order_by("start"):
        make_approved(claim, checker, editor)
    workflow.sign_off(article, user=editor, version=refresh(article).version)
    return refresh(article)


def claim_with(article, start_of_text):
    return next(c for c in article.claims.all() if c.text.startswith(start_of_text))


def new_version(article, user, body):
    return importing.import_new_version(user=user, article=refresh(article), body=body)


def test_one_edited_sentence_reopens_only_its_claim(reviewed, checker):
    approval = claim_with(reviewed, "According").approval
    edited = BODY.replace("210,000", "215,000")
    result = new_version(reviewed, checker, edited)
    first = claim_with(reviewed, "Jobless")
    assert (result.changed, result.orphaned) == ((first.pk,), ())
    assert first.state == Claim.State.IN_PROGRESS and first.approval is None
    assert first.text == FIRST.replace("210,000", "215,000")
    event = first.events.get(action="text_changed")
    assert event.changes["text"] == [FIRST, first.text]
    others = [c for c in reviewed.claims.all() if c.pk != first.pk]
    assert {c.state for c in others} == {Claim.State.APPROVED}
    assert claim_with(reviewed, "According").approval == approval


def test_a_new_version_of_a_signed_off_article_needs_a_new_sign_off(
    client, reviewed, checker, editor
):
    new_version(reviewed, checker, BODY.replace("210,000", "215,000"))
    article = refresh(reviewed)
    assert article.state == Article.State.IN_REVIEW
    assert article.sign_off_is_stale
    assert (article.text_version, article.signed_off_version) == (2, 1)
    client.force_login(editor)
    page = client.get(article.get_absolute_url()).content.decode()
    assert "Version 1 of the text was signed off; this is version 2" in page
    memo = client.get(reverse("article-report", args=[article.pk])).content.decode()
    assert "Version 1 of the text was signed off" in memo


def test_moved_claims_keep_their_review_and_the_audit_holds(reviewed, checker):
    result = new_version(reviewed, checker, "Updated at noon.\n\n" + BODY)
    assert len(result.moved) == 3 and not result.changed
    assert {c.state for c in reviewed.claims.all()} == {Claim.State.APPROVED}
    for claim in reviewed.claims.all():
        assert refresh(reviewed).body[claim.start : claim.end] == claim.text
    assert audit.verify_article(reviewed) == []


def test_a_claim_whose_words_are_gone_is_an_orphan(client, reviewed, checker, editor):
    result = new_version(reviewed, checker, "\n\n".join([FIRST, THIRD]))
    second = claim_with(reviewed, "The mayor")
    assert result.orphaned == (second.pk,)
    assert second.orphaned and second.state == Claim.State.IN_PROGRESS
    client.force_login(editor)
    page = client.get(reviewed.get_absolute_url()).content.decode()
    assert "Claims whose words are gone" in page
    workflow.dismiss(
        second,
        user=editor,
        reason="Removed from the article.",
        version=current_version(second),
    )
    assert refresh(second).state == Claim.State.DISMISSED


def test_a_new_sentence_becomes_a_new_claim(reviewed, checker):
    added = "Wages rose 4.1% in the year to March, the statistics office said."
    result = new_version(reviewed, checker, BODY + "\n\n" + added)
    (new,) = result.added
    assert Claim.objects.get(pk=new).text == added


def test_the_earlier_text_is_kept(reviewed, checker):
    new_version(reviewed, checker, BODY.replace("210,000", "215,000"))
    assert ArticleText.objects.get(article=reviewed, number=1).body == BODY


def test_the_same_text_again_is_refused_and_changes_nothing(reviewed, checker):
    before = Event.objects.count()
    with pytest.raises(workflow.WorkflowError, match="nothing changed"):
        new_version(reviewed, checker, BODY)
    assert Event.objects.count() == before
    assert refresh(reviewed).text_version == 1


def test_importing_the_same_url_again_is_a_new_version(client, reviewed, checker):
    client.force_login(checker)
    response = client.post(
        reverse("article-new"),
        {
            "title": "Jobs",
            "text": BODY.replace("210,000", "215,000"),
            "url": "https://news.example/jobs",
        },
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reviewed.get_absolute_url()
    assert "Imported as version 2" in response.content.decode()
    assert Article.objects.count() == 1


def test_the_article_page_imports_a_new_version(client, reviewed, checker):
    client.force_login(checker)
    response = client.post(
        reverse("article-new-version", args=[reviewed.pk]),
        {"text": BODY.replace("3.2%", "3.4%")},
    )
    assert response.status_code == 302
    assert refresh(reviewed).text_version == 2


def test_an_empty_new_version_is_refused(client, reviewed, checker):
    client.force_login(checker)
    client.post(reverse("article-new-version", args=[reviewed.pk]), {"text": "  "})
    assert refresh(reviewed).text_version == 1


def test_a_new_version_needs_the_import_permission(client, reviewed, nobody):
    client.force_login(nobody)
    response = client.post(
        reverse("article-new-version", args=[reviewed.pk]), {"text": "New text."}
    )
    assert response.status_code == 403


def test_verify_audit_is_clean_after_new_versions(reviewed, checker):
    new_version(reviewed, checker, "Updated.\n\n" + BODY.replace("210,000", "215,000"))
    new_version(reviewed, checker, "\n\n".join([FIRST, THIRD]))
    call_command("verify_audit", stdout=StringIO())


def test_the_seed_reimported_with_one_sentence_edited(checker, editor):
    seed = (
        __import__("pathlib").Path(__file__).parent
        / "data"
        / "seed"
        / "000_ed366670d22ee3fa.txt"
    ).read_text()
    article, _ = importing.import_body(user=checker, body=seed, title="Seed")
    claims = list(article.claims.order_by("start"))
    for claim in claims:
        make_approved(claim, checker, editor)
    workflow.sign_off(article, user=editor, version=refresh(article).version)
    edited = seed.replace("in only one of the eight", "in only two of the eight")
    result = importing.import_new_version(
        user=checker, article=refresh(article), body=edited
    )
    assert len(result.changed) == 1 and not result.orphaned
    reopened = Claim.objects.get(pk=result.changed[0])
    assert "two of the eight" in reopened.text
    assert reopened.state == Claim.State.IN_PROGRESS
    assert article.claims.filter(state=Claim.State.APPROVED).count() == len(claims) - 1
    assert refresh(article).sign_off_is_stale
