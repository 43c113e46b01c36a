"""Dataset CRUD: create, list (newest first, cursor pagination), get, patch, delete (409 while a training
uses it; stored objects removed), owner isolation."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from support.factories import create_dataset, owner_of, photo_jpeg
from support.problems import assert_problem

from shared.ids import new_id
from shared.models import Dataset, Image, Model, Training
from shared.storage import LocalStorage


async def _create(client: httpx.AsyncClient, **body: Any) -> dict[str, Any]:
    r = await client.post("/v1/datasets", json={"name": "faces", **body})
    assert r.status_code == 201, r.text
    data: dict[str, Any] = r.json()
    return data


async def test_create_returns_the_dataset(authed: httpx.AsyncClient) -> None:
    body = await _create(authed, description="  my face  ", trigger_word="ZOE", kind="subject")
    assert body["id"].startswith("ds_")
    assert body["name"] == "faces"
    assert body["description"] == "my face"
    assert body["trigger_word"] == "ZOE"
    assert body["kind"] == "subject"
    assert body["image_count"] == 0 and body["total_bytes"] == 0
    assert body["created_at"].endswith(("Z", "+00:00"))
    r = await authed.get(f"/v1/datasets/{body['id']}")
    assert r.status_code == 200
    assert r.json() == body


async def test_create_defaults(authed: httpx.AsyncClient) -> None:
    body = await _create(authed)
    assert body["kind"] == "subject"
    assert body["description"] is None and body["trigger_word"] is None


@pytest.mark.parametrize(
    "payload",
    [
        {},
        {"name": ""},
        {"name": "   "},
        {"name": "x" * 201},
        {"name": "bad\x00name"},
        {"name": "ok", "kind": "landscape"},
        {"name": "ok", "trigger_word": "two\nlines"},
        {"name": "ok", "trigger_word": "<script>"},
        {"name": "ok", "unknown": 1},
        {"name": 5},
    ],
)
async def test_create_validation(authed: httpx.AsyncClient, payload: dict[str, Any]) -> None:
    assert_problem(await authed.post("/v1/datasets", json=payload), 422, "validation_error")


async def test_create_malformed_json_is_a_problem(authed: httpx.AsyncClient) -> None:
    r = await authed.post("/v1/datasets", content=b"{not json", headers={"Content-Type": "application/json"})
    assert_problem(r, 422)


async def test_requires_auth(client: httpx.AsyncClient) -> None:
    assert_problem(await client.get("/v1/datasets"), 401)
    assert_problem(await client.post("/v1/datasets", json={"name": "x"}), 401)
    assert_problem(await client.delete("/v1/datasets/ds_x"), 401)


async def test_list_is_newest_first_with_cursor_pagination(authed: httpx.AsyncClient) -> None:
    ids = [(await _create(authed, name=f"set {i}"))["id"] for i in range(5)]
    seen: list[str] = []
    after = None
    pages = 0
    while True:
        params: dict[str, Any] = {"limit": 2}
        if after:
            params["after"] = after
        r = await authed.get("/v1/datasets", params=params)
        assert r.status_code == 200, r.text
        page = r.json()
        seen += [d["id"] for d in page["data"]]
        pages += 1
        if not page["has_more"]:
            assert page["next_cursor"] is None
            break
        after = page["next_cursor"]
    assert seen == list(reversed(ids))
    assert pages == 3


async def test_list_rejects_bad_cursor_and_limit(authed: httpx.AsyncClient) -> None:
    assert_problem(await authed.get("/v1/datasets", params={"after": "!!!"}), 400, "invalid_cursor")
    assert_problem(await authed.get("/v1/datasets", params={"limit": 0}), 422)
    assert_problem(await authed.get("/v1/datasets", params={"limit": 101}), 422)


async def test_patch_changes_only_the_fields_sent(authed: httpx.AsyncClient) -> None:
    ds = await _create(authed, description="d", trigger_word="ZOE")
    r = await authed.patch(f"/v1/datasets/{ds['id']}", json={"name": "renamed"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["name"] == "renamed" and body["description"] == "d" and body["trigger_word"] == "ZOE"
    assert body["updated_at"] >= ds["updated_at"]
    r = await authed.patch(
        f"/v1/datasets/{ds['id']}", json={"description": None, "trigger_word": None, "kind": "style"}
    )
    body = r.json()
    assert body["description"] is None and body["trigger_word"] is None and body["kind"] == "style"
    assert body["name"] == "renamed"
    assert (await authed.get(f"/v1/datasets/{ds['id']}")).json() == body


@pytest.mark.parametrize(
    "payload", [{"name": None}, {"kind": None}, {"name": ""}, {"kind": "other"}, {"id": "ds_x"}, {"image_count": 3}]
)
async def test_patch_validation(authed: httpx.AsyncClient, payload: dict[str, Any]) -> None:
    ds = await _create(authed)
    assert_problem(await authed.patch(f"/v1/datasets/{ds['id']}", json=payload), 422)


@pytest.mark.parametrize("bad_id", ["ds_doesnotexist", "x" * 300, "%00", "ds_%E2%80%AE", "..", "' OR 1=1 --"])
async def test_unknown_ids_are_404(authed: httpx.AsyncClient, bad_id: str) -> None:
    for method in ("GET", "PATCH", "DELETE"):
        r = await authed.request(method, f"/v1/datasets/{bad_id}", json={"name": "x"} if method == "PATCH" else None)
        assert_problem(r, 404)


async def test_other_owners_datasets_are_invisible(authed: httpx.AsyncClient, other: httpx.AsyncClient) -> None:
    ds = await _create(authed)
    for method in ("GET", "PATCH", "DELETE"):
        r = await other.request(method, f"/v1/datasets/{ds['id']}", json={"name": "x"} if method == "PATCH" else None)
        body = assert_problem(r, 404, "dataset_not_found")
        assert ds["id"] in body["detail"]
    assert ds["id"] not in [d["id"] for d in (await other.get("/v1/datasets")).json()["data"]]
    assert (await authed.get(f"/v1/datasets/{ds['id']}")).json()["name"] == "faces"


async def test_delete_removes_rows_and_stored_objects(app: Any, authed: httpx.AsyncClient, api_key: str) -> None:
    owner = await owner_of(app, api_key)
    ds = await create_dataset(app, owner, images=3)
    storage = app.state.storage
    async with app.state.sessionmaker() as session:
        keys = list((await session.scalars(select(Image.storage_key).where(Image.dataset_id == ds.id))).all())
    assert len(keys) == 3
    for key in keys:
        assert await storage.stat(key) is not None

    r = await authed.delete(f"/v1/datasets/{ds.id}")
    assert r.status_code == 204, r.text
    assert r.content == b""
    assert_problem(await authed.get(f"/v1/datasets/{ds.id}"), 404, "dataset_not_found")
    for key in keys:
        assert await storage.stat(key) is None
    if isinstance(storage, LocalStorage):
        prefix_dir = storage.path_for(f"owners/{owner}/datasets/{ds.id}/x").parent
        assert not prefix_dir.exists() or not any(p.is_file() for p in prefix_dir.rglob("*"))
    async with app.state.sessionmaker() as session:
        assert (await session.scalars(select(Image).where(Image.dataset_id == ds.id))).all() == []
        assert await session.get(Dataset, ds.id) is None
    assert_problem(await authed.delete(f"/v1/datasets/{ds.id}"), 404)


async def _add_training(app: Any, owner: str, dataset_id: str, status: str) -> str:
    async with app.state.sessionmaker() as session:
        trn = Training(
            id=new_id("training"),
            owner_id=owner,
            dataset_id=dataset_id,
            base_model_id="mdl_flux_1_dev",
            trainer="fast",
            name="t",
            params={},
            image_count=4,
            status=status,
        )
        session.add(trn)
        await session.commit()
        return trn.id


async def _set_status(app: Any, training_id: str, status: str) -> None:
    async with app.state.sessionmaker() as session:
        trn = await session.get(Training, training_id)
        assert trn is not None
        trn.status = status
        await session.commit()


@pytest.mark.parametrize("status", ["queued", "preparing", "training", "saving"])
async def test_delete_conflicts_while_a_training_uses_the_dataset(
    app: Any, authed: httpx.AsyncClient, api_key: str, status: str
) -> None:
    owner = await owner_of(app, api_key)
    ds = await create_dataset(app, owner, images=4)
    trn = await _add_training(app, owner, ds.id, status)
    body = assert_problem(await authed.delete(f"/v1/datasets/{ds.id}"), 409, "dataset_in_use")
    assert trn in body["detail"]
    got = (await authed.get(f"/v1/datasets/{ds.id}")).json()
    assert got["image_count"] == 4
    async with app.state.sessionmaker() as session:
        keys = list((await session.scalars(select(Image.storage_key).where(Image.dataset_id == ds.id))).all())
    for key in keys:
        assert await app.state.storage.stat(key) is not None


async def test_dataset_of_finished_trainings_can_be_deleted_and_their_models_keep_working(
    app: Any, authed: httpx.AsyncClient, api_key: str
) -> None:
    """Regression (409 ``dataset_has_trainings``): a person could not delete the photos of their face once a
    model existed. Finished trainings keep their ``dataset_id``; their models keep their weights."""
    owner = await owner_of(app, api_key)
    ds = await create_dataset(app, owner, images=4)
    trainings = {}
    for status in ("succeeded", "failed", "canceled"):
        trainings[status] = await _add_training(app, owner, ds.id, "training")
        await _set_status(app, trainings[status], status)
    weights_key = f"owners/{owner}/models/mdl_x/lora.safetensors"

    async def chunks() -> AsyncIterator[bytes]:
        yield b"weights"

    stored = await app.state.storage.put(weights_key, chunks(), "application/octet-stream")
    async with app.state.sessionmaker() as session:
        model = Model(
            id=new_id("model"),
            owner_id=owner,
            name="mine",
            type="lora",
            category="image",
            base_model_id="mdl_flux_1_dev",
            training_id=trainings["succeeded"],
            weights_key=weights_key,
            weights_size=stored.size,
            weights_sha256=stored.sha256,
        )
        session.add(model)
        await session.commit()

    assert (await authed.delete(f"/v1/datasets/{ds.id}")).status_code == 204
    assert_problem(await authed.get(f"/v1/datasets/{ds.id}"), 404, "dataset_not_found")
    for trn in trainings.values():
        got = await authed.get(f"/v1/trainings/{trn}")
        assert got.status_code == 200 and got.json()["dataset_id"] == ds.id
    got_model = await authed.get(f"/v1/models/{model.id}")
    assert got_model.status_code == 200 and got_model.json()["weights"]["size_bytes"] == stored.size
    assert await app.state.storage.stat(weights_key) is not None
    # A new training on the deleted dataset is refused as for any unknown dataset.
    refused = await authed.post(
        "/v1/trainings", json={"dataset_id": ds.id, "base_model_id": "mdl_flux_1_dev", "trainer": "fast"}
    )
    assert_problem(refused, 404, "dataset_not_found")


async def test_created_at_order_is_list_order_in_one_upload(authed: httpx.AsyncClient) -> None:
    """Regression: ids were taken at one moment and ``created_at`` at another (and ids of one millisecond in
    random order), so within one upload ``created_at`` order and list order disagreed."""
    ds = await _create(authed, name="order")
    files = [("files", (f"p{i}.jpg", photo_jpeg(i), "image/jpeg")) for i in range(8)]
    up = await authed.post(f"/v1/datasets/{ds['id']}/images", files=files)
    assert up.status_code == 201, up.text
    listed = (await authed.get(f"/v1/datasets/{ds['id']}/images", params={"limit": 100})).json()["data"]
    assert len(listed) == 8
    by_created = sorted(listed, key=lambda img: (datetime.fromisoformat(img["created_at"]), img["id"]), reverse=True)
    assert [img["id"] for img in by_created] == [img["id"] for img in listed]
    stamps = [datetime.fromisoformat(img["created_at"]) for img in listed]
    assert stamps == sorted(stamps, reverse=True)
