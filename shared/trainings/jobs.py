"""The training pipeline (worker side), one short idempotent step at a time.

queued → preparing (snapshot the image list, stream the ZIP into storage, submit to the trainer and
persist the request id at once) → training (poll status with logs; ``step i/N`` → progress) → saving
(fetch the result, copy ``diffusers_lora_file`` and ``config_file`` into our storage, create the Model)
→ succeeded. Every step re-reads the row and is safe to repeat; state changes are conditional.

Cancel works in queued, preparing and training (the provider is asked to cancel). Once the provider has
finished and the job is ``saving``, a cancel is refused (409 ``job_not_cancelable``): the weights already
exist and are being copied, and a half-made model is never left behind.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import structlog
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert

from shared.db import utcnow
from shared.fal.errors import PROVIDER_FAILED, ProviderError
from shared.jobs.env import JobEnv
from shared.jobs.files import copy_url_to_storage
from shared.jobs.registry import JobKind, register
from shared.jobs.runner import progress_value, transition
from shared.models import Image, Model, Training
from shared.queue import commit
from shared.trainings.archive import zip_snapshot
from shared.trainings.service import serialize

log = structlog.get_logger("trainings")
STEP_RE = re.compile(r"step\s+(\d+)\s*/\s*(\d+)", re.IGNORECASE)
ZIP_URL_TTL = timedelta(hours=6)
CANCELABLE = ("queued", "preparing", "training")

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


async def _load(env: JobEnv, job_id: str) -> Training | None:
    async with env.sessionmaker() as session:
        return await session.get(Training, job_id)


async def advance(env: JobEnv, job_id: str) -> float | None:
    row = await _load(env, job_id)
    if row is None or row.status in ("succeeded", "failed", "canceled"):
        return None
    if row.cancel_requested_at is not None and row.status in CANCELABLE:
        await _cancel(env, row)
        return None
    if row.status == "queued":
        async with env.sessionmaker() as session:
            await transition(
                session,
                env,
                KIND,
                row.id,
                from_statuses=("queued",),
                to="preparing",
                event="started",
                values={
                    "started_at": utcnow(),
                    "stage": "snapshotting images",
                    "progress": progress_value(Training, 0.01),
                },
            )
            await commit(session, env.redis)
        return 0.0
    if row.status == "preparing":
        return await _prepare(env, row)
    if row.status == "training":
        return await _poll(env, row)
    if row.status == "saving":
        await _save(env, row)
        return None
    return None


async def _prepare(env: JobEnv, row: Training) -> float | None:
    if row.snapshot is None:
        async with env.sessionmaker() as session:
            images = (
                await session.scalars(select(Image).where(Image.dataset_id == row.dataset_id).order_by(Image.id))
            ).all()
            snapshot = [
                {
                    "image_id": i.id,
                    "key": i.storage_key,
                    "ext": i.storage_key.rsplit(".", 1)[-1],
                    "size_bytes": i.size_bytes,
                    "caption": i.caption,
                }
                for i in images
            ]
            minimum = env.settings.min_images_portrait if row.trainer == "portrait" else env.settings.min_images_fast
            if len(snapshot) < minimum:
                await transition(
                    session,
                    env,
                    KIND,
                    row.id,
                    from_statuses=("preparing",),
                    to="failed",
                    event="failed",
                    values={
                        "error_code": "dataset_too_small",
                        "error_message": f"The dataset has {len(snapshot)} images; {minimum} are needed.",
                    },
                )
                await commit(session, env.redis)
                return None
            await transition(
                session,
                env,
                KIND,
                row.id,
                from_statuses=("preparing",),
                to=None,
                event=None,
                values={
                    "snapshot": snapshot,
                    "image_count": len(snapshot),
                    "stage": "zipping images",
                    "zip_key": zip_key(row),
                },
            )
            await commit(session, env.redis)
        row.snapshot = snapshot
    key = zip_key(row)
    if row.provider_request_id is None:
        if await env.storage.stat(key) is None:
            await env.storage.put(key, zip_snapshot(env.storage, row.snapshot), "application/zip")
        url = await env.storage.signed_url(key, ZIP_URL_TTL)
        webhook = "/v1/provider-webhooks/fal" if env.settings.fal_webhooks_enabled else None
        endpoint = row.provider_endpoint or ""
        request_id = await env.provider.submit(endpoint, provider_arguments(row, url), webhook_url=webhook)
        # Persist the request id before anything else can fail: a repeated step must never resubmit.
        async with env.sessionmaker() as session:
            moved = await transition(
                session,
                env,
                KIND,
                row.id,
                from_statuses=("preparing",),
                to="training",
                event="progress",
                values={
                    "provider_request_id": request_id,
                    "stage": "queued at provider",
                    "progress": progress_value(Training, TRAINING_START),
                },
                extra={"message": "submitted to the trainer"},
            )
            await commit(session, env.redis)
        if moved is None:
            log.warning("training_moved_during_submit", training_id=row.id, request_id=request_id)
    return 0.0


def _parse_progress(logs: list[str]) -> tuple[float | None, str | None]:
    for line in reversed(logs):
        match = STEP_RE.search(line)
        if match:
            i, n = int(match.group(1)), int(match.group(2))
            if n > 0:
                frac = min(1.0, i / n)
                return TRAINING_START + (TRAINING_END - TRAINING_START) * frac, f"step {i}/{n}"
    return None, None


async def _poll(env: JobEnv, row: Training) -> float | None:
    assert row.provider_request_id and row.provider_endpoint
    status = await env.provider.status(row.provider_endpoint, row.provider_request_id, with_logs=True)
    seen = int((row.result or {}).get("logs_seen", 0))
    polls = int((row.result or {}).get("polls", 0)) + 1
    interval = min(
        env.settings.provider_poll_max_interval, env.settings.provider_poll_interval * (1.5 ** min(polls, 20))
    )
    async with env.sessionmaker() as session:
        if status.state == "queued":
            stage = f"in provider queue (position {status.queue_position})"
            if stage != row.stage:
                await transition(
                    session,
                    env,
                    KIND,
                    row.id,
                    from_statuses=("training",),
                    to=None,
                    event="progress",
                    values={"stage": stage, "result": {"logs_seen": seen, "polls": polls}},
                    extra={"message": stage},
                )
            else:
                await transition(
                    session,
                    env,
                    KIND,
                    row.id,
                    from_statuses=("training",),
                    to=None,
                    event=None,
                    values={"result": {"logs_seen": seen, "polls": polls}},
                )
            await commit(session, env.redis)
            return interval
        new_logs = status.logs[seen:] if len(status.logs) >= seen else status.logs
        progress, step = _parse_progress(status.logs)
        for line in new_logs:
            if not STEP_RE.search(line):
                await transition(
                    session,
                    env,
                    KIND,
                    row.id,
                    from_statuses=("training",),
                    to=None,
                    event="log",
                    values={},
                    extra={"message": line[:2000]},
                )
        values: dict[str, Any] = {"result": {"logs_seen": len(status.logs), "polls": 0 if new_logs else polls}}
        if status.state == "in_progress":
            if step and (progress or 0) > row.progress + 1e-9:
                values.update(stage=f"training ({step})", progress=progress_value(Training, progress or 0))
                await transition(
                    session,
                    env,
                    KIND,
                    row.id,
                    from_statuses=("training",),
                    to=None,
                    event="progress",
                    values=values,
                    extra={"message": step},
                )
            else:
                await transition(
                    session, env, KIND, row.id, from_statuses=("training",), to=None, event=None, values=values
                )
            await commit(session, env.redis)
            return env.settings.provider_poll_interval if new_logs else interval
        # completed: Fal reports failures as COMPLETED; the result fetch says which.
        try:
            result = await env.provider.result(row.provider_endpoint, row.provider_request_id)
        except ProviderError as exc:
            if exc.retryable:
                raise
            await transition(
                session,
                env,
                KIND,
                row.id,
                from_statuses=("training",),
                to="failed",
                event="failed",
                values={"error_code": exc.code, "error_message": exc.message},
            )
            await commit(session, env.redis)
            return None
        lora = (result.get("diffusers_lora_file") or {}).get("url")
        if not lora:
            await transition(
                session,
                env,
                KIND,
                row.id,
                from_statuses=("training",),
                to="failed",
                event="failed",
                values={"error_code": PROVIDER_FAILED, "error_message": "The trainer returned no diffusers_lora_file."},
            )
            await commit(session, env.redis)
            return None
        await transition(
            session,
            env,
            KIND,
            row.id,
            from_statuses=("training",),
            to="saving",
            event="progress",
            values={
                "stage": "saving weights",
                "progress": progress_value(Training, TRAINING_END),
                "result": {"provider": result},
                "model_id": row.model_id or _new_model_id(),
            },
            extra={"message": "training finished; saving weights"},
        )
        await commit(session, env.redis)
    return 0.0


def _new_model_id() -> str:
    from shared.ids import new_id

    return new_id("model")


async def _save(env: JobEnv, row: Training) -> None:
    assert row.model_id and row.result
    provider = row.result.get("provider", {})
    prefix = model_prefix(row.owner_id, row.model_id)
    http = env.http
    assert http is not None
    weights = await copy_url_to_storage(
        http,
        env.storage,
        provider["diffusers_lora_file"]["url"],
        prefix + "lora.safetensors",
        "application/octet-stream",
    )
    config_key = None
    if (provider.get("config_file") or {}).get("url"):
        config = await copy_url_to_storage(
            http, env.storage, provider["config_file"]["url"], prefix + "config.json", "application/json"
        )
        config_key = config.key
    async with env.sessionmaker() as session:
        await session.execute(
            insert(Model)
            .values(
                id=row.model_id,
                owner_id=row.owner_id,
                name=row.name,
                type="lora",
                category="image",
                base_model_id=row.base_model_id,
                training_id=row.id,
                trigger_word=row.trigger_word,
                weights_key=weights.key,
                weights_size=weights.size,
                weights_sha256=weights.sha256,
                config_key=config_key,
                trainers={},
                generation_endpoint=await session.scalar(
                    select(Model.generation_endpoint).where(Model.id == row.base_model_id)
                ),
            )
            .on_conflict_do_nothing()
        )
        done = await transition(
            session,
            env,
            KIND,
            row.id,
            from_statuses=("saving",),
            to="succeeded",
            event="succeeded",
            values={"stage": "done", "progress": 1.0, "result": {"provider": provider}},
        )
        await commit(session, env.redis)
    if done is not None and row.zip_key:
        await env.storage.delete(row.zip_key)


async def _cancel(env: JobEnv, row: Training) -> None:
    if row.provider_request_id and row.provider_endpoint:
        try:
            answer = await env.provider.cancel(row.provider_endpoint, row.provider_request_id)
            log.info("provider_cancel", training_id=row.id, answer=answer)
        except ProviderError as exc:
            if exc.retryable:
                raise
            log.warning("provider_cancel_failed", training_id=row.id, code=exc.code)
    async with env.sessionmaker() as session:
        done = await transition(
            session,
            env,
            KIND,
            row.id,
            from_statuses=CANCELABLE,
            to="canceled",
            event="canceled",
            values={"stage": "canceled"},
        )
        await commit(session, env.redis)
    if done is not None:
        await env.storage.delete(zip_key(row))


KIND: JobKind = register(JobKind(name="training", model=Training, serialize=serialize, advance=advance))
