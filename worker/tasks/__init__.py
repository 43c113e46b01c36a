"""arq task functions. Tasks are thin: they take ids, never ORM objects, and call shared services."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import Any

from shared import telemetry
from worker.tasks.jobs import (
    cancel_orphan_request,
    check_unrecorded_request,
    reconcile,
    run_job_step,
    sweep_temporary,
)
from worker.tasks.uploads import sweep_uploads
from worker.tasks.webhooks import deliver_webhook, reconcile_webhooks


def traced(task: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
    """The task in a consumer span that continues the trace its job carries (``shared.queue`` puts the W3C
    context in the ``trace_context`` keyword when tracing is on); without tracing, just the task."""

    @functools.wraps(task)
    async def run(ctx: dict[str, Any], *args: Any, trace_context: dict[str, str] | None = None, **kwargs: Any) -> Any:
        if not telemetry.enabled():
            return await task(ctx, *args, **kwargs)
        attributes = {
            "messaging.system": "arq",
            "messaging.message.id": ctx.get("job_id"),
            "arq.job_try": ctx.get("job_try"),
        }
        with telemetry.span(
            task.__name__,
            kind="CONSUMER",
            attributes={k: v for k, v in attributes.items() if v is not None},
            parent=telemetry.extract(trace_context),
        ) as span:
            result = await task(ctx, *args, **kwargs)
            telemetry.set_attributes(span, {"fotogen.task.result": result if isinstance(result, (str, int)) else None})
            return result

    return run


FUNCTIONS: list[Any] = [
    traced(run_job_step),
    traced(deliver_webhook),
    traced(cancel_orphan_request),
    traced(check_unrecorded_request),
]

__all__ = [
    "FUNCTIONS",
    "cancel_orphan_request",
    "check_unrecorded_request",
    "deliver_webhook",
    "reconcile",
    "reconcile_webhooks",
    "run_job_step",
    "sweep_temporary",
    "sweep_uploads",
    "traced",
]
