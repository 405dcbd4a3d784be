"""Working days on the mainland-China calendar (holidays library, with adjusted working weekends)."""
from datetime import datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo

import holidays

CHINA_TZ = ZoneInfo("Asia/Shanghai")


@cache
def _china():
    return holidays.country_holidays("CN")


def add_working_days(start: datetime, days: int) -> datetime:
    """The same local time `days` working days after `start` (Beijing dates; holidays and weekends skipped)."""
    local = start.astimezone(CHINA_TZ)
    day, counted = local.date(), 0
    while counted < days:
        day += timedelta(days=1)
        if _china().is_working_day(day):
            counted += 1
    return datetime.combine(day, local.timetz()).astimezone(start.tzinfo)
