from django import template

from verifier import deadlines

register = template.Library()


@register.filter
def due_flag(due, settled=False):
    """``{{ claim.due|due_flag:claim.is_settled }}``: "due in 3 h", "overdue by 1 day"
    (nothing for settled work)."""
    return deadlines.flag(due, settled=bool(settled))


@register.filter
def local_time(moment):
    """A time in the user's time zone, with the zone's name."""
    return deadlines.local(moment) if moment else ""
