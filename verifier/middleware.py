"""Request-wide behaviour that is not a page: the user's own time zone."""

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.utils import timezone

from verifier.models import Preferences


class TimeZoneMiddleware:
    """Show every time in the logged-in user's time zone (their preferences), else
    in settings.TIME_ZONE. One small query per request of a logged-in user."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        zone = None
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            zone = (
                Preferences.objects.filter(user=user)
                .values_list("time_zone", flat=True)
                .first()
            )
        try:
            timezone.activate(ZoneInfo(zone)) if zone else timezone.deactivate()
        except (ZoneInfoNotFoundError, ValueError):
            timezone.deactivate()  # a zone this machine's tz database lacks
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
