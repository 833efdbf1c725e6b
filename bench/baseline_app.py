"""The baseline: a bare FastAPI app on uvicorn, configured as minik's server is, that does the
least the benchmarked request needs. Its figures, measured in the same run, tell what the
framework and the machine cost before minik does any work of its own.

  POST /echo          parse the JSON body and send it back (201)
  GET  /bytes/{n}     a prebuilt JSON response of exactly n bytes (built once per size)
  GET  /readyz        ok
"""

from __future__ import annotations

import argparse

import orjson
import uvicorn
from fastapi import FastAPI, Request
from starlette.responses import PlainTextResponse, Response

app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)
_prebuilt: dict[int, bytes] = {}


@app.get("/readyz")
async def readyz() -> Response:
    return PlainTextResponse("ok")


@app.post("/echo")
async def echo(request: Request) -> Response:
    return Response(orjson.dumps(orjson.loads(await request.body())), 201, media_type="application/json")


def _body_of_size(n: int) -> bytes:
    """Valid JSON of exactly n bytes (n >= 12)."""
    head = b'{"items":"'
    return head + b"x" * max(0, n - len(head) - 2) + b'"}'


@app.get("/bytes/{n}")
async def prebuilt(n: int) -> Response:
    body = _prebuilt.get(n)
    if body is None:
        body = _prebuilt[n] = _body_of_size(min(n, 1 << 30))
    return Response(body, media_type="application/json")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=args.port, log_level="warning",
                                  access_log=False, lifespan="on")).run()


if __name__ == "__main__":
    main()
