"""The Files API through the official client: upload, list, retrieve, download, delete."""

from __future__ import annotations

import openai
import pytest
from starlette.testclient import TestClient

from emulator import create_app
from emulator.inprocess import openai_client

from .images import solid
from .latest import latest

PNG = solid(64, 64)


def upload(client: openai.OpenAI, purpose: str = "vision", name: str = "in.png"):
    return client.files.create(file=(name, PNG, "image/png"), purpose=purpose)  # type: ignore[arg-type]


def test_upload_retrieve_download_delete(client: openai.OpenAI) -> None:
    created = upload(client)
    assert created.id.startswith("file-") and len(created.id) == 27
    assert (created.object, created.bytes, created.filename, created.purpose) == (
        "file",
        len(PNG),
        "in.png",
        "vision",
    )
    assert created.status == "processed" and created.created_at > 0
    assert client.files.retrieve(created.id) == created
    assert client.files.content(created.id).read() == PNG
    deleted = client.files.delete(created.id)
    assert (deleted.id, deleted.deleted, deleted.object) == (created.id, True, "file")
    with pytest.raises(openai.NotFoundError) as gone:
        client.files.retrieve(created.id)
    assert gone.value.body == {  # type: ignore[comparison-overlap]
        "message": f"No such File object: {created.id}",
        "type": "invalid_request_error",
        "param": "id",
        "code": None,
    }
    with pytest.raises(openai.NotFoundError):
        client.files.delete(created.id)


def test_list_orders_filters_and_pages(client: openai.OpenAI) -> None:
    first, second = upload(client, name="a.png"), upload(client, name="b.png")
    other = upload(client, purpose="user_data")
    assert [f.id for f in client.files.list()] == [other.id, second.id, first.id]
    assert [f.id for f in client.files.list(order="asc", purpose="vision")] == [
        first.id,
        second.id,
    ]
    page = client.files.list(limit=1, order="asc")
    assert [f.id for f in page.data] == [first.id] and page.has_more
    # Iterating follows the `after` cursor page by page, as the SDK does.
    everything = [f.id for f in client.files.list(limit=1, order="asc")]
    assert everything == [first.id, second.id, other.id]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"purpose": "nope"},
            "Invalid value: 'nope'. Supported values are: 'assistants', 'batch', 'fine-tune', "
            "'vision', 'user_data', and 'evals'.",
        ),
    ],
)
def test_bad_uploads(client: openai.OpenAI, kwargs: dict, message: str) -> None:
    with pytest.raises(openai.BadRequestError) as refused:
        client.files.create(file=("a.png", PNG, "image/png"), **kwargs)
    assert refused.value.body["message"] == message  # type: ignore[index]


def test_missing_parts(raw: TestClient) -> None:
    response = raw.post("/v1/files", files={"file": ("a.png", PNG, "image/png")})
    assert response.json()["error"]["message"] == "Missing required parameter: 'purpose'."
    response = raw.post("/v1/files", data={"purpose": "vision", "file": "text"})
    assert response.json()["error"]["message"] == (
        "Invalid type for 'file': expected a file, but got a string instead."
    )


def test_store_is_bounded_and_never_drops_files() -> None:
    client = openai_client(create_app(latest(files_store_mb=1)), max_retries=0)
    kept = client.files.create(file=("a.bin", b"x" * 700_000), purpose="user_data")
    with pytest.raises(openai.BadRequestError) as full:
        client.files.create(file=("b.bin", b"y" * 700_000), purpose="user_data")
    assert "--files-store-mb" in full.value.message
    assert client.files.retrieve(kept.id).bytes == 700_000
    client.files.delete(kept.id)
    assert client.files.create(file=("b.bin", b"y" * 700_000), purpose="user_data").bytes


def test_reset_clears_files_and_the_journal_shows_them(app, client: openai.OpenAI) -> None:
    created = upload(client)
    (entry,) = app.state.emulator.requests(endpoint="files")
    assert entry.status == 200
    assert entry.params == {"purpose": "vision", "filename": "in.png", "bytes": len(PNG)}
    app.state.emulator.reset()
    with pytest.raises(openai.NotFoundError):
        client.files.retrieve(created.id)


def test_files_need_a_key(app) -> None:
    with TestClient(app) as anonymous:
        assert anonymous.get("/v1/files").status_code == 401
