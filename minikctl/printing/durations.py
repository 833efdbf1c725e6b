"""Ages as kubectl prints them (apimachinery's duration.HumanDuration).

The server computes AGE cells; the client needs this only for objects that come back without a
Table, where kubectl falls back to its own `NAME AGE` columns.
"""

from __future__ import annotations

from datetime import datetime, timezone


def human_duration(seconds: float) -> str:
    """HumanDuration: truncating, with the unit changing at 2m, 10m, 3h, 8h, 48h, 8d, 2y, 8y."""
    s = int(seconds)  # truncates toward zero, as Go's int(d.Seconds())
    if s < -1:
        return "<invalid>"
    if s < 0:
        return "0s"
    if s < 120:
        return f"{s}s"
    minutes = s // 60
    if minutes < 10:
        return f"{minutes}m" if s % 60 == 0 else f"{minutes}m{s % 60}s"
    if minutes < 180:
        return f"{minutes}m"
    hours = minutes // 60
    if hours < 8:
        return f"{hours}h" if minutes % 60 == 0 else f"{hours}h{minutes % 60}m"
    if hours < 48:
        return f"{hours}h"
    days = hours // 24
    if days < 8:
        return f"{days}d" if hours % 24 == 0 else f"{days}d{hours % 24}h"
    if days < 730:
        return f"{days}d"
    years = days // 365
    if days < 2920:
        return f"{years}y" if days % 365 == 0 else f"{years}y{days % 365}d"
    return f"{years}y"


def age_of(timestamp: str | None, now: datetime | None = None) -> str:
    """AGE of an RFC 3339 creationTimestamp; `<unknown>` when it is missing."""
    if not timestamp:
        return "<unknown>"
    try:
        created = datetime.fromisoformat(timestamp.replace("Z", "+00:00"))
    except ValueError:
        return "<unknown>"
    current = now or datetime.now(timezone.utc)
    return human_duration((current - created).total_seconds())
