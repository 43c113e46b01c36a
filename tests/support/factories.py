"""Plain ``async def create_*`` factories (Polar style): real rows through the ORM, real objects in storage."""

from __future__ import annotations

import asyncio
import hashlib
import io
import secrets
import time
from pathlib import Path
from typing import Any

import httpx
from PIL import Image as PILImage

from shared.auth.service import authenticate, create_key
from shared.ids import new_id
from shared.models import Dataset, Image

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "images"
PHOTOS = ["astronaut.png", "chelsea.png", "coffee.png", "rocket.jpg", "camera.png"]


async def create_owner(app: Any) -> tuple[str, str]:
    """A fresh owner and API key: (owner_id, raw key)."""
    async with app.state.sessionmaker() as session:
        key, raw = await create_key(session, f"owner-{secrets.token_hex(6)}")
        await session.commit()
        return key.owner_id, raw


def api_client(app: Any, key: str | None = None) -> httpx.AsyncClient:
    """A client of ``app`` in this process (ASGI, no socket), authenticated with API key ``key`` if given."""
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test", headers=headers)


def photo_jpeg(index: int, side: int = 320) -> bytes:
    """A distinct real photo (fixture crop, resized) as JPEG bytes."""
    src = PILImage.open(FIXTURES / PHOTOS[index % len(PHOTOS)]).convert("RGB")
    w, h = src.size
    shift = (index // len(PHOTOS)) * 7 % max(1, min(w, h) // 4)
    crop = src.crop((shift, shift, w - (index % 3), h - (index % 5))).resize((side, side))
    buf = io.BytesIO()
    crop.save(buf, "JPEG", quality=90)
    return buf.getvalue()


async def create_dataset(app: Any, owner_id: str, images: int = 4, *, trigger_word: str | None = "ZOE") -> Dataset:
    storage = app.state.storage
    async with app.state.sessionmaker() as session:
        ds = Dataset(id=new_id("dataset"), owner_id=owner_id, name="faces", trigger_word=trigger_word, kind="subject")
        session.add(ds)
        total = 0
        for i in range(images):
            data = photo_jpeg(i)
            img_id = new_id("image")
            key = f"owners/{owner_id}/datasets/{ds.id}/images/{img_id}.jpg"

            async def chunks(b: bytes = data) -> Any:
                yield b

            stored = await storage.put(key, chunks(), "image/jpeg")
            session.add(
                Image(
                    id=img_id,
                    owner_id=owner_id,
                    dataset_id=ds.id,
                    filename=f"photo{i}.jpg",
                    content_type="image/jpeg",
                    width=320,
                    height=320,
                    size_bytes=stored.size,
                    sha256=hashlib.sha256(data).hexdigest(),
                    caption=f"a photo of ZOE number {i}" if i % 2 else None,
                    storage_key=key,
                )
            )
            total += stored.size
        ds.image_count = images
        ds.total_bytes = total
        await session.commit()
        return ds


async def owner_of(app: Any, raw_key: str) -> str:
    async with app.state.sessionmaker() as session:
        principal = await authenticate(session, raw_key)
        assert principal is not None
        return principal.owner_id


async def wait_for(client: httpx.AsyncClient, path: str, statuses: set[str], timeout: float = 30.0) -> dict[str, Any]:
    """Poll ``path`` until its ``status`` is one of ``statuses``."""
    deadline = time.monotonic() + timeout
    body: dict[str, Any] = {}
    while time.monotonic() < deadline:
        r = await client.get(path)
        assert r.status_code == 200, r.text
        body = r.json()
        if body["status"] in statuses:
            return body
        await asyncio.sleep(0.05)
    raise AssertionError(f"{path} stuck in {body.get('status')!r} (stage {body.get('stage')!r}) after {timeout}s")
