"""The training job kind (worker side): what trainings do beyond the shared runner.

created (only with ``"start": false``: nothing scheduled, the reconciler ignores it) → queued (on create
or ``POST …/start``) → preparing (snapshot the image list, stream the ZIP into storage, submit to the
trainer with the inputs its declared schema builds; the runner persists the request id at once) →
training (poll status with logs; progress from ``step i/N`` lines, else estimated from the trainer's
typical duration, see ``shared.trainings.progress``) → saving (copy ``diffusers_lora_file`` and
``config_file`` into our storage, create the Model) → succeeded. Every step re-reads the row and is safe
to repeat; state changes are conditional.

Cancel works in created, queued, preparing and training (the provider is asked to cancel). Fal only
*signals* a running trainer, which may finish anyway (and bill): **a result that arrives after a cancel
is dropped** — the job stays ``canceled`` and nothing is stored from it: the completion is only ever read
by a step, and a step finds the job canceled (terminal: nothing runs) or, when the cancel lands while the
step is looking at the result, sees ``cancel_requested_at`` under the row lock before anything is copied
and finishes the cancel instead. Once the job is ``saving`` a cancel is refused (409 ``job_not_cancelable``):
the weights exist and are being copied. A failed or canceled training deletes its ZIP and whatever it had
copied of the model, so no half-made model (row or weights) is ever left behind.
"""

from __future__ import annotations

import asyncio
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
from shared.trainings.progress import STEP_RE, TAIL_LINES, estimated_fraction, new_lines, step_fraction
from shared.trainings.service import min_images, serialize
from shared.trainings.trainers import trainer_for

ZIP_URL_TTL = timedelta(hours=6)
CANCELABLE = frozenset({S.CREATED, S.QUEUED, S.PREPARING, S.TRAINING})
ESTIMATE_EVENT_STEP = 0.01  # an estimated rise smaller than this is not worth an event

# progress bands per stage
PREPARING_DONE = 0.05
TRAINING_START = 0.1
TRAINING_END = 0.9


def zip_key(row: Training) -> str:
    return f"owners/{row.owner_id}/trainings/{row.id}/dataset.zip"


def model_prefix(owner_id: str, model_id: str) -> str:
    return f"owners/{owner_id}/models/{model_id}/"


def provider_arguments(row: Training, images_url: str, resume_url: str | None = None) -> dict[str, Any]:
    """What the trainer receives: its declared schema's fields (Fal's defaults), our ZIP, trigger, resume."""
    return trainer_for(row.provider_endpoint or "").arguments(row.params, images_url, row.trigger_word, resume_url)


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

    async def advance(self, job: Job) -> float | None:
        if job.row.status == S.CREATED:  # not started: a stray step (e.g. a cancel's) must not submit it
            return None
        return await super().advance(job)

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
        if row.resume_from_model_id and await _resume_weights(job) is None:
            await job.fail("resume_model_gone", "The model to resume from was deleted before the training started.")
            return False
        if await job.env.storage.stat(zip_key(row)) is None:
            await job.env.storage.put(zip_key(row), zip_snapshot(job.env.storage, row.snapshot), "application/zip")
        return True

    async def arguments(self, job: Job) -> dict[str, Any]:
        row: Training = job.row
        weights = await _resume_weights(job) if row.resume_from_model_id else None
        resume_url = await job.env.storage.signed_url(weights, ZIP_URL_TTL) if weights else None
        return provider_arguments(row, await job.env.storage.signed_url(zip_key(row), ZIP_URL_TTL), resume_url)

    def on_submitted(self, job: Job) -> tuple[str | None, str | None, dict[str, Any], dict[str, Any] | None]:
        values = {"stage": "queued at provider", "progress": progress_value(Training, TRAINING_START)}
        return S.TRAINING, "progress", values, {"message": "submitted to the trainer"}

    async def progress(self, job: Job, status: ProviderStatus) -> float | None:
        """Report the provider queue position, new log lines and progress; poll sooner after news."""
        row: Training = job.row
        polled = dict(row.result or {})
        news_at = _news_at(row)
        if status.state == "queued":
            stage = f"in provider queue (position {status.queue_position})"
            if stage != row.stage:
                news_at = utcnow()
                values = _polled(polled, news_at, stage=stage)
                await job.move((S.TRAINING,), None, "progress", values, {"message": stage})
            return job.poll_delay(news_at)
        now = utcnow()
        tail = [str(x) for x in polled.get("logs_tail") or []]
        fresh = new_lines(tail, int(polled.get("logs_seen", 0)), status.logs)
        if fresh:
            news_at = now
        changed = bool(fresh) or "running_since" not in polled
        running_since = datetime.fromisoformat(polled.get("running_since") or now.isoformat())
        polled.update(
            logs_seen=len(status.logs), logs_tail=(tail + fresh)[-TAIL_LINES:], running_since=running_since.isoformat()
        )
        fraction, stage = self._fraction(row, status.logs, (now - running_since).total_seconds())
        progress = TRAINING_START + (TRAINING_END - TRAINING_START) * fraction
        rise = progress - row.progress
        async with job.env.sessionmaker() as session:
            for line in fresh:
                if not STEP_RE.search(line):
                    await job.move((S.TRAINING,), None, "log", extra={"message": line[:2000]}, session=session)
            values = _polled(polled, news_at)
            if rise > 1e-9 and (stage.startswith("training (step") or rise >= ESTIMATE_EVENT_STEP):
                values.update(stage=stage, progress=progress_value(Training, progress))
                await job.move((S.TRAINING,), None, "progress", values, {"message": stage}, session=session)
            elif changed:
                await job.move((S.TRAINING,), values=values, session=session)
            await commit(session, job.env.redis)
        return job.poll_delay(news_at)

    @staticmethod
    def _fraction(row: Training, logs: list[str], elapsed: float) -> tuple[float, str]:
        """The trainer's own ``step i/N`` when it logs one, else an estimate from its typical duration."""
        step = step_fraction(logs)
        if step is not None:
            return step[0], f"training ({step[1]})"
        expected = trainer_for(row.provider_endpoint or "").expected_seconds(row.params)
        return estimated_fraction(elapsed, expected), "training (estimated)"

    async def collect(self, job: Job, result: dict[str, Any]) -> float | None:
        if not (result.get("diffusers_lora_file") or {}).get("url"):
            await job.fail(PROVIDER_FAILED, "The trainer returned no diffusers_lora_file.")
            await self.cleanup(job)
            return None
        async with job.env.sessionmaker() as session:
            # the row lock orders this against an API cancel: a result that arrives after one is dropped
            current = await session.get(Training, job.id, with_for_update=True, populate_existing=True)
            if current is not None and current.cancel_requested_at is not None and current.status in CANCELABLE:
                await session.rollback()
                await job.cancel()
                return None
            values = {
                "stage": "saving weights",
                "progress": progress_value(Training, TRAINING_END),
                "result": {"provider": result},
                "model_id": job.row.model_id or new_id("model"),
            }
            extra = {"message": "training finished; saving weights"}
            saving = await job.move((S.TRAINING,), S.SAVING, "progress", values, extra, session=session)
            await commit(session, job.env.redis)
        if saving is None:
            return 0.0
        job.row = saving
        return await self.resume(job)  # save the weights in this step (a repeated step saves them again)

    async def resume(self, job: Job) -> float | None:
        if job.row.status == S.SAVING:
            await save_model(job)
        return None

    async def on_cancel(self, job: Job, session: AsyncSession) -> dict[str, Any]:
        return {"stage": "canceled"}

    async def cleanup(self, job: Job) -> None:
        """After a cancel or a failure: the ZIP, and whatever had been copied of the model."""
        row: Training = job.row
        await job.env.storage.delete(zip_key(row))
        if row.model_id:
            await job.env.storage.delete_prefix(model_prefix(row.owner_id, row.model_id))

    def temporary_keys(self, job: Job) -> list[str]:
        return [zip_key(job.row)]  # the provider fetched it; the model's files are the keepers

    def temporary_prefix(self, job: Job) -> str | None:
        return zip_key(job.row).rsplit("/", 1)[0] + "/"


async def _resume_weights(job: Job) -> str | None:
    """The storage key of the weights a resumed training continues from (None: that model is gone)."""
    async with job.env.sessionmaker() as session:
        key: str | None = await session.scalar(
            select(Model.weights_key).where(Model.id == job.row.resume_from_model_id)
        )
    return key


def _news_at(row: Training) -> datetime | None:
    raw = (row.result or {}).get("news_at")
    return datetime.fromisoformat(raw) if isinstance(raw, str) else row.started_at


def _polled(polled: dict[str, Any], news_at: datetime | None, **values: Any) -> dict[str, Any]:
    return {"result": {**polled, "news_at": news_at.isoformat() if news_at else None}, **values}


async def _none() -> None:
    return None


async def save_model(job: Job) -> None:
    """Copy the weights (and config) into our storage, create the Model, succeed; then drop the ZIP."""
    row: Training = job.row
    assert row.model_id and row.result and job.env.http is not None
    provider = row.result.get("provider", {})
    prefix = model_prefix(row.owner_id, row.model_id)
    copy = job.env.http, job.env.storage
    lora_url = provider["diffusers_lora_file"]["url"]
    config_url = (provider.get("config_file") or {}).get("url")
    weights, config = await asyncio.gather(  # both files at once
        copy_url_to_storage(*copy, lora_url, prefix + "lora.safetensors", "application/octet-stream"),
        copy_url_to_storage(*copy, config_url, prefix + "config.json", "application/json") if config_url else _none(),
    )
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
            "config_key": config.key if config else None,
            "config_size": config.size if config else None,
            "config_sha256": config.sha256 if config else None,
            "parent_model_id": row.resume_from_model_id,
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
    poll=PollPolicy(first=lambda settings: settings.provider_poll_interval, growth=0.1, stream=True),
    events=("queued", "started", "progress", "log", "succeeded", "failed", "canceled"),
)
