"""One module per resource; ``ROUTERS`` is what ``create_app`` mounts, in order."""

from fastapi import APIRouter

from api.routes import (
    characters,
    console,
    datasets,
    events,
    files,
    generations,
    health,
    meshes,
    models,
    problems,
    provider_webhooks,
    stream_tokens,
    trainings,
    uploads,
    videos,
    webhooks,
)

ROUTERS: list[APIRouter] = [
    health.router,
    models.router,
    files.router,
    datasets.router,
    trainings.router,
    generations.router,
    meshes.router,
    uploads.router,
    videos.router,
    characters.router,
    events.router,
    stream_tokens.router,
    webhooks.router,
    provider_webhooks.router,
    problems.router,
    console.router,
]
