"""The desk day to day: what needs me now, work sent back with its reason, deadlines."""

import json
import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from tests.conftest import (
    current_version,
    last_event,
    make_approved,
    make_article,
    make_submitted,
    refresh,
)
from verifier import archive, audit, deadlines, desk, workflow
from verifier.models import Article, Claim, Priority

REASON = "The 32,000 figure needs the report's own table as its source."


def work_kinds(response) -> list[tuple[str, str]]:
    """The dashboard's "My work" items in order: (kind, the claim or article link)."""
    html = response.content.decode()
    return re.findall(
        r'<li class="work-item work-(\w+)">.*?href="(/(?:claims|articles)/\d+/)"',
        html,
        re.S,
    )


def soon(**delta) -> datetime:
    return timezone.now() + timedelta(**delta)


def form_time(moment: datetime) -> str:
    """A time as the browser's date and time picker sends it, in the current zone."""
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


# --- work sent back ---------------------------------------------------------------


@pytest.fixture
def returned(claim, checker, editor):
    make_submitted(claim, checker)
    return workflow.return_(
        claim, user=editor, reason=REASON, version=current_version(claim)
    )


def test_a_returned_claim_comes_first_on_its_checkers_dashboard_with_the_reason(
    client, article, returned, checker
):
    other = article.claims.exclude(pk=returned.pk).order_by("start").first()
    workflow.start(other, user=checker, version=current_version(other))
    client.force_login(checker)
    page = client.get(reverse("dashboard"))
    kinds = work_kinds(page)
    assert kinds[0] == ("returned", returned.get_absolute_url())
    assert ("assigned", other.get_absolute_url()) in kinds
    html = page.content.decode()
    assert "Returned to you" in html
    assert "The 32,000 figure needs the report&#x27;s own table" in html
    assert "carol" in html  # who returned it


def test_a_returned_claims_page_shows_the_reason_at_the_top_until_resubmitted(
    client, returned, checker
):
    client.force_login(checker)
    html = client.get(returned.get_absolute_url()).content.decode()
    reason = html.index("The 32,000 figure needs")
    banner = html.rindex('role="status"', 0, reason)
    assert reason - banner < 600
    assert reason < html.index(">History<")
    assert "Returned by carol" in html

    workflow.submit(returned, user=checker, version=current_version(returned))
    html = client.get(returned.get_absolute_url()).content.decode()
    assert "Returned by carol" not in html
    assert "returned" not in [kind for kind, _ in work_kinds(client.get("/"))]


def test_a_reopened_approval_shows_as_reopened_with_the_editors_reason(
    client, claim, checker, editor
):
    make_approved(claim, checker, editor)
    workflow.reopen(
        claim,
        user=editor,
        reason="A correction came in.",
        version=current_version(claim),
    )
    client.force_login(checker)
    page = client.get(reverse("dashboard"))
    assert work_kinds(page)[0] == ("returned", claim.get_absolute_url())
    assert "Reopened" in page.content.decode()
    assert (
        "A correction came in." in client.get(claim.get_absolute_url()).content.decode()
    )


def test_returned_work_is_not_shown_to_another_checker(client, returned, other_checker):
    client.force_login(other_checker)
    assert work_kinds(client.get(reverse("dashboard"))) == []


def test_the_dashboard_runs_the_same_queries_for_one_item_as_for_many(
    client, checker, editor, django_assert_max_num_queries
):
    def queries(n_claims):
        article = make_article(
            checker,
            title=f"Article of {n_claims}",
            body="\n\n".join(f"Claim {i} says {i}% rose." for i in range(n_claims)),
        )
        for claim in article.claims.all():
            make_submitted(claim, checker)
            workflow.return_(
                claim, user=editor, reason="Again.", version=current_version(claim)
            )
        client.force_login(checker)
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("dashboard")).status_code == 200
        return len(captured)

    assert queries(1) == queries(6)


def test_my_work_lists_the_most_urgent_and_links_to_the_rest(client, checker, editor):
    article = make_article(
        checker,
        title="Long transcript",
        body="\n\n".join(f"Claim {i} says {i}% rose." for i in range(desk.LIMIT + 1)),
    )
    claims = list(article.claims.order_by("start"))
    for claim in claims:
        workflow.assign(
            claim, user=editor, assignee=checker, version=current_version(claim)
        )
    last = claims[-1]
    workflow.schedule_claim(
        last, user=editor, due=soon(hours=3), priority=0, version=current_version(last)
    )
    client.force_login(checker)
    page = client.get(reverse("dashboard"))
    listed = work_kinds(page)
    assert len(listed) == desk.LIMIT
    assert listed[0] == ("assigned", last.get_absolute_url())  # the one due first
    link = f"/claims/?assignee={checker.pk}&amp;sort=due"
    assert f'All of them: <a href="{link}">your claims</a>.' in page.content.decode()
    everything = client.get(link.replace("&amp;", "&")).content.decode()
    assert all(f'href="{claim.get_absolute_url()}"' in everything for claim in claims)

    workflow.dismiss(
        claims[0], user=editor, reason="Opinion.", version=current_version(claims[0])
    )
    page = client.get(reverse("dashboard"))
    assert len(work_kinds(page)) == desk.LIMIT
    assert "All of them:" not in page.content.decode()


def test_an_editor_with_more_to_approve_is_linked_to_every_submitted_claim(
    client, checker, editor
):
    article = make_article(
        checker,
        body="\n\n".join(f"Claim {i} says {i}% rose." for i in range(desk.LIMIT + 1)),
    )
    for claim in article.claims.all():
        make_submitted(claim, checker)
    client.force_login(editor)
    page = client.get(reverse("dashboard"))
    assert [kind for kind, _ in work_kinds(page)] == ["approve"] * desk.LIMIT
    link = "/claims/?state=submitted&amp;sort=due"
    assert f'<a href="{link}">submitted claims</a>' in page.content.decode()
    everything = client.get(link.replace("&amp;", "&"))
    assert everything.content.decode().count('class="badge state-submitted"') == (
        desk.LIMIT + 1
    )


# --- deadlines ----------------------------------------------------------------------


def test_deadlines_read_as_due_in_or_overdue_by():
    now = timezone.now()
    assert deadlines.describe(now + timedelta(hours=3), now) == ("due in 3 h", "soon")
    assert deadlines.describe(now - timedelta(days=1), now) == (
        "overdue by 1 day",
        "overdue",
    )
    assert deadlines.describe(now + timedelta(minutes=20), now)[0] == "due in 20 min"
    assert deadlines.describe(now + timedelta(days=5), now) == (
        "due in 5 days",
        "later",
    )


@override_settings(TIME_ZONE="Europe/Berlin")
def test_a_deadline_is_shown_in_the_time_zone_with_its_name():
    due = datetime(2026, 12, 1, 16, 0, tzinfo=ZoneInfo("UTC"))
    with timezone.override(ZoneInfo("Europe/Berlin")):
        assert deadlines.local(due) == "2026-12-01 17:00 CET"


def test_an_editor_sets_an_articles_deadline_and_its_claims_follow(
    client, article, editor
):
    client.force_login(editor)
    page = client.get(article.get_absolute_url()).content.decode()
    assert re.search(r"<label[^>]*>\s*Due", page)
    due = soon(hours=5)
    response = client.post(
        reverse("article-schedule", args=[article.pk]),
        {"version": current_version(article), "due": form_time(due), "priority": 2},
    )
    assert response.status_code == 302
    article = refresh(article)
    assert article.priority == Priority.URGENT
    assert abs(article.due - due) < timedelta(minutes=1)
    assert set(article.claims.values_list("due", flat=True)) == {article.due}
    event = last_event(article)
    assert (event.action, event.actor) == ("schedule", editor)
    assert list(audit.verify_article(article)) == []
    assert "due in 5 h" in client.get(article.get_absolute_url()).content.decode()


def test_a_claims_own_deadline_stays_when_the_article_moves_and_can_follow_again(
    client, article, editor
):
    claim, other = article.claims.order_by("start")[:2]
    client.force_login(editor)
    own = soon(hours=2)
    response = client.post(
        reverse("claim-schedule", args=[claim.pk]),
        {"version": current_version(claim), "due": form_time(own), "priority": 1},
    )
    assert response.status_code == 302
    workflow.schedule_article(
        article,
        user=editor,
        due=soon(days=2),
        priority=0,
        version=current_version(article),
    )
    claim, other, article = refresh(claim), refresh(other), refresh(article)
    assert abs(claim.due - own) < timedelta(minutes=1)
    assert claim.priority == 1
    assert other.due == article.due
    client.post(
        reverse("claim-schedule", args=[claim.pk]),
        {
            "version": current_version(claim),
            "due": "",
            "priority": 0,
            "follow_article": "on",
        },
    )
    claim = refresh(claim)
    assert (claim.due, claim.priority, claim.schedule_own) == (article.due, 0, False)
    assert list(audit.verify_claim(claim)) == []


def test_new_claims_take_their_articles_deadline(editor, checker):
    article = make_article(checker, spans=[])
    workflow.schedule_article(
        article, user=editor, due=soon(days=1), priority=1, version=article.version
    )
    article = refresh(article)
    added = workflow.add_claim(article, user=checker, start=0, end=40)
    assert (added.due, added.priority) == (article.due, 1)


def test_a_deadline_in_the_past_is_refused_and_nothing_changes(client, article, editor):
    client.force_login(editor)
    response = client.post(
        reverse("article-schedule", args=[article.pk]),
        {
            "version": current_version(article),
            "due": form_time(soon(hours=-2)),
            "priority": 0,
        },
    )
    assert response.status_code == 400
    assert "has already passed" in response.content.decode()
    assert refresh(article).due is None


def test_a_bad_deadline_is_named_and_nothing_changes(client, article, editor):
    client.force_login(editor)
    response = client.post(
        reverse("article-schedule", args=[article.pk]),
        {"version": current_version(article), "due": "next tuesday", "priority": 0},
    )
    assert response.status_code == 400
    assert "Give the deadline as a date and a time." in response.content.decode()
    assert refresh(article).due is None


def test_checkers_cannot_set_deadlines(client, article, claim, checker):
    client.force_login(checker)
    assert "Save deadline" not in client.get(claim.get_absolute_url()).content.decode()
    assert (
        "Save deadline" not in client.get(article.get_absolute_url()).content.decode()
    )
    for url, obj in [
        (reverse("claim-schedule", args=[claim.pk]), claim),
        (reverse("article-schedule", args=[article.pk]), article),
    ]:
        response = client.post(
            url,
            {
                "version": current_version(obj),
                "due": form_time(soon(days=1)),
                "priority": 2,
            },
        )
        assert response.status_code == 403
    assert refresh(claim).due is None and refresh(article).due is None


def test_a_signed_off_article_takes_no_deadline(article, checker, editor):
    for claim in article.claims.all():
        workflow.dismiss(
            claim, user=checker, reason="Not a claim.", version=claim.version
        )
    workflow.sign_off(article, user=editor, version=current_version(article))
    with pytest.raises(workflow.WorkflowError, match="signed off"):
        workflow.schedule_article(
            refresh(article),
            user=editor,
            due=soon(days=1),
            priority=0,
            version=current_version(article),
        )


def test_overdue_work_is_flagged_and_comes_first_on_the_dashboard(
    client, article, checker, editor
):
    first, late = article.claims.order_by("start")[:2]
    for claim in (first, late):
        workflow.start(claim, user=checker, version=current_version(claim))
    workflow.schedule_claim(
        late, user=editor, due=soon(hours=1), priority=0, version=current_version(late)
    )
    # An hour later, the deadline has passed.
    Claim.objects.filter(pk=late.pk).update(due=soon(hours=-26))
    client.force_login(checker)
    page = client.get(reverse("dashboard"))
    assert work_kinds(page)[0] == ("assigned", late.get_absolute_url())
    assert "overdue by 1 day" in page.content.decode()
    listed = client.get(reverse("claim-list")).content.decode()
    assert 'class="due due-overdue"' in listed


def test_claims_sort_by_deadline_soonest_first_and_filter_overdue(
    client, article, checker, editor
):
    a, b, c = article.claims.order_by("start")[:3]
    Claim.objects.filter(pk=a.pk).update(due=soon(days=3))
    Claim.objects.filter(pk=b.pk).update(due=soon(hours=-1))
    client.force_login(editor)
    page = client.get(reverse("claim-list"), {"sort": "due"}).content.decode()
    order = [
        int(pk)
        for pk in re.findall(r'<td data-label="#"[^>]*><a href="/claims/(\d+)/"', page)
    ]
    assert order[:2] == [b.pk, a.pk]
    assert order.index(c.pk) > order.index(a.pk)
    page = client.get(reverse("claim-list"), {"due": "overdue"}).content.decode()
    assert f'href="/claims/{b.pk}/"' in page
    assert f'href="/claims/{a.pk}/"' not in page
    # An approved claim has no deadline left to miss.
    make_approved(b, checker, editor)
    page = client.get(reverse("claim-list"), {"due": "overdue"}).content.decode()
    assert f'href="/claims/{b.pk}/"' not in page


def test_articles_sort_and_filter_by_deadline(client, checker, editor):
    later = make_article(checker, title="Later", body="Prices rose 4% in May.")
    sooner = make_article(checker, title="Sooner", body="Rents rose 9% in June.")
    none = make_article(checker, title="No deadline", body="Wages rose 2% in July.")
    Article.objects.filter(pk=later.pk).update(due=soon(days=2))
    Article.objects.filter(pk=sooner.pk).update(due=soon(hours=3))
    client.force_login(editor)
    page = client.get(reverse("article-list"), {"sort": "due"}).content.decode()
    titles = re.findall(r'<a href="/articles/\d+/">([^<]+)</a>', page)
    assert titles.index("Sooner") < titles.index("Later") < titles.index("No deadline")
    assert "due in 3 h" in page
    page = client.get(reverse("article-list"), {"due": "none"}).content.decode()
    assert "No deadline" in page and "Sooner" not in page
    assert none.pk


def test_an_archive_keeps_deadlines(article, editor):
    workflow.schedule_article(
        article, user=editor, due=soon(days=1), priority=2, version=article.version
    )
    claim = article.claims.order_by("start").first()
    workflow.schedule_claim(
        claim,
        user=editor,
        due=soon(hours=4),
        priority=1,
        version=current_version(claim),
    )
    document = archive.article_archive(refresh(article))
    Article.objects.filter(pk=article.pk).update(body_sha256="0" * 64)
    restored = archive.restore(
        json.loads(json.dumps(document, cls=archive.ArchiveEncoder))
    ).article
    assert restored.priority == 2
    copies = {c.start: c for c in restored.claims.all()}
    original = refresh(claim)
    copy = copies[original.start]
    assert (copy.due, copy.priority, copy.schedule_own) == (
        original.due,
        1,
        True,
    )
