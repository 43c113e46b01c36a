"""The character job kind (worker side): the flow behind ``POST /v1/characters/{id}/train``.

queued → varying: wait for the variation generations made at ``…/train`` (they run as ordinary
generations), then copy each succeeded one into the character's dataset through the one upload pipeline
(a picture already there, same ``sha256``, is skipped: a repeated step adds nothing twice) → in ONE
transaction: move to ``training`` and start the training (``created`` → ``queued``, conditional: it is
started exactly once however often this step runs) → training: wait for the training → succeeded (the
character's ``model_id`` set, ``character.trained``) or failed (its error, ``character.failed``).

Every step re-reads the rows; state changes are conditional; a killed worker's step is re-run by the
runner's reconciler. Cancel: ``POST /v1/trainings/{id}/cancel`` on the flow's training (the flow follows it
to ``canceled``), which also cancels variations still running.
"""

from __future__ import annotations

from typing import Any

import anyio
import structlog
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.characters.references import add_generation_image
from shared.characters.service import characters_out
from shared.errors import Conflict, ValidationFailed
from shared.jobs.registry import JobKind, PollPolicy, get_kind
from shared.jobs.runner import request_cancel
from shared.jobs.steps import Job, ProviderSteps
from shared.jobs.transitions import schedule_step, transition
from shared.models import Character, CharacterJob, Generation, GenerationImage, Training
from shared.models.characters import CharacterJobStatus as S
from shared.models.jobs import TrainingStatus
from shared.queue import commit
from shared.scope import OwnerScope
from shared.storage import Storage
from shared.uploads import commit_or_delete

log = structlog.get_logger("characters")
CANCELABLE = frozenset({S.QUEUED, S.VARYING, S.TRAINING})
GENERATION_ENDED = ("succeeded", "failed", "canceled")
TRAINING_ENDED = (TrainingStatus.SUCCEEDED, TrainingStatus.FAILED, TrainingStatus.CANCELED)
VARIATIONS_DONE = 0.3  # progress once the variations are in the dataset


async def serialize(session: AsyncSession, storage: Storage, ttl: Any, row: Any) -> Any:
    """A flow's events carry the character as ``GET /v1/characters/{id}`` shows it."""
    character = await session.get(Character, row.id, populate_existing=True)
    assert character is not None
    return (await characters_out(session, storage, ttl, [character]))[0]


async def _training(job: Job) -> Training | None:
    async with job.env.sessionmaker() as session:
        return await session.get(Training, job.row.training_id)


class CharacterSteps(ProviderSteps):
    async def advance(self, job: Job) -> float | None:
        training = await _training(job)
        if training is None or training.status == TrainingStatus.CANCELED:
            await job.cancel()
            return None
        if job.row.status == S.VARYING:
            return await self._vary(job)
        return await self._follow(job, training)

    async def _vary(self, job: Job) -> float | None:
        row: CharacterJob = job.row
        async with job.env.sessionmaker() as session:
            gens = list(await session.scalars(select(Generation).where(Generation.id.in_(row.variation_ids))))
            images = list(
                await session.scalars(
                    select(GenerationImage)
                    .where(GenerationImage.generation_id.in_(row.variation_ids))
                    .order_by(GenerationImage.generation_id, GenerationImage.index)
                )
            )
            dataset_id = await session.scalar(select(Character.dataset_id).where(Character.id == row.id))
        if any(g.status not in GENERATION_ENDED for g in gens):
            return job.poll_delay(row.started_at)
        done = {g.id for g in gens if g.status == "succeeded"}
        limiter = anyio.CapacityLimiter(1)
        for image in images:
            if image.generation_id not in done or dataset_id is None:
                continue
            async with job.env.sessionmaker() as session:
                scope = OwnerScope(session, row.owner_id)
                try:
                    stored = await add_generation_image(
                        scope, job.env.storage, job.env.settings, dataset_id, image, limiter
                    )
                except ValidationFailed as exc:  # e.g. the dataset is full: the training will say if too few
                    log.warning("character_variation_not_added", character_id=row.id, image_id=image.id, error=str(exc))
                    await session.rollback()
                    continue
                await commit_or_delete(session, job.env.redis, job.env.storage, stored)
        async with job.env.sessionmaker() as session:
            values = {"variations_added": len(done), "progress": VARIATIONS_DONE}
            extra = {"message": f"{len(done)} variation(s) added; training started"}
            moved = await job.move((S.VARYING,), S.TRAINING, "progress", values, extra, session=session)
            if moved is None:
                await session.rollback()
                return None
            training_kind = get_kind("training")
            started = await transition(
                session,
                job.env,
                training_kind,
                row.training_id,
                from_statuses=(TrainingStatus.CREATED,),
                to="queued",
                event="queued",
                values={"stage": "queued"},
            )
            if started is not None:
                schedule_step(session, training_kind, started.id, started.step_seq)
            await commit(session, job.env.redis)
        return job.poll_delay(None)

    async def _follow(self, job: Job, training: Training) -> float | None:
        if training.status == TrainingStatus.FAILED:
            await job.fail(training.error_code or "training_failed", training.error_message or "The training failed.")
            return None
        if training.status != TrainingStatus.SUCCEEDED:
            return job.poll_delay(job.row.updated_at)
        async with job.env.sessionmaker() as session:
            character = await session.get(Character, job.row.id, with_for_update=True)
            if character is None:
                return None
            character.model_id = training.model_id
            await session.flush()
            moved = await job.move((S.TRAINING,), S.SUCCEEDED, "trained", {"progress": 1.0}, session=session)
            if moved is None:
                await session.rollback()
                return None
            await commit(session, job.env.redis)
        return None

    async def cancel_requests(self, job: Job) -> list[str]:
        return []  # the flow has no provider request of its own

    async def on_cancel(self, job: Job, session: AsyncSession) -> dict[str, Any]:
        """Cancel what the flow started: its training (if still running) and variations still running."""
        row: CharacterJob = job.row
        kinds = (("training", [row.training_id]), ("generation", list(row.variation_ids)))
        for name, ids in kinds:
            kind = get_kind(name)
            for job_id in ids:
                current = await session.get(kind.model, job_id)
                if current is None or current.status in kind.terminal:
                    continue
                try:
                    if current.status == TrainingStatus.CREATED:
                        values = {"cancel_requested_at": current.updated_at, "stage": "canceled"}
                        await transition(
                            session, job.env, kind, job_id, from_statuses=("created",), to="canceled",
                            event="canceled", values=values,
                        )  # fmt: skip
                    else:
                        await request_cancel(session, job.env, kind, job_id)
                except Conflict:
                    pass  # it ended meanwhile, or is past cancelling (a training saving its weights)
        return {}


CHARACTER = JobKind(
    name="character",
    model=CharacterJob,
    statuses=S,
    started=S.VARYING,
    cancelable=CANCELABLE,
    serialize=serialize,
    steps=CharacterSteps(),
    poll=PollPolicy(first=lambda settings: settings.provider_poll_interval, growth=0.1),
    events=("training", "started", "progress", "trained", "failed", "canceled"),
)
