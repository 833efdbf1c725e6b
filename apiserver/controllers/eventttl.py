"""Events expire after an hour, as kube-apiserver's `--event-ttl` (1h) makes them: a
periodic sweep deletes every Event last seen longer ago than the TTL, so a long-running
minik keeps a bounded number of them."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta, timezone
from typing import Any

from apiserver import errors
from apiserver.controllers.client import EVENTS, Client
from apiserver.machinery.duration import parse_time

log = logging.getLogger(__name__)

EVENT_TTL = timedelta(hours=1)


def last_seen(event: dict[str, Any]) -> datetime | None:
    """lastTimestamp, else the series' last observation, else eventTime, else creation."""
    series = event.get("series") or {}
    meta = event.get("metadata") or {}
    for value in (event.get("lastTimestamp"), series.get("lastObservedTime"), event.get("eventTime"),
                  meta.get("creationTimestamp")):
        if isinstance(value, str) and value:
            try:
                return parse_time(value)
            except ValueError:
                continue
    return None


def expired(events: list[dict[str, Any]], now: datetime, ttl: timedelta = EVENT_TTL) -> list[dict[str, Any]]:
    return [e for e in events if (seen := last_seen(e)) is not None and now - seen > ttl]


class EventTTL:
    def __init__(self, client: Client, sweep_seconds: float = 60.0, ttl: timedelta = EVENT_TTL) -> None:
        self.client, self.sweep_seconds, self.ttl = client, sweep_seconds, ttl

    async def sweep(self) -> int:
        _, events = await self.client.list(EVENTS)
        gone = 0
        for event in expired(events, datetime.now(timezone.utc), self.ttl):
            meta = event["metadata"]
            try:
                await self.client.delete(EVENTS, meta.get("namespace"), meta["name"],
                                         {"preconditions": {"uid": meta.get("uid")}})
                gone += 1
            except errors.StatusError as e:
                if e.code not in (404, 409):
                    raise
        return gone

    async def run(self) -> None:
        while True:
            await asyncio.sleep(self.sweep_seconds)
            gone = await self.sweep()
            if gone:
                log.debug("event-ttl: deleted %d expired events", gone)
