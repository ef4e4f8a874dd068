"""Reading bodies: hostile JSON, content codings, short and stalled bodies, missing boundaries.

Every case answers a 400 that says what is wrong, never a 500 and never a hang, and the
emulator keeps answering normal requests afterwards.
"""

from __future__ import annotations

import gzip
import json
import socket
import time
import zlib

import openai
import pytest
from starlette.testclient import TestClient

from emulator.server import EmulatorServer
from emulator.transport.body import MAX_JSON_DEPTH

from .expect import error
from .images import decode
from .latest import latest
from .test_validation import INVALID_JSON

GEN = "/v1/images/generations"
EDITS = "/v1/images/edits"
JSON = {"content-type": "application/json"}
GOOD = {"model": "gpt-image-1", "prompt": "an otter", "quality": "low"}


def post_json(raw: TestClient, body: bytes, **headers: str) -> tuple[int, dict]:
    response = raw.post(GEN, content=body, headers={**JSON, **headers})
    return response.status_code, response.json()


def still_answers(client: openai.OpenAI) -> None:
    result = client.images.generate(**GOOD)  # type: ignore[arg-type]
    assert decode(result.data[0].b64_json).size == (1024, 1024)


# --- JSON that a naive parser chokes on -----------------------------------------------------


@pytest.mark.parametrize("opener", ["[", '{"a":'])
def test_deep_nesting_is_a_parse_error_not_a_crash(
    raw: TestClient, client: openai.OpenAI, opener: str
) -> None:
    closer = "]" if opener == "[" else "}"
    deep = '{"prompt": ' + opener * 100_000 + "1" + closer * 100_000 + "}"
    assert post_json(raw, deep.encode()) == (400, error(INVALID_JSON))
    still_answers(client)


def test_nesting_within_the_limit_reaches_validation(raw: TestClient) -> None:
    depth = MAX_JSON_DEPTH - 1  # the body's own object is one level
    body = '{"prompt": ' + "[" * depth + "]" * depth + "}"
    status, answer = post_json(raw, body.encode())
    assert status == 400
    assert answer["error"]["message"] == (
        "Invalid type for 'prompt': expected a string, but got an array instead."
    )


def test_brackets_inside_strings_do_not_count_as_nesting(raw: TestClient) -> None:
    prompt = "[" * 5000 + ' \\" {' * 500
    status, answer = post_json(raw, f'{{"model": "gpt-image-1", "prompt": "{prompt}"}}'.encode())
    assert status == 200, answer


@pytest.mark.parametrize(
    "body",
    [
        b'{"prompt": "\\ud800 lone surrogate", "model": "gpt-image-1"}',
        b'{"prompt": "x", "\\udfff": 1}',
        b'{"prompt": "x", "model": "\\ud83d"}',
        b'{"prompt": "\xff\xfe invalid utf-8"}',
        b'{"prompt": "x", "n": NaN}',
        b'{"prompt": "x", "n": ' + b"9" * 5000 + b"}",
    ],
    ids=["surrogate-value", "surrogate-key", "surrogate-model", "bad-utf8", "nan", "huge-int"],
)
def test_bodies_that_are_not_text_or_json_are_parse_errors(raw: TestClient, body: bytes) -> None:
    assert post_json(raw, body) == (400, error(INVALID_JSON))


@pytest.mark.parametrize(
    ("n", "message"),
    [
        ("1e999", "Invalid type for 'n': expected an integer, but got a decimal number instead."),
        (
            "1e20",
            "Invalid 'n': integer above maximum value. Expected a value <= 10, but got "
            "100000000000000000000 instead.",
        ),
        (
            "-0",
            "Invalid 'n': integer below minimum value. Expected a value >= 1, but got 0 instead.",
        ),
    ],
)
def test_huge_and_odd_numbers_get_validation_errors(raw: TestClient, n: str, message: str) -> None:
    body = f'{{"model": "gpt-image-1", "prompt": "x", "n": {n}}}'.encode()
    status, answer = post_json(raw, body)
    assert (status, answer["error"]["message"], answer["error"]["param"]) == (400, message, "n")


def test_control_plane_refuses_hostile_json_with_its_own_400(raw: TestClient) -> None:
    for body in (b"[" * 100_000, b'{"kind": "\\ud800"}'):
        response = raw.post("/_emulator/faults", content=body, headers=JSON)
        assert response.status_code == 400
        assert "could not parse the JSON body" in response.json()["error"]["message"]
    assert raw.get("/_emulator/faults").json() == {"faults": []}


# --- content codings -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("coding", "compress"),
    [("gzip", gzip.compress), ("deflate", zlib.compress), ("identity", lambda b: b)],
)
def test_compressed_bodies_are_decoded(raw: TestClient, coding: str, compress) -> None:
    response = raw.post(
        GEN,
        content=compress(json.dumps(GOOD).encode()),
        headers={**JSON, "content-encoding": coding},
    )
    assert response.status_code == 200
    assert decode(response.json()["data"][0]["b64_json"]).size == (1024, 1024)


def test_unknown_content_encoding_is_named(raw: TestClient) -> None:
    status, answer = post_json(raw, json.dumps(GOOD).encode(), **{"content-encoding": "br"})
    assert (status, answer) == (
        400,
        error(
            "Unsupported Content-Encoding 'br'. Supported encodings are: 'gzip', 'x-gzip', "
            "'deflate', and 'identity'."
        ),
    )


@pytest.mark.parametrize(
    "body",
    [json.dumps(GOOD).encode(), gzip.compress(json.dumps(GOOD).encode())[:-12]],
    ids=["plain-bytes", "truncated-gzip"],
)
def test_body_that_is_not_what_its_encoding_says(raw: TestClient, body: bytes) -> None:
    status, answer = post_json(raw, body, **{"content-encoding": "gzip"})
    assert (status, answer) == (
        400,
        error(
            "The request body could not be decoded: it is not valid 'gzip' data, as its "
            "Content-Encoding header says."
        ),
    )


def test_gzip_bomb_is_refused_as_too_large_without_inflating_it(raw: TestClient) -> None:
    bomb = gzip.compress(b'{"prompt": "' + b"a" * (64 * 1024 * 1024), compresslevel=9)
    assert len(bomb) < 200_000
    status, answer = post_json(raw, bomb, **{"content-encoding": "gzip"})
    assert (status, answer["error"]["code"]) == (413, "request_too_large")


# --- bodies shorter than they say, or stalled -----------------------------------------------


def test_body_shorter_than_its_content_length_in_process(raw: TestClient) -> None:
    body = json.dumps(GOOD).encode()
    declared = len(body) + 50
    status, answer = post_json(raw, body, **{"content-length": str(declared)})
    assert (status, answer) == (
        400,
        error(
            f"The request body ended after {len(body)} bytes, but its Content-Length header "
            f"announced {declared} bytes."
        ),
    )


def read_answer(sock: socket.socket, deadline: float) -> bytes:
    sock.settimeout(deadline)
    data = b""
    while chunk := sock.recv(65536):  # until the server closes the connection
        data += chunk
    return data


@pytest.mark.parametrize("content_type", ["application/json", "multipart/form-data; boundary=b"])
def test_stalled_body_on_a_live_server_gets_a_400_and_the_connection_closes(
    content_type: str,
) -> None:
    path = GEN if content_type == "application/json" else EDITS
    with EmulatorServer(latest(body_timeout_seconds=0.5)) as server:
        sent = b'{"prompt": "x"}' if path == GEN else b"--b\r\nContent-Disposition: form"
        head = (
            f"POST {path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer k\r\n"
            f"Content-Type: {content_type}\r\nContent-Length: 1000\r\n\r\n"
        )
        with socket.create_connection(("127.0.0.1", server.port)) as sock:
            started = time.perf_counter()
            sock.sendall(head.encode() + sent)
            answer = read_answer(sock, deadline=10)
            elapsed = time.perf_counter() - started
        status_line, _, rest = answer.partition(b"\r\n")
        assert status_line == b"HTTP/1.1 400 Bad Request"
        body = json.loads(rest.partition(b"\r\n\r\n")[2])
        assert body["error"]["message"] == (
            f"The request body stopped arriving after {len(sent)} of the 1000 bytes its "
            "Content-Length header announced (nothing more for 0.5 s)."
        )
        assert 0.4 < elapsed < 5
        still_answers(server.client(max_retries=0))


# --- forms ------------------------------------------------------------------------------------


@pytest.mark.parametrize("content_type", ["multipart/form-data", "multipart/form-data; boundary="])
def test_multipart_without_boundary_says_so(raw: TestClient, content_type: str) -> None:
    response = raw.post(EDITS, content=b"--\r\n", headers={"content-type": content_type})
    assert (response.status_code, response.json()) == (
        400,
        error(
            f"Invalid Content-Type header ({content_type}): the multipart boundary is "
            "missing. Expected multipart/form-data; boundary=<boundary>."
        ),
    )


def test_other_content_types_keep_their_message(raw: TestClient) -> None:
    response = raw.post(EDITS, content=b"{}", headers={"content-type": "text/plain"})
    assert response.json()["error"]["message"] == (
        "Invalid Content-Type header (text/plain), expected multipart/form-data."
    )
