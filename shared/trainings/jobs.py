"""The training job kind (worker side): what trainings do beyond the shared runner.

queued → preparing (snapshot the image list, stream the ZIP into storage, submit to the trainer; the
runner persists the request id at once) → training (poll status with logs; ``step i/N`` → progress) →
saving (copy ``diffusers_lora_file`` and ``config_file`` into our storage, create the Model) → succeeded.
Every step re-reads the row and is safe to repeat; state changes are conditional.

Cancel works in queued, preparing and training (the provider is asked to cancel). Once the provider has
finished and the job is ``saving``, a cancel is refused (409 ``job_not_cancelable``): the weights already
exist and are being copied, and a half-made model is never left behind.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from shared.db import utcnow
from shared.fal.errors import PROVIDER_FAILED
from shared.fal.provider import ProviderStatus
from shared.ids import new_id
from shared.jobs.files import copy_url_to_storage
from shared.jobs.registry import JobKind, PollPolicy
from shared.jobs.steps import Job, ProviderSteps
from shared.jobs.transitions import progress_value
from shared.models import Image, Model, Training
from shared.models.jobs import TrainingStatus as S
from shared.queue import commit
from shared.trainings.archive import zip_snapshot
from shared.trainings.service import min_images, serialize

STEP_RE = re.compile(r"step\s+(\d+)\s*/\s*(\d+)", re.IGNORECASE)
ZIP_URL_TTL = timedelta(hours=6)
CANCELABLE = frozenset({S.QUEUED, S.PREPARING, S.TRAINING})

# progress bands per stage
PREPARING_DONE = 0.05
TRAINING_START = 0.1
TRAINING_END = 0.9


def zip_key(row: Training) -> str:
    return f"owners/{row.owner_id}/trainings/{row.id}/dataset.zip"


def model_prefix(owner_id: str, model_id: str) -> str:
    return f"owners/{owner_id}/models/{model_id}/"


def provider_arguments(row: Training, images_url: str) -> dict[str, Any]:
    params = row.params
    args: dict[str, Any] = {"images_data_url": images_url, "steps": params["steps"]}
    if row.trainer == "portrait":
        args.update(
            trigger_phrase=row.trigger_word,
            learning_rate=params["learning_rate"],
            create_masks=params["create_masks"],
        )
    else:
        args.update(
            trigger_word=row.trigger_word,
            is_style=params["is_style"],
            create_masks=params["create_masks"],
            learning_rate=params["learning_rate"],
        )
    return args


def parse_progress(logs: list[str]) -> tuple[float | None, str | None]:
    """(progress, ``step i/N``) from the newest ``step i/N`` log line."""
    for line in reversed(logs):
        match = STEP_RE.search(line)
        if match:
            i, n = int(match.group(1)), int(match.group(2))
            if n > 0:
                frac = min(1.0, i / n)
                return TRAINING_START + (TRAINING_END - TRAINING_START) * frac, f"step {i}/{n}"
    return None, None


async def snapshot_images(session: AsyncSession, row: Training) -> list[dict[str, Any]]:
    images = (await session.scalars(select(Image).where(Image.dataset_id == row.dataset_id).order_by(Image.id))).all()
    return [
        {
            "image_id": i.id,
            "key": i.storage_key,
            "ext": i.storage_key.rsplit(".", 1)[-1],
            "size_bytes": i.size_bytes,
            "caption": i.caption,
        }
        for i in images
    ]


class TrainingSteps(ProviderSteps):
    submitted = S.TRAINING
    with_logs = True

    def started_values(self, job: Job) -> dict[str, Any]:
        return {"stage": "snapshotting images", "progress": progress_value(Training, 0.01)}

    async def prepare(self, job: Job) -> bool:
        row: Training = job.row
        if row.snapshot is None:
            async with job.env.sessionmaker() as session:
                snapshot = await snapshot_images(session, row)
                minimum = min_images(job.env.settings, row.trainer)
                if len(snapshot) < minimum:
                    message = f"The dataset has {len(snapshot)} images; {minimum} are needed."
                    await job.fail("dataset_too_small", message, session=session)
                    await commit(session, job.env.redis)
                    return False
                values = {"snapshot": snapshot, "image_count": len(snapshot), "stage": "zipping images"}
                await job.move((S.PREPARING,), values={**values, "zip_key": zip_key(row)}, session=session)
                await commit(session, job.env.redis)
            row.snapshot = snapshot
        if await job.env.storage.stat(zip_key(row)) is None:
            await job.env.storage.put(zip_key(row), zip_snapshot(job.env.storage, row.snapshot), "application/zip")
        return True

    async def arguments(self, job: Job) -> dict[str, Any]:
        return provider_arguments(job.row, await job.env.storage.signed_url(zip_key(job.row), ZIP_URL_TTL))

    def on_submitted(self, job: Job) -> tuple[str | None, str | None, dict[str, Any], dict[str, Any] | None]:
        values = {"stage": "queued at provider", "progress": progress_value(Training, TRAINING_START)}
        return S.TRAINING, "progress", values, {"message": "submitted to the trainer"}

    async def progress(self, job: Job, status: ProviderStatus) -> float | None:
        """Report the provider queue position, new log lines and ``step i/N``; poll sooner after news."""
        row: Training = job.row
        seen = int((row.result or {}).get("logs_seen", 0))
        news_at = _news_at(row)
        if status.state == "queued":
            stage = f"in provider queue (position {status.queue_position})"
            if stage != row.stage:
                news_at = utcnow()
                await job.move((S.TRAINING,), None, "progress", _polled(seen, news_at, stage=stage), {"message": stage})
            return job.poll_delay(news_at)
        new_logs = status.logs[seen:] if len(status.logs) >= seen else status.logs
        if new_logs:
            news_at = utcnow()
        async with job.env.sessionmaker() as session:
            for line in new_logs:
                if not STEP_RE.search(line):
                    await job.move((S.TRAINING,), None, "log", extra={"message": line[:2000]}, session=session)
            values = _polled(len(status.logs), news_at)
            progress, step = parse_progress(status.logs)
            if step and (progress or 0) > row.progress + 1e-9:
                values.update(stage=f"training ({step})", progress=progress_value(Training, progress or 0))
                await job.move((S.TRAINING,), None, "progress", values, {"message": step}, session=session)
            elif new_logs:
                await job.move((S.TRAINING,), values=values, session=session)
            await commit(session, job.env.redis)
        return job.poll_delay(news_at)

    async def collect(self, job: Job, result: dict[str, Any]) -> float | None:
        if not (result.get("diffusers_lora_file") or {}).get("url"):
            await job.fail(PROVIDER_FAILED, "The trainer returned no diffusers_lora_file.")
            return None
        values = {
            "stage": "saving weights",
            "progress": progress_value(Training, TRAINING_END),
            "result": {"provider": result},
            "model_id": job.row.model_id or new_id("model"),
        }
        await job.move((S.TRAINING,), S.SAVING, "progress", values, {"message": "training finished; saving weights"})
        return 0.0

    async def resume(self, job: Job) -> float | None:
        if job.row.status == S.SAVING:
            await save_model(job)
        return None

    async def on_cancel(self, job: Job, session: AsyncSession) -> dict[str, Any]:
        return {"stage": "canceled"}

    async def cleanup(self, job: Job) -> None:
        await job.env.storage.delete(zip_key(job.row))

    def temporary_keys(self, job: Job) -> list[str]:
        return [zip_key(job.row)]  # the provider fetched it; the model's files are the keepers

    def temporary_prefix(self, job: Job) -> str | None:
        return zip_key(job.row).rsplit("/", 1)[0] + "/"


def _news_at(row: Training) -> datetime | None:
    raw = (row.result or {}).get("news_at")
    return datetime.fromisoformat(raw) if isinstance(raw, str) else row.started_at


def _polled(logs_seen: int, news_at: datetime | None, **values: Any) -> dict[str, Any]:
    return {"result": {"logs_seen": logs_seen, "news_at": news_at.isoformat() if news_at else None}, **values}


async def save_model(job: Job) -> None:
    """Copy the weights (and config) into our storage, create the Model, succeed; then drop the ZIP."""
    row: Training = job.row
    assert row.model_id and row.result and job.env.http is not None
    provider = row.result.get("provider", {})
    prefix = model_prefix(row.owner_id, row.model_id)
    copy = job.env.http, job.env.storage
    weights = await copy_url_to_storage(
        *copy, provider["diffusers_lora_file"]["url"], prefix + "lora.safetensors", "application/octet-stream"
    )
    config_key = None
    if (provider.get("config_file") or {}).get("url"):
        config = await copy_url_to_storage(
            *copy, provider["config_file"]["url"], prefix + "config.json", "application/json"
        )
        config_key = config.key
    async with job.env.sessionmaker() as session:
        endpoint = await session.scalar(select(Model.generation_endpoint).where(Model.id == row.base_model_id))
        model: dict[str, Any] = {
            "id": row.model_id,
            "owner_id": row.owner_id,
            "name": row.name,
            "type": "lora",
            "category": "image",
            "base_model_id": row.base_model_id,
            "training_id": row.id,
            "trigger_word": row.trigger_word,
            "weights_key": weights.key,
            "weights_size": weights.size,
            "weights_sha256": weights.sha256,
            "config_key": config_key,
            "trainers": {},
            "generation_endpoint": endpoint,
        }
        await session.execute(insert(Model).values(**model).on_conflict_do_nothing())
        values = {"stage": "done", "progress": 1.0, "result": {"provider": provider}}
        done = await job.move((S.SAVING,), S.SUCCEEDED, "succeeded", values, session=session)
        await commit(session, job.env.redis)
    if done is not None and row.zip_key:
        await job.env.storage.delete(row.zip_key)


TRAINING = JobKind(
    name="training",
    model=Training,
    statuses=S,
    started=S.PREPARING,
    cancelable=CANCELABLE,
    serialize=serialize,
    steps=TrainingSteps(),
    poll=PollPolicy(first=lambda settings: settings.provider_poll_interval, growth=0.1),
    events=("queued", "started", "progress", "log", "succeeded", "failed", "canceled"),
)
