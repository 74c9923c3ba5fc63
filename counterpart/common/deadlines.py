"""Deadlines that end with a day in an organisation's time zone, kept in UTC."""

import zoneinfo
from datetime import date, datetime, time, timedelta


def day_end(day: date, zone_name: str) -> datetime:
    """The instant the day ends (midnight that follows it) in the named time zone."""
    try:
        zone = zoneinfo.ZoneInfo(zone_name or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = zoneinfo.ZoneInfo("UTC")
    return datetime.combine(day + timedelta(days=1), time.min, tzinfo=zone)


def local_day(instant: datetime, zone_name: str) -> date:
    """The calendar day an instant falls on in the named time zone."""
    try:
        zone = zoneinfo.ZoneInfo(zone_name or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = zoneinfo.ZoneInfo("UTC")
    return instant.astimezone(zone).date()
