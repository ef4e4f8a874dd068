"""The bare framework, for bench_load.py: Starlette on uvicorn (httptools, uvloop) answering
a fixed 40 KB JSON body to every POST, as the emulator's 1024x1024 answer is about that size.

    python bench/bare_app.py PORT
"""

from __future__ import annotations

import base64
import json
import os
import sys

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

BODY = json.dumps(
    {"created": 1, "data": [{"b64_json": base64.b64encode(os.urandom(30_000)).decode()}]}
).encode()


async def answer(request: Request) -> Response:
    await request.body()
    return Response(BODY, media_type="application/json")


async def health(request: Request) -> Response:
    return Response(b"{}", media_type="application/json")


app = Starlette(
    routes=[
        Route("/v1/images/generations", answer, methods=["POST"]),
        Route("/_emulator/health", health),
    ]
)

if __name__ == "__main__":
    uvicorn.run(
        app,
        host="127.0.0.1",
        port=int(sys.argv[1]),
        log_level="warning",
        loop="uvloop",
        http="httptools",
    )
