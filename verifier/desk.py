"""What needs a person now: the dashboard's "My work", most urgent first.

Work sent back to them comes first, with the editor's reason; then everything else
they can act on (claims assigned to them, verdicts awaiting their approval, articles
ready for their sign-off), overdue first, then by deadline and priority. Each kind is
one query however much work there is, and lists its LIMIT most urgent; where a kind has
more, "My work" links to all of it in the claim or article list.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Exists, F, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from verifier import workflow
from verifier.models import Article, Claim, Event

LIMIT = 20  # of each kind


@dataclass
class WorkItem:
    kind: str  # returned, assigned, approve, sign_off
    label: str
    target: Claim | Article
    due: datetime | None
    priority: int
    came_back: Event | None = None

    @property
    def claim(self) -> Claim | None:
        return self.target if isinstance(self.target, Claim) else None

    @property
    def article(self) -> Article:
        return self.target.article if isinstance(self.target, Claim) else self.target


KIND_ORDER = {"returned": 0, "assigned": 1, "approve": 2, "sign_off": 3}


@dataclass
class MyWork:
    items: list[WorkItem]
    # (what, link) for each kind with more than LIMIT items: all of them, in a list.
    more: list[tuple[str, str]]


def _listed(name: str, **query) -> str:
    return f"{reverse(name)}?{urlencode(query)}"


def urgency(item: WorkItem, now: datetime):
    """Returned work first; then overdue, then the nearest deadline, the highest
    priority, and the order of the workflow."""
    return (
        item.kind != "returned",
        item.due is None,
        item.due or now,
        -item.priority,
        KIND_ORDER[item.kind],
        item.target.pk,
    )


def my_work(user) -> MyWork:
    claims = Claim.objects.with_article_title().select_related("rating")
    soonest = (F("due").asc(nulls_last=True), F("priority").desc(), "pk")
    items, more = [], []

    def capped(queryset, what: str, link: str) -> list:
        """The LIMIT first of ``queryset``; one more is read to know there are more."""
        found = list(queryset[: LIMIT + 1])
        if len(found) > LIMIT:
            more.append((what, link))
        return found[:LIMIT]

    yours = _listed("claim-list", assignee=user.pk, sort="due")
    returned = capped(
        workflow.came_back_to(user, claims).order_by(*soonest),
        "your claims",
        yours,
    )
    events = Event.objects.select_related("actor").in_bulk(
        [claim.came_back_id for claim in returned]
    )
    for claim in returned:
        event = events[claim.came_back_id]
        label = "Returned to you" if event.action == "return" else "Reopened"
        items.append(
            WorkItem("returned", label, claim, claim.due, claim.priority, event)
        )

    assigned = capped(
        claims.open_work_for(user)
        .exclude(pk__in=[claim.pk for claim in returned])
        .order_by(*soonest),
        "your claims",
        yours,
    )
    items += [
        WorkItem("assigned", "Assigned to you", claim, claim.due, claim.priority)
        for claim in assigned
    ]

    if user.has_perm(workflow.APPROVE):
        awaiting = capped(
            workflow.approvable_by(
                user, claims.select_related("submitted_by")
            ).order_by(*soonest),
            "submitted claims",
            _listed("claim-list", state=Claim.State.SUBMITTED, sort="due"),
        )
        items += [
            WorkItem(
                "approve", "Awaiting your approval", claim, claim.due, claim.priority
            )
            for claim in awaiting
        ]

    if user.has_perm(workflow.SIGN_OFF):
        unsettled = Claim.objects.filter(article=OuterRef("pk")).unsettled()
        ready = (
            Article.objects.listed()
            .filter(state=Article.State.IN_REVIEW)
            .filter(Exists(Claim.objects.filter(article=OuterRef("pk"))))
            .exclude(Exists(unsettled))
            .order_by(*soonest)
        )
        ready = capped(
            ready,
            "articles in review",
            _listed("article-list", state=Article.State.IN_REVIEW, sort="due"),
        )
        items += [
            WorkItem(
                "sign_off", "Ready to sign off", article, article.due, article.priority
            )
            for article in ready
        ]

    now = timezone.now()
    return MyWork(
        sorted(items, key=lambda item: urgency(item, now)),
        list(dict.fromkeys(more)),  # returned and assigned share one link
    )
