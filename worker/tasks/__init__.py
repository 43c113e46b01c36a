"""arq task functions. Tasks are thin: they take ids, never ORM objects, and call shared services."""

from __future__ import annotations

from typing import Any

from worker.tasks.jobs import (
    cancel_orphan_request,
    check_unrecorded_request,
    reconcile,
    run_job_step,
    sweep_temporary,
)
from worker.tasks.uploads import sweep_uploads
from worker.tasks.webhooks import deliver_webhook, reconcile_webhooks

FUNCTIONS: list[Any] = [run_job_step, deliver_webhook, cancel_orphan_request, check_unrecorded_request]

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
]
