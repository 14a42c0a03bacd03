"""New versions of an article: the review is kept, changed claims reopen, gone ones
are orphans, a signed-off article needs a new sign-off."""

import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from tests.conftest import current_version, make_approved, make_article, refresh
from verifier import anchoring, audit, importing, workflow
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


# --- what changed between versions ---


def changes_url(article, number):
    return reverse("article-text-changes", args=[article.pk, number])


def read_changes(page: str) -> tuple[str, str]:
    """The text before and after, as a reader of the changes page sees them."""
    (shown,) = re.findall(r'<div class="text-changes prewrap">(.*?)</div>', page, re.S)
    shown = re.sub(r'<span class="visually-hidden">.*?</span>', "", shown)
    before = re.sub(r"<ins>.*?</ins>", "", shown, flags=re.S)
    after = re.sub(r"<del>.*?</del>", "", shown, flags=re.S)
    return (re.sub(r"<.*?>", "", before), re.sub(r"<.*?>", "", after))


def test_the_editor_sees_what_changed_since_the_version_signed_off(
    client, reviewed, checker, editor
):
    new_version(reviewed, checker, BODY.replace("210,000", "215,000"))
    client.force_login(editor)
    page = client.get(reviewed.get_absolute_url()).content.decode()
    link = changes_url(reviewed, 1)
    assert f'<a href="{link}">See what changed since version 1</a>' in page
    page = client.get(link).content.decode()
    assert "Version 1 is the one signed off." in page
    before, after = read_changes(page)
    assert "fell to 210,000 last week" in before and "215,000" not in before
    assert "fell to 215,000 last week" in after and "210,000" not in after
    unchanged = "prices rose 3.2% in March"
    assert unchanged in before and unchanged in after


def test_long_unchanged_passages_are_folded_around_the_change(client, checker, editor):
    before = " ".join(f"Paragraph {i} says nothing new." for i in range(200))
    after = " ".join(f"Paragraph {i} says nothing new." for i in range(200, 400))
    body = f"{before}\n\nThe city spent 3 million on roads.\n\n{after}"
    article = make_article(checker, body=body)
    new_version(article, checker, body.replace("3 million", "5 million"))
    client.force_login(checker)
    page = client.get(changes_url(article, 1)).content.decode()
    assert "[… unchanged …]" in page
    assert "Paragraph 199 says nothing new." in page  # just before the change
    assert "Paragraph 0 says" not in page and "Paragraph 399" not in page
    assert len(page) < len(body) / 2


def test_every_earlier_version_can_be_compared_with_the_text_now(
    client, reviewed, checker
):
    new_version(reviewed, checker, BODY.replace("210,000", "215,000"))
    new_version(reviewed, checker, BODY.replace("210,000", "220,000"))
    client.force_login(checker)
    page = client.get(reviewed.get_absolute_url()).content.decode()
    assert f'<a href="{changes_url(reviewed, 2)}">what changed</a>' in page
    page = client.get(changes_url(reviewed, 2)).content.decode()
    before, after = read_changes(page)
    assert "215,000" in before and "220,000" in after
    assert f'<a href="{changes_url(reviewed, 1)}">1</a>' in page
    assert client.get(changes_url(reviewed, 3)).status_code == 404  # the text now
    assert client.get(changes_url(reviewed, 9)).status_code == 404


def test_a_comparison_cut_short_says_it_is_coarse(client, checker, monkeypatch):
    body = " ".join(f"Paragraph {i} says {i * 7} homes were built." for i in range(40))
    article = make_article(checker, body=body)
    new_version(article, checker, body.replace("homes", "houses"))
    client.force_login(checker)
    assert "too many places" not in client.get(changes_url(article, 1)).content.decode()
    monkeypatch.setattr(anchoring, "DIFF_SECONDS", 0.000001)
    page = client.get(changes_url(article, 1)).content.decode()
    assert "differ in too many places to compare word by word in time" in page


def test_what_changed_is_shown_as_text_never_as_markup(client, checker):
    article = make_article(checker, body="The mayor said the budget rose.")
    new_version(article, checker, "The mayor said <script>alert(1)</script> rose.")
    client.force_login(checker)
    page = client.get(changes_url(article, 1)).content.decode()
    assert "<script>alert(1)" not in page
    assert "&lt;script&gt;alert(1)" in page


def test_what_changed_needs_a_login_and_the_right_to_see_articles(
    client, reviewed, checker, nobody
):
    new_version(reviewed, checker, BODY.replace("210,000", "215,000"))
    url = changes_url(reviewed, 1)
    assert client.get(url)["Location"].startswith("/accounts/login/")
    client.force_login(nobody)
    assert client.get(url).status_code == 403
    client.force_login(checker)
    assert client.post(url).status_code == 405  # a page to read, nothing to send
