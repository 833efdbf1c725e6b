"""Events older than the TTL are swept; recent ones stay."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone
from pathlib import Path

from apiserver.config import ServerConfig
from apiserver.controllers.client import EVENTS, NAMESPACES, LocalClient
from apiserver.controllers.eventttl import EventTTL, expired
from apiserver.machinery.duration import format_time
from apiserver.registry import Registry
from apiserver.storage.sqlite import SQLiteStorage

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=timezone.utc)


def event(name: str, last: datetime | None) -> dict:
    return {"metadata": {"name": name, "namespace": "default"},
            "lastTimestamp": format_time(last) if last else None}


def test_expired_uses_last_seen() -> None:
    events = [event("old", NOW - timedelta(hours=2)), event("new", NOW - timedelta(minutes=5)),
              event("unknown", None)]
    assert [e["metadata"]["name"] for e in expired(events, NOW)] == ["old"]


def test_sweep_deletes_only_expired_events(tmp_path: Path) -> None:
    async def scenario() -> list[str]:
        storage = SQLiteStorage(tmp_path / "db")
        await storage.start()
        try:
            registry = Registry(storage, ServerConfig(data_dir=tmp_path))
            client = LocalClient(registry)
            events = client.resource(EVENTS)
            await registry.create(client.resource(NAMESPACES), None, {"metadata": {"name": "default"}})
            base = {"involvedObject": {"kind": "Pod", "name": "p", "namespace": "default"},
                    "reason": "Test", "message": "m", "type": "Normal", "source": {"component": "test"}}
            now = datetime.now(timezone.utc)
            for name, age in (("old", timedelta(hours=2)), ("fresh", timedelta(minutes=1))):
                stamp = format_time(now - age)
                await registry.create(events, "default", {**base, "metadata": {"name": name},
                                                      "firstTimestamp": stamp, "lastTimestamp": stamp})
            assert await EventTTL(client).sweep() == 1
            _, left = await client.list(EVENTS)
            return [e["metadata"]["name"] for e in left]
        finally:
            await storage.close()

    assert asyncio.run(scenario()) == ["fresh"]
