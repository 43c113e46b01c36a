"""One module per resource; ``ROUTERS`` is what ``create_app`` mounts, in order."""

from fastapi import APIRouter

from api.routes import (
    characters,
    console,
    datasets,
    end_users,
    events,
    files,
    generations,
    health,
    meshes,
    models,
    policy,
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
    policy.router,
    end_users.router,
    provider_webhooks.router,
    problems.router,
    console.router,
]
