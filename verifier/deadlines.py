"""Deadlines as people read them: "due in 3 h", "overdue by 1 day", in their time zone.

Pure functions of a deadline and the time now; the pages and tables use ``flag``.
"""

from datetime import datetime, timedelta

from django.db.models import F, Q
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString

# Within this much of its deadline, work is "due soon" and shows so.
SOON = timedelta(hours=24)

# The filters of the lists: what each choice selects, given the time now.
CHOICES = [
    ("overdue", "Overdue"),
    ("day", "Due within 24 hours"),
    ("week", "Due within 7 days"),
    ("any", "Has a deadline"),
    ("none", "No deadline"),
]


def span(delta: timedelta) -> str:
    """A duration in the largest unit that reads naturally: 5 min, 3 h, 2 days."""
    minutes = max(round(abs(delta.total_seconds()) / 60), 1)
    if minutes < 60:
        return f"{minutes} min"
    hours = round(minutes / 60)
    if hours < 24:
        return f"{hours} h"
    days = hours // 24  # whole days: 30 hours late is "1 day" late
    return f"{days} day" if days == 1 else f"{days} days"


def describe(due: datetime, now: datetime | None = None) -> tuple[str, str]:
    """What to say of a deadline, and its kind: overdue, soon or later."""
    now = now or timezone.now()
    if due <= now:
        return f"overdue by {span(now - due)}", "overdue"
    return f"due in {span(due - now)}", "soon" if due - now <= SOON else "later"


def local(moment: datetime) -> str:
    """A time in the current (the user's) time zone, with the zone's name."""
    moment = timezone.localtime(moment)
    return f"{moment:%Y-%m-%d %H:%M} {moment.tzname()}"


def flag(due: datetime | None, *, settled: bool = False, now=None) -> SafeString:
    """A deadline as a list shows it: relative, the exact time beside it for those who
    hover or read the markup, and nothing for work that has none (or is done)."""
    if due is None or settled:
        return SafeString("")
    text, kind = describe(due, now)
    return format_html(
        '<time class="due due-{}" datetime="{}" title="Due {}">{}</time>',
        kind,
        due.isoformat(),
        local(due),
        text,
    )


def selection(choice: str, *, field: str = "due", now=None) -> Q | None:
    """The filter for one of CHOICES on a deadline field (None for an unknown one)."""
    now = now or timezone.now()
    return {
        "overdue": Q(**{f"{field}__lte": now}),
        "day": Q(**{f"{field}__gt": now, f"{field}__lte": now + SOON}),
        "week": Q(**{f"{field}__gt": now, f"{field}__lte": now + timedelta(days=7)}),
        "any": Q(**{f"{field}__isnull": False}),
        "none": Q(**{f"{field}__isnull": True}),
    }.get(choice)


def soonest_first(queryset, descending: bool = False):
    """Work by deadline, soonest first (latest first when ``descending``), work with
    none last either way; ties by id, so pages are stable."""
    due = F("due")
    if descending:
        return queryset.order_by(due.desc(nulls_last=True), "-pk")
    return queryset.order_by(due.asc(nulls_last=True), "pk")
