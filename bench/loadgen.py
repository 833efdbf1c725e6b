"""A small asyncio HTTP/1.1 load generator: keep-alive connections, prebuilt requests,
closed loops (N clients as fast as they go, bounded by count and time), open loops (a fixed
rate, latency measured from the scheduled send time so a slow answer cannot hide the queue
behind it), and chunked streams for watches.

It is the fallback when wrk is missing and the tool for what wrk cannot do: an exact count
of writes, a fixed request rate, watch streams."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import Any, AsyncIterator, Callable, Coroutine, TypeVar

from bench.harness import HOST

RequestFactory = Callable[[int], bytes]
T = TypeVar("T")


def build(method: str, path: str, body: bytes = b"", content_type: str = "application/json",
          accept: str = "application/json") -> bytes:
    head = (f"{method} {path} HTTP/1.1\r\nHost: {HOST}\r\nAccept: {accept}\r\n"
            f"Content-Type: {content_type}\r\nContent-Length: {len(body)}\r\n\r\n")
    return head.encode() + body


class Connection:
    """One keep-alive connection; `send` writes a request and reads its whole response."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer

    @classmethod
    async def open(cls, port: int) -> Connection:
        reader, writer = await asyncio.open_connection(HOST, port, limit=2**24)
        return cls(reader, writer)

    async def send(self, raw: bytes) -> tuple[int, bytes]:
        self.writer.write(raw)
        return await self.response()

    async def response(self) -> tuple[int, bytes]:
        status, headers = await self.head()
        if headers.get("transfer-encoding") == "chunked":
            parts = [chunk async for chunk in self.chunks()]
            return status, b"".join(parts)
        return status, await self.reader.readexactly(int(headers.get("content-length", "0")))

    async def head(self) -> tuple[int, dict[str, str]]:
        raw = await self.reader.readuntil(b"\r\n\r\n")
        lines = raw.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        headers = {}
        for line in lines[1:]:
            if ":" in line:
                k, v = line.split(":", 1)
                headers[k.strip().lower()] = v.strip().lower()
        return status, headers

    async def chunks(self) -> AsyncIterator[bytes]:
        while True:
            size = int((await self.reader.readuntil(b"\r\n"))[:-2].split(b";")[0], 16)
            if size == 0:
                await self.reader.readuntil(b"\r\n")
                return
            data = await self.reader.readexactly(size + 2)
            yield data[:-2]

    async def close(self) -> None:
        self.writer.close()
        try:
            await self.writer.wait_closed()
        except OSError:
            pass


@dataclass
class LoadResult:
    done: int = 0
    errors: int = 0
    elapsed: float = 0.0
    latencies: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)

    @property
    def rate(self) -> float:
        return self.done / self.elapsed if self.elapsed else 0.0


async def closed_loop(port: int, make: RequestFactory, *, clients: int, total: int | None = None,
                      duration: float | None = None, ok: tuple[int, ...] = (200, 201)) -> LoadResult:
    """`clients` connections each send the next request as soon as the previous one is answered,
    until `total` requests were sent or `duration` seconds passed (at least one must be set)."""
    assert total is not None or duration is not None
    result = LoadResult()
    counter = iter(range(total if total is not None else 10**12))
    start = time.perf_counter()
    deadline = start + (duration if duration is not None else 3600.0)

    async def client() -> None:
        conn = await Connection.open(port)
        try:
            for i in counter:
                if time.perf_counter() >= deadline:
                    return
                t0 = time.perf_counter()
                status, _ = await conn.send(make(i))
                result.latencies.append(time.perf_counter() - t0)
                result.statuses[status] = result.statuses.get(status, 0) + 1
                if status in ok:
                    result.done += 1
                else:
                    result.errors += 1
        finally:
            await conn.close()

    await asyncio.gather(*(client() for _ in range(clients)))
    result.elapsed = time.perf_counter() - start
    return result


async def open_loop(port: int, make: RequestFactory, *, rate: float, duration: float,
                    ok: tuple[int, ...] = (200, 201),
                    on_response: Callable[[int, int, bytes], None] | None = None) -> LoadResult:
    """One request every 1/rate seconds for `duration` seconds; latency counts from the time
    each request was due, so a stall is charged to every request queued behind it."""
    result = LoadResult()
    conn = await Connection.open(port)
    start = time.perf_counter()
    try:
        for i in range(int(rate * duration)):
            due = start + i / rate
            delay = due - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            status, body = await conn.send(make(i))
            result.latencies.append(time.perf_counter() - due)
            if on_response is not None:
                on_response(i, status, body)
            if status in ok:
                result.done += 1
            else:
                result.errors += 1
    finally:
        await conn.close()
    result.elapsed = time.perf_counter() - start
    return result


def run(coro: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coro)
