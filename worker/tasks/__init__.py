"""arq task functions. Tasks are thin: they take ids, never ORM objects, and call shared services."""

from __future__ import annotations

from typing import Any

from worker.tasks.jobs import reconcile, run_job_step
from worker.tasks.uploads import sweep_uploads
from worker.tasks.webhooks import deliver_webhook, reconcile_webhooks

FUNCTIONS: list[Any] = [run_job_step, deliver_webhook]

__all__ = ["FUNCTIONS", "deliver_webhook", "reconcile", "reconcile_webhooks", "run_job_step", "sweep_uploads"]
