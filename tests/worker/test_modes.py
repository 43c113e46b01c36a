"""Generation modes through the real worker and sandbox: several LoRAs, image-to-image, inpainting, SDXL and
SD 1.5, image references, metadata filters, and generated images joining a dataset."""

from __future__ import annotations

import io
from typing import Any

import httpx
import numpy as np
import pytest
from PIL import Image as PILImage
from support.factories import create_dataset, create_owner, wait_for
from support.media import fetch, gradient, lora_with_weights, png, submitted_input, upload
from support.problems import assert_problem

pytestmark = pytest.mark.usefixtures("worker")
TERMINAL = {"succeeded", "failed", "canceled"}
FLUX = "mdl_flux_1_dev"


@pytest.fixture(autouse=True)
def fast(sandbox: Any) -> None:
    sandbox.reset(generation_seconds=0.05, video_seconds=0.1)


async def generate(api: httpx.AsyncClient, body: dict[str, Any]) -> dict[str, Any]:
    r = await api.post("/v1/generations", json=body)
    assert r.status_code == 202, r.text
    done = await wait_for(api, f"/v1/generations/{r.json()['id']}", TERMINAL)
    assert done["status"] == "succeeded", done
    return done


async def test_two_loras_send_both_signed_weights_and_trigger_words(
    app: Any, api: httpx.AsyncClient, owner: tuple[str, str], sandbox: Any, live_api: str
) -> None:
    zoe = await lora_with_weights(app, owner[0], FLUX, "ZOE")
    ink = await lora_with_weights(app, owner[0], FLUX, "INKSTYLE")
    body = {
        "model_id": FLUX,
        "prompt": "riding a bike",
        "loras": [{"model_id": zoe.id, "scale": 0.9}, {"model_id": ink.id, "scale": 0.6}],
        "image_size": "square",
        "seed": 3,
    }
    done = await generate(api, body)
    assert done["prompt"] == "ZOE INKSTYLE riding a bike"
    assert done["params"]["loras"] == [{"model_id": zoe.id, "scale": 0.9}, {"model_id": ink.id, "scale": 0.6}]
    req = await submitted_input(app, sandbox, done["id"], "fal-ai/flux-lora")
    sent = req["input"]
    assert sent["prompt"] == "ZOE INKSTYLE riding a bike"
    paths = [lo["path"] for lo in sent["loras"]]
    assert [lo["scale"] for lo in sent["loras"]] == [0.9, 0.6]
    for path, model in zip(paths, (zoe, ink), strict=True):
        assert path.startswith(f"{live_api}/v1/files/owners/{owner[0]}/models/{model.id}/lora.safetensors?")
        assert "sig=" in path
    assert sum(line.startswith("Loaded LoRA") for line in req["logs"]) == 2
    [image] = done["images"]
    stored = await fetch(image["url"])
    import hashlib

    assert image["sha256"] == hashlib.sha256(stored).hexdigest() and image["size_bytes"] == len(stored)

    # a LoRA as model_id plus one in loras: both, model_id's first
    both = await generate(api, {"model_id": zoe.id, "prompt": "a hat", "loras": [{"model_id": ink.id}]})
    assert both["prompt"] == "ZOE INKSTYLE a hat" and both["params"]["lora_scale"] == 1.0


async def test_lora_rules_are_checked_before_anything_is_queued(
    app: Any, api: httpx.AsyncClient, owner: tuple[str, str]
) -> None:
    flux_lora = await lora_with_weights(app, owner[0], FLUX, "ZOE")
    sdxl_lora = await lora_with_weights(app, owner[0], "mdl_sdxl_1_0", "SDX")
    someone, _ = await create_owner(app)
    theirs = await lora_with_weights(app, someone, FLUX, "THEIRS")

    def body(**extra: Any) -> dict[str, Any]:
        return {"model_id": FLUX, "prompt": "a cat", **extra}

    r = await api.post("/v1/generations", json=body(loras=[{"model_id": sdxl_lora.id}]))
    assert_problem(r, 422, "lora_base_mismatch")
    r = await api.post("/v1/generations", json=body(loras=[{"model_id": "mdl_sdxl_1_0"}]))
    assert_problem(r, 422, "not_a_lora")
    r = await api.post("/v1/generations", json=body(loras=[{"model_id": flux_lora.id}, {"model_id": flux_lora.id}]))
    assert_problem(r, 422, "duplicate_lora")
    r = await api.post("/v1/generations", json=body(loras=[{"model_id": theirs.id}]))
    assert_problem(r, 404, "model_not_found")
    extra = [await lora_with_weights(app, owner[0], FLUX, f"W{i}") for i in range(3)]
    r = await api.post(
        "/v1/generations", json={"model_id": flux_lora.id, "prompt": "x", "loras": [{"model_id": m.id} for m in extra]}
    )
    assert_problem(r, 422, "too_many_loras")
    r = await api.post("/v1/generations", json=body(negative_prompt="blurry"))
    problem = assert_problem(r, 422, "param_not_supported")
    assert problem["errors"][0]["loc"] == ["body", "negative_prompt"]
    r = await api.post("/v1/generations", json={"model_id": "mdl_sdxl_1_0", "prompt": "x", "strength": 0.5})
    assert_problem(r, 422, "param_not_supported")
    r = await api.post("/v1/generations", json={"model_id": "mdl_sdxl_1_0", "prompt": "x", "mode": "inpainting"})
    assert_problem(r, 422, "mode_not_supported")
    r = await api.post("/v1/generations", json=body(mode="image_to_image"))
    assert_problem(r, 422, "missing")
    r = await api.post("/v1/generations", json={"model_id": "mdl_sd_1_5", "prompt": "x", "num_inference_steps": 151})
    assert_problem(r, 422, "validation_error")


async def test_image_to_image_from_a_dataset_image_and_inpainting_with_an_uploaded_mask(
    app: Any, api: httpx.AsyncClient, other: httpx.AsyncClient, owner: tuple[str, str], sandbox: Any
) -> None:
    ds = await create_dataset(app, owner[0], images=1)
    [ds_image] = (await api.get(f"/v1/datasets/{ds.id}/images")).json()["data"]
    i2i = await generate(
        api,
        {
            "model_id": FLUX,
            "prompt": "as a painting",
            "mode": "image_to_image",
            "image": {"dataset_image_id": ds_image["id"]},
            "strength": 0.3,
            "output_format": "png",
            "seed": 1,
        },
    )
    assert i2i["params"]["image"] == {
        "dataset_image_id": ds_image["id"],
        "upload_id": None,
        "generation_image_id": None,
    }
    assert i2i["params"]["strength"] == 0.3 and i2i["params"]["mode"] == "image_to_image"
    req = await submitted_input(app, sandbox, i2i["id"], "fal-ai/flux-lora/image-to-image")
    assert req["input"]["strength"] == 0.3 and "/datasets/" in req["input"]["image_url"]
    init = np.asarray(PILImage.open(io.BytesIO(await fetch(ds_image["url"]))).convert("RGB"), dtype=np.float32)
    out = np.asarray(PILImage.open(io.BytesIO(await fetch(i2i["images"][0]["url"]))).convert("RGB"), dtype=np.float32)
    assert out.shape == init.shape  # the init image's size when no image_size is given
    assert np.abs(out - init).mean() < 0.35 * 255  # a 30% blend stays close to the init image

    side = 320
    init_up = await upload(api, png(gradient(side, side)))
    mask = PILImage.new("L", (side, side), 0)
    mask.paste(255, (0, 0, side // 2, side))  # repaint the left half
    mask_up = await upload(api, png(mask.convert("RGB")), "mask.png")
    body = {
        "model_id": FLUX,
        "prompt": "a red balloon",
        "mode": "inpainting",
        "image": {"upload_id": init_up["id"]},
        "mask": {"upload_id": mask_up["id"]},
        "strength": 1.0,
        "output_format": "png",
    }
    done = await generate(api, body)
    out = np.asarray(PILImage.open(io.BytesIO(await fetch(done["images"][0]["url"]))).convert("RGB"), dtype=np.int16)
    ref = np.asarray(gradient(side, side), dtype=np.int16)
    right = slice(side // 2 + 2, side)
    assert np.abs(out[:, right] - ref[:, right]).max() <= 2  # unmasked: the init pixels
    assert np.abs(out[:, : side // 2 - 2] - ref[:, : side // 2 - 2]).mean() > 10  # masked: repainted
    # a job used the uploads: they no longer expire
    assert (await api.get(f"/v1/uploads/{init_up['id']}")).json()["expires_at"] is None

    small = await upload(api, png(PILImage.new("RGB", (256, 256), "white")), "small.png")
    r = await api.post("/v1/generations", json={**body, "mask": {"upload_id": small["id"]}})
    assert_problem(r, 422, "mask_size_mismatch")
    # another owner's references look like missing ones
    for ref_body, code in (
        ({"upload_id": init_up["id"]}, "upload_not_found"),
        ({"dataset_image_id": ds_image["id"]}, "image_not_found"),
        ({"generation_image_id": done["images"][0]["id"]}, "generation_image_not_found"),
    ):
        r = await other.post(
            "/v1/generations", json={**body, "mode": "image_to_image", "image": ref_body, "mask": None}
        )
        assert_problem(r, 404, code)
    assert_problem(await other.get(f"/v1/uploads/{init_up['id']}"), 404, "upload_not_found")


@pytest.mark.parametrize(
    ("base", "checkpoint"),
    [("mdl_sdxl_1_0", "stabilityai/stable-diffusion-xl-base-1.0"), ("mdl_sd_1_5", "runwayml/stable-diffusion-v1-5")],
)
async def test_sdxl_and_sd15_with_and_without_a_lora(
    app: Any, api: httpx.AsyncClient, owner: tuple[str, str], sandbox: Any, base: str, checkpoint: str
) -> None:
    plain = await generate(
        api, {"model_id": base, "prompt": "a castle", "negative_prompt": "blurry", "image_size": "square", "seed": 5}
    )
    assert plain["params"]["guidance_scale"] == 7.5 and plain["params"]["output_format"] == "png"
    req = await submitted_input(app, sandbox, plain["id"], "fal-ai/lora")
    assert req["input"]["model_name"] == checkpoint and req["input"]["image_format"] == "png"
    assert req["input"]["negative_prompt"] == "blurry" and "loras" not in req["input"]
    assert (plain["images"][0]["width"], plain["images"][0]["height"]) == (512, 512)

    lora = await lora_with_weights(app, owner[0], base, "CASTLEY")
    styled = await generate(api, {"model_id": lora.id, "prompt": "a castle", "image_size": "square"})
    assert styled["prompt"] == "CASTLEY a castle"
    req = await submitted_input(app, sandbox, styled["id"], "fal-ai/lora")
    assert req["input"]["model_name"] == checkpoint
    [sent] = req["input"]["loras"]
    assert f"/models/{lora.id}/lora.safetensors?" in sent["path"]

    model = (await api.get(f"/v1/models/{base}")).json()
    [mode] = model["modes"]
    assert mode["name"] == "text_to_image" and mode["endpoint"] == "fal-ai/lora"
    assert {"negative_prompt", "scheduler", "clip_skip"} <= set(mode["params_schema"]["properties"])
    flux_modes = {m["name"]: m for m in (await api.get(f"/v1/models/{FLUX}")).json()["modes"]}
    assert flux_modes["inpainting"]["endpoint"] == "fal-ai/flux-lora/inpainting"
    assert "strength" in flux_modes["image_to_image"]["params_schema"]["properties"]
    assert {m["name"] for m in (await api.get(f"/v1/models/{lora.id}")).json()["modes"]} == {"text_to_image"}


async def test_generated_image_joins_a_dataset_once(
    app: Any, api: httpx.AsyncClient, other: httpx.AsyncClient, owner: tuple[str, str]
) -> None:
    gen = await generate(
        api, {"model_id": FLUX, "prompt": "a fox", "num_images": 2, "image_size": "square", "output_format": "png"}
    )
    ds = (await api.post("/v1/datasets", json={"name": "fox"})).json()
    first = gen["images"][0]
    r = await api.post(
        f"/v1/datasets/{ds['id']}/images/from-generation", json={"generation_id": gen["id"], "image_ids": [first["id"]]}
    )
    assert r.status_code == 201, r.text
    [added] = r.json()["images"]
    assert added["sha256"] == first["sha256"] and added["size_bytes"] == first["size_bytes"]
    listed = (await api.get(f"/v1/datasets/{ds['id']}/images")).json()["data"]
    assert [i["sha256"] for i in listed] == [first["sha256"]]
    assert await fetch(listed[0]["url"]) == await fetch(first["url"])

    again = await api.post(f"/v1/datasets/{ds['id']}/images/from-generation", json={"generation_id": gen["id"]})
    assert again.status_code == 201, again.text  # the second image is new, the first a duplicate
    assert [x["code"] for x in again.json()["rejected"]] == ["duplicate_image"]
    third = await api.post(f"/v1/datasets/{ds['id']}/images/from-generation", json={"generation_id": gen["id"]})
    problem = assert_problem(third, 422, "no_images_accepted")
    assert {e["code"] for e in problem["errors"]} == {"duplicate_image"}
    r = await api.post(
        f"/v1/datasets/{ds['id']}/images/from-generation", json={"generation_id": gen["id"], "image_ids": ["gim_x"]}
    )
    assert_problem(r, 422, "no_images_accepted")

    theirs = (await other.post("/v1/datasets", json={"name": "theirs"})).json()
    r = await other.post(f"/v1/datasets/{theirs['id']}/images/from-generation", json={"generation_id": gen["id"]})
    assert_problem(r, 404, "generation_not_found")
    r = await api.post(f"/v1/datasets/{theirs['id']}/images/from-generation", json={"generation_id": gen["id"]})
    assert_problem(r, 404, "dataset_not_found")


async def test_metadata_filters_return_exactly_the_tagged_resources(api: httpx.AsyncClient, stuck_sandbox: Any) -> None:
    tagged = []
    for meta, end_user in (
        ({"post_id": "p1"}, "u1"),
        ({"post_id": "p1", "kind": "cover"}, "u2"),
        ({"post_id": "p2"}, "u1"),
    ):
        r = await api.post(
            "/v1/generations", json={"model_id": FLUX, "prompt": "x", "metadata": meta, "end_user": end_user}
        )
        assert r.status_code == 202, r.text
        assert r.json()["metadata"] == meta and r.json()["end_user"] == end_user
        tagged.append(r.json()["id"])
    untagged = (await api.post("/v1/generations", json={"model_id": FLUX, "prompt": "x"})).json()
    assert untagged["metadata"] == {} and untagged["end_user"] is None

    async def ids(**params: str) -> list[str]:
        r = await api.get("/v1/generations", params=params)
        assert r.status_code == 200, r.text
        return [g["id"] for g in r.json()["data"]]

    assert await ids(**{"metadata[post_id]": "p1"}) == [tagged[1], tagged[0]]
    assert await ids(**{"metadata[post_id]": "p1", "metadata[kind]": "cover"}) == [tagged[1]]
    assert await ids(**{"metadata[post_id]": "p3"}) == []
    assert await ids(end_user="u1") == [tagged[2], tagged[0]]
    assert await ids(end_user="u1", **{"metadata[post_id]": "p2"}) == [tagged[2]]
    assert_problem(await api.get("/v1/generations", params={"metadata": "x"}), 422, "invalid_metadata_filter")
    for gid in [*tagged, untagged["id"]]:
        await api.post(f"/v1/generations/{gid}/cancel")

    # datasets: PATCH merges, null removes
    ds = (await api.post("/v1/datasets", json={"name": "d", "metadata": {"a": "1", "b": "2"}})).json()
    r = await api.patch(f"/v1/datasets/{ds['id']}", json={"metadata": {"b": None, "c": "3"}, "end_user": "u9"})
    assert r.status_code == 200, r.text
    assert r.json()["metadata"] == {"a": "1", "c": "3"} and r.json()["end_user"] == "u9"
    listed = (await api.get("/v1/datasets", params={"metadata[c]": "3", "end_user": "u9"})).json()["data"]
    assert [d["id"] for d in listed] == [ds["id"]]
    too_many = {f"k{i}": "v" for i in range(19)}
    assert_problem(
        await api.patch(f"/v1/datasets/{ds['id']}", json={"metadata": too_many}), 422, "metadata_too_many_keys"
    )


@pytest.fixture
def stuck_sandbox(sandbox: Any) -> Any:
    sandbox.reset(stuck=True)
    yield sandbox
    sandbox.reset()
