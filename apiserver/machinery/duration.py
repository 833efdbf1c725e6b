"""Time on the wire and in tables: RFC 3339 timestamps (metav1.Time, MicroTime) and kubectl's
HumanDuration (k8s.io/apimachinery/pkg/util/duration), the format of every AGE cell.
"""

from __future__ import annotations

import re
from datetime import datetime, timezone
from typing import Any

_FRACTION = re.compile(r"(\.\d{6})\d+")


def human_duration(seconds: float) -> str:
    """HumanDuration: truncating divisions, never rounding; years are 365-day blocks."""
    s = int(seconds)  # Go's int(d.Seconds()) truncates toward zero
    if s < -1:
        return "<invalid>"
    if s < 0:
        return "0s"
    if s < 120:
        return f"{s}s"
    minutes = s // 60
    if minutes < 10:
        rest = s % 60
        return f"{minutes}m" if rest == 0 else f"{minutes}m{rest}s"
    if minutes < 180:
        return f"{minutes}m"
    hours = s // 3600
    if hours < 8:
        rest = minutes % 60
        return f"{hours}h" if rest == 0 else f"{hours}h{rest}m"
    if hours < 48:
        return f"{hours}h"
    if hours < 24 * 8:
        rest = hours % 24
        return f"{hours // 24}d" if rest == 0 else f"{hours // 24}d{rest}h"
    if hours < 24 * 365 * 2:
        return f"{hours // 24}d"
    if hours < 24 * 365 * 8:
        days = (hours // 24) % 365
        years = hours // 24 // 365
        return f"{years}y" if days == 0 else f"{years}y{days}d"
    return f"{hours // 24 // 365}y"


def parse_time(s: str) -> datetime:
    """Any RFC 3339 form clients send (`Z`, `+00:00`, up to nanoseconds) as an aware UTC datetime."""
    text = _FRACTION.sub(r"\1", s.strip())  # Go clients send nanoseconds; Python keeps micro
    dt = datetime.fromisoformat(text)
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return dt.astimezone(timezone.utc)


def _utc(dt: datetime) -> datetime:
    return dt.replace(tzinfo=timezone.utc) if dt.tzinfo is None else dt.astimezone(timezone.utc)


def format_time(dt: datetime) -> str:
    """metav1.Time: whole seconds, UTC, `Z`."""
    return _utc(dt).strftime("%Y-%m-%dT%H:%M:%SZ")


def format_micro_time(dt: datetime) -> str:
    """metav1.MicroTime: six fractional digits; kubectl cannot decode events without them."""
    return _utc(dt).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def since(timestamp: Any, now: datetime) -> str:
    """translateTimestampSince: HumanDuration(now - t), `<unknown>` for a missing time."""
    if not timestamp:
        return "<unknown>"
    try:
        then = parse_time(str(timestamp))
    except ValueError:
        return "<unknown>"
    return human_duration((_utc(now) - then).total_seconds())


def age(obj: dict[str, Any], now: datetime) -> str:
    return since((obj.get("metadata") or {}).get("creationTimestamp"), now)
