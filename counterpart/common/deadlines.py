"""Deadlines that end with a day in an organisation's time zone, kept in UTC."""

import zoneinfo
from datetime import date, datetime, time, timedelta


def _zone(zone_name: str) -> zoneinfo.ZoneInfo:
    """The named time zone; UTC for a name that is empty or unknown."""
    try:
        return zoneinfo.ZoneInfo(zone_name or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


def day_end(day: date, zone_name: str) -> datetime:
    """The instant the day ends (midnight that follows it) in the named time zone."""
    return datetime.combine(day + timedelta(days=1), time.min, tzinfo=_zone(zone_name))


def local_day(instant: datetime, zone_name: str) -> date:
    """The calendar day an instant falls on in the named time zone."""
    return instant.astimezone(_zone(zone_name)).date()
