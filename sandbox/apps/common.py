"""Shared plumbing for sandbox apps: errors shaped like Fal's, the file store, downloads, context."""

from __future__ import annotations

import asyncio
import datetime as dt
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from sandbox.config import SandboxConfig
from sandbox.schemas.common import FalInput

JSON = dict[str, Any]


class AppError(Exception):
    """A request failure, rendered as an HTTP error ``{detail, error_type}`` on result fetch."""

    def __init__(self, status_code: int, detail: Any, error_type: str) -> None:
        super().__init__(str(detail))
        self.status_code = status_code
        self.detail = detail
        self.error_type = error_type

    @classmethod
    def validation(
        cls, field_name: str | list[str | int], msg: str, type_: str = "value_error", value: Any = None
    ) -> AppError:
        loc: list[str | int] = ["body", *([field_name] if isinstance(field_name, str) else field_name)]
        item: JSON = {"loc": loc, "msg": msg, "type": type_}
        if value is not None:
            item["input"] = value
        return cls(422, [item], type_)

    def body(self) -> JSON:
        return {"detail": self.detail, "error_type": self.error_type}

    def message(self) -> str:
        if isinstance(self.detail, list) and self.detail and isinstance(self.detail[0], dict):
            return "; ".join(str(d.get("msg")) for d in self.detail)
        return str(self.detail)


@dataclass
class StoredFile:
    name: str
    content_type: str
    data: bytes


class FileStore:
    """In-memory CDN: ``GET /files/{id}/{name}`` serves what was put here."""

    def __init__(self) -> None:
        self._files: dict[str, StoredFile] = {}

    def put(self, base_url: str, data: bytes, name: str, content_type: str) -> JSON:
        file_id = secrets.token_hex(12)
        self._files[file_id] = StoredFile(name, content_type, data)
        return {
            "url": f"{base_url.rstrip('/')}/files/{file_id}/{name}",
            "content_type": content_type,
            "file_name": name,
            "file_size": len(data),
        }

    def get(self, file_id: str, name: str) -> StoredFile | None:
        f = self._files.get(file_id)
        return f if f is not None and f.name == name else None

    def clear(self) -> None:
        self._files.clear()


def now_iso() -> str:
    return dt.datetime.now(dt.UTC).isoformat().replace("+00:00", "Z")


@dataclass
class JobContext:
    request_id: str
    endpoint: str
    input: JSON
    params: Any  # the input validated against the app's schema (an instance of ``AppSpec.schema``)
    nsfw: bool  # the ``sandbox:nsfw`` magic word
    base_url: str
    config: Callable[[], SandboxConfig]
    files: FileStore
    http: httpx.AsyncClient
    random_seed: Callable[[], int]
    logs: list[JSON] = field(default_factory=list)
    nsfw_images: int | None = None  # ``sandbox:nsfw=<n>``: only the first n images are flagged
    on_log: Callable[[], None] = lambda: None

    def log(self, message: str, level: str = "INFO") -> None:
        self.logs.append({"message": message, "level": level, "source": "user", "timestamp": now_iso()})
        self.on_log()

    async def steps(self, total_seconds: float, n_steps: int, label: str = "step") -> None:
        """Spread ``total_seconds`` over ``n_steps`` and log ``step i/N`` (at most max_step_logs lines).

        With the ``step_logs`` knob off the lines carry no numbers, as many real runners' logs don't.
        """
        n_steps = max(1, n_steps)
        n_logs = min(n_steps, self.config().max_step_logs)
        marks = sorted({max(1, round(n_steps * (k + 1) / n_logs)) for k in range(n_logs)})
        per_mark = total_seconds / len(marks)
        for i in marks:
            await asyncio.sleep(per_mark)
            self.log(f"{label} {i}/{n_steps}" if self.config().step_logs else f"{label}: working")

    async def download(self, url: Any, field_name: str | list[str | int]) -> bytes:
        if not isinstance(url, str) or not url.startswith(("http://", "https://", "data:")):
            raise AppError.validation(field_name, "must be an http(s) URL", "file_download_error", url)
        if url.startswith("data:"):
            import base64

            try:
                _, b64 = url.split(",", 1)
                return base64.b64decode(b64, validate=True)
            except ValueError as exc:
                raise AppError.validation(
                    field_name, f"invalid data URL: {exc}", "file_download_error", url[:64]
                ) from exc
        limit = self.config().max_download_bytes
        try:
            async with self.http.stream("GET", url, timeout=self.config().download_timeout) as resp:
                if resp.status_code >= 400:
                    raise AppError.validation(
                        field_name,
                        f"Failed to download the file (HTTP {resp.status_code})",
                        "file_download_error",
                        url,
                    )
                chunks: list[bytes] = []
                size = 0
                async for chunk in resp.aiter_bytes():
                    size += len(chunk)
                    if size > limit:
                        raise AppError.validation(
                            field_name, f"File is larger than {limit} bytes", "file_too_large", url
                        )
                    chunks.append(chunk)
                return b"".join(chunks)
        except httpx.HTTPError as exc:
            raise AppError.validation(
                field_name, f"Failed to download the file: {exc!r}", "file_download_error", url
            ) from exc


Handler = Callable[[JobContext], Awaitable[JSON]]


@dataclass(frozen=True)
class AppSpec:
    endpoint: str  # full endpoint id, e.g. "tripo3d/tripo/v2.5/image-to-3d"
    schema: type[FalInput]  # Fal's published input schema for the endpoint
    handler: Handler
    duration: Callable[[SandboxConfig], float]
