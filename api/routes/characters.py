"""Characters (seed 001): profile → reference → consistent LoRA → scenes (``shared.characters``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from sse_starlette import EventSourceResponse
from starlette.responses import JSONResponse, Response

from api.deps import AfterQuery, LimitQuery, RedisDep, ScopeDep, SettingsDep, StorageDep
from api.problems import AUTHED, problems
from api.sse import SSE_RESPONSES, LastEventIdDep, owner_event_stream
from api.stream_auth import StreamPrincipalDep
from api.tags import TagFilterDep
from api.uploads import LimiterDep
from shared.characters import references, service, training
from shared.characters.schemas import (
    CharacterCreate,
    CharacterOut,
    CharacterPatch,
    CharacterTrain,
    ReferencePick,
    ReferencesCreate,
    SceneCreate,
)
from shared.events.schemas import EventOut
from shared.events.service import list_job_events
from shared.generations.schemas import GenerationOut
from shared.generations.service import generation_out
from shared.metadata import METADATA_QUERY
from shared.models import Character
from shared.pagination import DEFAULT_LIMIT, Page
from shared.queue import commit
from shared.scope import OwnerScope
from shared.trainings.schemas import TrainingOut
from shared.trainings.service import training_out
from shared.uploads import commit_or_delete, purge_prefix

router = APIRouter(prefix="/v1/characters", tags=["characters"])


@router.post("", operation_id="characters-create", status_code=201, responses=problems(*AUTHED, 400))
async def create_character(
    body: CharacterCreate, scope: ScopeDep, redis: RedisDep, storage: StorageDep, settings: SettingsDep
) -> CharacterOut:
    """A character: its name, description (what it looks like), art style and style modifiers. It starts
    as `draft`; generate reference candidates with `POST /v1/characters/{id}/references`."""
    row = await service.create_character(scope, body)
    await commit(scope.session, redis)
    return await service.character_out(scope.session, storage, settings.signed_url_ttl, row)


@router.get("", operation_id="characters-list", responses=problems(*AUTHED, 400), openapi_extra=METADATA_QUERY)
async def list_characters(
    scope: ScopeDep,
    storage: StorageDep,
    settings: SettingsDep,
    tags: TagFilterDep,
    limit: LimitQuery = DEFAULT_LIMIT,
    after: AfterQuery = None,
) -> Page[CharacterOut]:
    """Your characters, newest first; `?metadata[key]=value` (exact, several AND) and `?end_user=` filter."""
    return await service.list_characters(scope, storage, settings.signed_url_ttl, tags=tags, limit=limit, after=after)


@router.get("/{character_id}", operation_id="characters-get", responses=problems(*AUTHED, 404))
async def get_character(character_id: str, scope: ScopeDep, storage: StorageDep, settings: SettingsDep) -> CharacterOut:
    row = await scope.get(Character, character_id, "character")
    return await service.character_out(scope.session, storage, settings.signed_url_ttl, row)


@router.patch("/{character_id}", operation_id="characters-update", responses=problems(*AUTHED, 400, 404))
async def update_character(
    character_id: str,
    body: CharacterPatch,
    scope: ScopeDep,
    redis: RedisDep,
    storage: StorageDep,
    settings: SettingsDep,
) -> CharacterOut:
    """Change the profile; `metadata` merges (a key set to `null` is removed). Later prompts use the new
    profile; a trained LoRA stays as it was trained."""
    row = await service.update_character(scope, character_id, body)
    await commit(scope.session, redis)
    return await service.character_out(scope.session, storage, settings.signed_url_ttl, row)


@router.delete(
    "/{character_id}", operation_id="characters-delete", status_code=204, responses=problems(*AUTHED, 404, 409)
)
async def delete_character(character_id: str, scope: ScopeDep, redis: RedisDep, storage: StorageDep) -> Response:
    """Delete the character with its dataset and its LoRA. Its generations stay (their `character_id`
    too). 409 `character_training` while its training runs."""
    prefixes = await service.delete_character(scope, storage, character_id)
    await commit(scope.session, redis)
    for prefix in prefixes:
        await purge_prefix(storage, prefix)
    return Response(status_code=204)


async def _generation(scope: OwnerScope, storage: StorageDep, settings: SettingsDep, row: object) -> JSONResponse:
    out = await generation_out(scope.session, storage, settings.signed_url_ttl, row)  # type: ignore[arg-type]
    return JSONResponse(out.model_dump(mode="json"), status_code=202)


@router.post(
    "/{character_id}/references",
    operation_id="characters-references",
    status_code=202,
    response_model=GenerationOut,
    responses=problems(*AUTHED, 400, 404),
)
async def make_references(
    request: Request,
    character_id: str,
    scope: ScopeDep,
    redis: RedisDep,
    storage: StorageDep,
    settings: SettingsDep,
    body: ReferencesCreate | None = None,
) -> JSONResponse:
    """Reference candidates: a generation on the base model whose prompt is built from the profile
    (description, a reference framing, art style, modifiers). Call again to "try again": a new seed every
    time unless `seed` is given. Pick one with `POST /v1/characters/{id}/reference`."""
    gen = await service.make_references(
        scope, storage, settings, character_id, body or ReferencesCreate(), request.state.request_id
    )
    await commit(scope.session, redis)
    return await _generation(scope, storage, settings, gen)


@router.post(
    "/{character_id}/reference", operation_id="characters-pick-reference", responses=problems(*AUTHED, 400, 404)
)
async def pick_reference(
    character_id: str,
    body: ReferencePick,
    scope: ScopeDep,
    redis: RedisDep,
    storage: StorageDep,
    settings: SettingsDep,
    limiter: LimiterDep,
) -> CharacterOut:
    """Save an image of one of the character's generations as its reference (the generation's seed is
    kept) and copy it, server-side, into the character's own dataset (made now if needed; you may upload
    more photos into it). Status becomes `referenced`; event `character.referenced`. 404 for a generation
    that is not this character's or an image not in it; 422 `generation_not_succeeded`."""
    await references.ensure_dataset(scope, character_id)
    await commit(scope.session, redis)
    ttl = settings.signed_url_ttl
    row, stored = await references.pick_reference(scope, storage, settings, ttl, character_id, body, limiter)
    await commit_or_delete(scope.session, redis, storage, stored)
    return await service.character_out(scope.session, storage, ttl, row)


@router.post(
    "/{character_id}/train",
    operation_id="characters-train",
    status_code=202,
    response_model=TrainingOut,
    responses=problems(*AUTHED, 400, 404, 409),
)
async def train_character(
    request: Request,
    character_id: str,
    scope: ScopeDep,
    redis: RedisDep,
    storage: StorageDep,
    settings: SettingsDep,
    body: CharacterTrain | None = None,
) -> JSONResponse:
    """Train the character's LoRA; answers 202 with the training (status `created` until its dataset is
    ready). When the dataset has fewer images than the trainer's minimum, image-to-image variations of the
    reference in other poses and framings are made first (`variations`, default: as many as lacking) and
    added to the dataset; then the training starts. On success the character's `model_id` is set and its
    status is `trained`. Events `character.training`, `character.progress`, `character.trained`,
    `character.failed`. Cancel with `POST /v1/trainings/{id}/cancel` (the variations still running are
    canceled too). 409 `character_not_referenced` before a reference is picked, `character_training`
    while a training runs; 422 as `POST /v1/trainings` (`trainer_not_available`, `validation_error`)."""
    trn = await training.train_character(
        scope, storage, settings, character_id, body or CharacterTrain(), request.state.request_id
    )
    await commit(scope.session, redis)
    return JSONResponse(training_out(trn).model_dump(mode="json"), status_code=202)


@router.post(
    "/{character_id}/scenes",
    operation_id="characters-scenes",
    status_code=202,
    response_model=GenerationOut,
    responses=problems(*AUTHED, 400, 404),
)
async def make_scene(
    request: Request,
    character_id: str,
    body: SceneCreate,
    scope: ScopeDep,
    redis: RedisDep,
    storage: StorageDep,
    settings: SettingsDep,
) -> JSONResponse:
    """A picture of the character in a scene: a generation (202) with the character's LoRA once trained,
    else the base model with the reference's seed. The prompt is built in this order: trigger word (with
    the LoRA), description, scene, art style, style modifiers — within the prompt limit: modifiers, then
    the art style, then the end of the description are left out first; the scene is never cut (too long
    → 422 `scene_too_long`). The generation carries `character_id`, the built `prompt` and its `params`;
    `end_user` defaults to the character's. Tie it to your post with `metadata` (e.g. `{"post_id": …}`)
    and find it with `GET /v1/generations?metadata[post_id]=…` or `?character_id=`."""
    gen = await service.make_scene(scope, storage, settings, character_id, body, request.state.request_id)
    await commit(scope.session, redis)
    return await _generation(scope, storage, settings, gen)


@router.get("/{character_id}/events", operation_id="characters-events", responses=problems(*AUTHED, 400, 404))
async def list_character_events(
    character_id: str,
    scope: ScopeDep,
    limit: LimitQuery = DEFAULT_LIMIT,
    after: Annotated[
        str | None, Query(max_length=200, description="An event id: the page starts after it (`next_cursor`).")
    ] = None,
) -> Page[EventOut]:
    """The character's events, **oldest first**: `character.referenced`, `character.training`,
    `character.started`, `character.progress`, then `character.trained`, `character.failed` or
    `character.canceled`. `data.job` is the character as `GET` returned it then."""
    await scope.get(Character, character_id, "character")
    return await list_job_events(scope.session, scope.owner_id, character_id, limit=limit, after=after)


@router.get(
    "/{character_id}/stream",
    operation_id="characters-stream",
    response_class=EventSourceResponse,
    responses=SSE_RESPONSES,
)
async def stream_character(
    request: Request, character_id: str, principal: StreamPrincipalDep, last_event_id: LastEventIdDep = None
) -> Response:
    """The character's events as Server-Sent Events, live (after `Last-Event-ID` when given) until you
    disconnect: a character lives on after a training ends."""
    async with request.app.state.sessionmaker() as session:
        await OwnerScope(session, principal.owner_id).get(Character, character_id, "character")
    return await owner_event_stream(request, principal.owner_id, job_id=character_id, last_event_id=last_event_id)
