"""HumanDuration (kubectl-printing.md §3) and the wire time formats."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from apiserver.machinery.duration import age, format_micro_time, format_time, human_duration, parse_time

DAY = 86400


@pytest.mark.parametrize("seconds, text", [
    (-2, "<invalid>"), (-1.5, "0s"), (0, "0s"), (59, "59s"), (60, "60s"), (119.9, "119s"),
    (120, "2m"), (150, "2m30s"), (599, "9m59s"), (600, "10m"), (3599, "59m"), (3600, "60m"),
    (2 * 3600 + 59 * 60, "179m"), (3 * 3600, "3h"), (3 * 3600 + 30 * 60, "3h30m"), (7 * 3600 + 59 * 60, "7h59m"),
    (8 * 3600, "8h"), (24 * 3600, "24h"), (47 * 3600 + 3599, "47h"), (48 * 3600, "2d"), (50 * 3600, "2d2h"),
    (7 * DAY + 23 * 3600, "7d23h"), (8 * DAY, "8d"), (364 * DAY, "364d"), (729 * DAY, "729d"),
    (730 * DAY, "2y"), (731 * DAY, "2y1d"), (8 * 365 * DAY - DAY, "7y364d"), (2920 * DAY, "8y"), (9 * 365 * DAY, "9y"),
])
def test_human_duration(seconds: float, text: str) -> None:
    assert human_duration(seconds) == text


def test_parse_time_accepts_rfc3339_offsets() -> None:
    want = datetime(2026, 1, 5, 10, 0, 0, tzinfo=timezone.utc)
    assert parse_time("2026-01-05T10:00:00Z") == want
    assert parse_time("2026-01-05T10:00:00+00:00") == want
    assert parse_time("2026-01-05T12:00:00+02:00") == want
    assert parse_time("2026-01-05T10:00:00.123456789Z") == want + timedelta(microseconds=123456)


def test_formats() -> None:
    dt = datetime(2026, 11, 26, 5, 19, 27, 42, tzinfo=timezone(timedelta(hours=1)))
    assert format_time(dt) == "2026-11-26T04:19:27Z"
    assert format_micro_time(dt) == "2026-11-26T04:19:27.000042Z"
    assert format_time(datetime(2026, 1, 1)) == "2026-01-01T00:00:00Z"  # naive means UTC


def test_age() -> None:
    now = datetime(2026, 11, 26, 6, 53, 5, tzinfo=timezone.utc)
    assert age({"metadata": {"creationTimestamp": "2026-11-26T04:48:05Z"}}, now) == "125m"
    assert age({"metadata": {}}, now) == "<unknown>"
    assert age({}, now) == "<unknown>"
