"""Times as people read them: in their own time zone, with the zone's name."""

from django import template
from django.utils import dateformat, timezone

register = template.Library()


@register.filter(expects_localtime=False)
def zoned(value) -> str:
    """``2026-11-29 14:05 CET``: the time in the active (the user's) time zone."""
    if not value:
        return ""
    return dateformat.format(timezone.localtime(value), "Y-m-d H:i T")
