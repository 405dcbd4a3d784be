"""Working days on the mainland-China calendar: weekends and public holidays skipped, adjusted
working weekends counted, Beijing dates, the same local time (docs/domain.md: 3 working days SLA)."""
from datetime import datetime, timedelta, timezone

import pytest

from app.services.core.calendar import CHINA_TZ, add_working_days


def beijing(*args) -> datetime:
    return datetime(*args, tzinfo=CHINA_TZ)


@pytest.mark.parametrize("start,days,expected", [
    (beijing(2026, 1, 6, 9, 30), 3, beijing(2026, 1, 9, 9, 30)),      # Tue -> Fri, plain week
    (beijing(2026, 1, 8, 9, 30), 3, beijing(2026, 1, 13, 9, 30)),     # Thu -> Tue, over a weekend
    (beijing(2026, 1, 9, 18, 0), 1, beijing(2026, 1, 12, 18, 0)),     # Fri -> Mon
    (beijing(2024, 9, 27, 10, 0), 1, beijing(2024, 9, 29, 10, 0)),    # Fri -> Sun 29 Sep: an adjusted working day
    (beijing(2024, 9, 27, 10, 0), 2, beijing(2024, 9, 30, 10, 0)),
    (beijing(2024, 9, 27, 10, 0), 3, beijing(2024, 10, 8, 10, 0)),    # National Day 1-7 Oct skipped
    (beijing(2024, 10, 8, 10, 0), 4, beijing(2024, 10, 12, 10, 0)),   # Sat 12 Oct: an adjusted working day
    (beijing(2024, 10, 1, 10, 0), 1, beijing(2024, 10, 8, 10, 0)),    # from inside the holiday
])
def test_working_days_skip_weekends_and_holidays_and_count_adjusted_weekends(start, days, expected):
    assert add_working_days(start, days) == expected


def test_zero_working_days_is_the_start_itself():
    start = beijing(2024, 10, 3, 12, 0)  # a holiday
    assert add_working_days(start, 0) == start


def test_the_day_is_a_beijing_day_and_the_answer_keeps_the_callers_zone():
    start = datetime(2024, 9, 27, 20, 0, tzinfo=timezone.utc)  # Saturday 28 Sep, 04:00 in Beijing
    due = add_working_days(start, 1)
    assert due == datetime(2024, 9, 28, 20, 0, tzinfo=timezone.utc)  # Sunday 29 Sep (worked), 04:00 in Beijing
    assert due.utcoffset() == timedelta(0)


def test_a_utc_friday_evening_is_already_saturday_in_beijing():
    friday_utc = datetime(2026, 1, 9, 17, 0, tzinfo=timezone.utc)  # Sat 10 Jan 01:00 Beijing
    assert add_working_days(friday_utc, 1) == datetime(2026, 1, 11, 17, 0, tzinfo=timezone.utc)  # Mon 01:00 Beijing
