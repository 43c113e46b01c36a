"""``POST /v1/characters/{id}/train``, API side: everything the flow will do is decided and written here,
in one transaction, so the worker (job kind ``character``, ``shared.characters.jobs``) never has to
create anything that could be created twice:

- the training, in status ``created`` (the flow starts it — once — when the dataset is ready);
- the image-to-image variations of the reference, as generations (``character_id`` set) with
  deterministic seeds: as many as asked, by default as many as the dataset lacks to reach the trainer's
  minimum; their prompts are :data:`shared.characters.prompts.VARIATION_PROMPTS` in order;
- the flow's job row (id = the character id), ``queued``, and the ``character.training`` event.
"""

from __future__ import annotations

import hashlib
from typing import Any

from sqlalchemy import update

from shared.catalog.modes import MAX_SEED
from shared.characters.prompts import VARIATION_PROMPTS, VARIATION_STRENGTH, build_prompt
from shared.characters.schemas import CharacterTrain
from shared.characters.service import ENDED, write_character_event
from shared.config import Settings
from shared.db import utcnow
from shared.errors import Conflict, ValidationFailed
from shared.generations.schemas import GenerationCreate
from shared.generations.service import create_generation
from shared.ids import new_id
from shared.jobs.registry import get_kind
from shared.jobs.transitions import schedule_step
from shared.models import Character, CharacterJob, Dataset, Model, Training
from shared.models.characters import CharacterJobStatus as J
from shared.models.jobs import TrainingStatus
from shared.scope import OwnerScope
from shared.storage import Storage
from shared.trainings.service import min_images
from shared.trainings.trainers import trainer_for
from shared.uploads.references import ImageRef


def variation_seed(training_id: str, index: int) -> int:
    """Deterministic per flow and variation; different for every new training of the character."""
    digest = hashlib.sha256(f"{training_id}:{index}".encode()).digest()
    return int.from_bytes(digest[:8], "big") % (MAX_SEED + 1)


def _training_row(
    scope: OwnerScope, row: Character, base: Model, body: CharacterTrain, dataset: Dataset, request_id: str | None
) -> Training:
    if body.trainer not in base.trainers:
        raise ValidationFailed(
            f"Model {base.id!r} cannot be trained with the {body.trainer!r} trainer.",
            code="trainer_not_available",
            errors=[{"loc": ["body", "trainer"], "code": "trainer_not_available", "detail": "not offered"}],
        )
    trainer = trainer_for(base.trainers[body.trainer])
    return Training(
        id=new_id("training"),
        owner_id=scope.owner_id,
        dataset_id=dataset.id,
        base_model_id=base.id,
        trainer=body.trainer,
        name=f"{row.name} LoRA",
        trigger_word=row.trigger_word,
        params=trainer.validate(body.params),
        image_count=dataset.image_count,
        provider_name="fal",
        provider_endpoint=trainer.endpoint,
        request_id=request_id,
        status=TrainingStatus.CREATED,
        stage="waiting for the character's variations",
        metadata_={"character_id": row.id},
        end_user=row.end_user,
    )


async def _variations(
    scope: OwnerScope, storage: Storage, settings: Settings, row: Character, training_id: str, count: int
) -> list[str]:
    assert row.reference is not None
    ids = []
    for i in range(count):
        built = build_prompt(
            trigger_word=None,
            description=row.description,
            scene=VARIATION_PROMPTS[i % len(VARIATION_PROMPTS)],
            art_style=row.art_style,
            modifiers=row.style_modifiers,
        )
        request = GenerationCreate(
            model_id=row.base_model_id,
            mode="image_to_image",
            image=ImageRef(generation_image_id=row.reference["image_id"]),
            prompt=built.prompt,
            strength=VARIATION_STRENGTH,
            num_images=1,
            seed=variation_seed(training_id, i),
            end_user=row.end_user,
        )
        gen = await create_generation(scope, storage, settings, request, None, character_id=row.id)
        ids.append(gen.id)
    return ids


async def train_character(
    scope: OwnerScope,
    storage: Storage,
    settings: Settings,
    character_id: str,
    body: CharacterTrain,
    request_id: str | None,
) -> Training:
    """Start the character's training flow (see the module doc). 409 ``character_not_referenced`` before a
    reference is picked, 409 ``character_training`` while a flow runs; 422 as ``POST /v1/trainings``."""
    row = await scope.get(Character, character_id, "character", for_update=True)
    if not row.reference or not row.dataset_id:
        raise Conflict(
            "Pick a reference first (`POST /v1/characters/{id}/reference`).", code="character_not_referenced"
        )
    job = await scope.session.get(CharacterJob, row.id, with_for_update=True, populate_existing=True)
    if job is not None and job.status not in ENDED:
        raise Conflict("The character's training is already running.", code="character_training")
    dataset = await scope.get(Dataset, row.dataset_id, "dataset", for_update=True)
    base = await scope.get(Model, row.base_model_id, "model")
    training = _training_row(scope, row, base, body, dataset, request_id)
    scope.session.add(training)
    await scope.session.flush()
    lacking = max(0, min_images(settings, body.trainer) - dataset.image_count)
    count = body.variations if body.variations is not None else lacking
    variation_ids = await _variations(scope, storage, settings, row, training.id, count)
    fresh: dict[str, Any] = {
        "status": J.QUEUED,
        "training_id": training.id,
        "variation_ids": variation_ids,
        "variations_added": 0,
        "progress": 0.0,
        "error_code": None,
        "error_message": None,
        "cancel_requested_at": None,
        "lease_until": None,
        "attempt": 0,
        "next_run_at": utcnow(),
        "request_id": request_id,
        "started_at": None,
        "finished_at": None,
    }
    if job is None:
        job = CharacterJob(id=row.id, owner_id=scope.owner_id, step_seq=0, **fresh)
        scope.session.add(job)
        await scope.session.flush()
    else:  # a new flow in the same row: a new step_seq makes any stale step of the old one a no-op
        stmt = update(CharacterJob).where(CharacterJob.id == row.id)
        await scope.session.execute(stmt.values(step_seq=CharacterJob.step_seq + 1, **fresh))
        await scope.session.refresh(job)
    row.training_id = training.id
    await write_character_event(scope.session, storage, settings.signed_url_ttl, row, "training")
    schedule_step(scope.session, get_kind("character"), job.id, job.step_seq)
    return training
