"""Days as the schools live them: Brussels time (settings.TIME_ZONE), whatever the server's clock says."""
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from django.conf import settings


def local_tz() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def local_midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=local_tz())
