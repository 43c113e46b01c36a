"""Jobs a fault scenario creates, what became of them, and the table ``make chaos`` prints.

A row per scenario: tried / survived (ended as the scenario expects) / lost (not terminal when the scenario
gave up) / duplicated provider submissions (from the sandbox's request log: submissions of one job step beyond
the first that were *not* canceled, i.e. paid twice) / recovery p50 and p95 (seconds from the fault to the job
moving again).
"""

from __future__ import annotations

import asyncio
import os
import secrets
import statistics
import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import httpx
from sqlalchemy import text

# ``CHAOS_PROFILE=ci`` (what CI runs) keeps counts and the soak short; ``full`` (``make chaos``) runs more.
PROFILE = os.environ.get("CHAOS_PROFILE", "full")
FULL = PROFILE == "full"


def count(ci: int, full: int) -> int:
    return full if FULL else ci


TERMINAL = {"succeeded", "failed", "canceled"}
TABLES = {"training": "trainings", "generation": "generations", "mesh": "mesh_jobs"}
ENDPOINTS = {"training": "/v1/trainings", "generation": "/v1/generations", "mesh": "/v1/meshes"}


@dataclass
class TrackedJob:
    kind: str
    id: str
    tag: str  # a token the job's provider input carries (prompt text or the job id in a URL)
    expect: str = "succeeded"
    error_code: str | None = None  # expected error code of a failed job (None: any)
    final: dict[str, Any] | None = None


@dataclass
class Row:
    scenario: str
    tried: int = 0
    survived: int = 0
    lost: int = 0
    duplicated: int = 0
    recovery: list[float] = field(default_factory=list)
    note: str = ""
    worker_exits: list[str] = field(default_factory=list)

    def p(self, q: float) -> float | None:
        if not self.recovery:
            return None
        data = sorted(self.recovery)
        if len(data) == 1:
            return data[0]
        return float(statistics.quantiles(data, n=100, method="inclusive")[int(q) - 1])


class Scoreboard:
    def __init__(self) -> None:
        self.rows: dict[str, Row] = {}

    def row(self, scenario: str) -> Row:
        return self.rows.setdefault(scenario, Row(scenario))

    def render(self) -> str:
        head = ("scenario", "tried", "survived", "lost", "dup. submissions", "recovery p50", "p95", "note")
        lines = [head]
        for r in self.rows.values():
            p50, p95 = r.p(50), r.p(95)
            lines.append(
                (
                    r.scenario,
                    str(r.tried),
                    str(r.survived),
                    str(r.lost),
                    str(r.duplicated),
                    "-" if p50 is None else f"{p50:.2f}s",
                    "-" if p95 is None else f"{p95:.2f}s",
                    r.note,
                )
            )
        widths = [max(len(line[i]) for line in lines) for i in range(len(head))]
        out = [" | ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)).rstrip() for line in lines]
        out.insert(1, "-+-".join("-" * w for w in widths))
        return "\n".join(out)


# -- creating and watching jobs --------------------------------------------------------------------------


def new_tag() -> str:
    return f"chaos{secrets.token_hex(5)}"


async def create_generation(api: httpx.AsyncClient, words: str = "", *, expect: str = "succeeded") -> TrackedJob:
    tag = new_tag()
    body = {"model_id": "mdl_flux_1_dev", "prompt": f"{tag} portrait {words}".strip()}
    r = await api.post("/v1/generations", json=body)
    assert r.status_code == 202, r.text
    return TrackedJob("generation", r.json()["id"], tag, expect)


async def create_training(api: httpx.AsyncClient, dataset_id: str) -> TrackedJob:
    r = await api.post("/v1/trainings", json={"dataset_id": dataset_id})
    assert r.status_code == 202, r.text
    job_id = r.json()["id"]
    return TrackedJob("training", job_id, job_id)


async def create_mesh(api: httpx.AsyncClient, photo: bytes) -> TrackedJob:
    r = await api.post("/v1/meshes", files=[("files", ("face.jpg", photo, "image/jpeg"))])
    assert r.status_code == 202, r.text
    job_id = r.json()["id"]
    return TrackedJob("mesh", job_id, job_id)


async def row_state_in(conn: Any, job: TrackedJob) -> dict[str, Any] | None:
    """The job's row as ``conn`` sees it (inside its transaction, if it has one)."""
    sql = (
        f"SELECT status, step_seq, attempt, lease_until, progress, provider_request_id, "  # noqa: S608
        f"error_code, updated_at FROM {TABLES[job.kind]} WHERE id = :id"
    )
    found = (await conn.execute(text(sql), {"id": job.id})).mappings().one_or_none()
    return dict(found) if found is not None else None


async def row_state(app: Any, job: TrackedJob) -> dict[str, Any] | None:
    """The job's row as the workers see it (None while the database is unreachable)."""
    try:
        async with app.state.engine.connect() as conn:
            return await row_state_in(conn, job)
    except Exception:
        return None


async def wait_row(app: Any, job: TrackedJob, check: Any, timeout: float, interval: float = 0.005) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    state: dict[str, Any] | None = None
    while time.monotonic() < deadline:
        state = await row_state(app, job)
        if state is not None and check(state):
            return state
        await asyncio.sleep(interval)
    raise AssertionError(f"{job.kind} {job.id}: condition not met in {timeout}s (last {state})")


async def wait_moved(app: Any, job: TrackedJob, before: dict[str, Any], timeout: float) -> float | None:
    """Seconds until the row differs from ``before`` (another worker took the job on), None if not in time."""
    keys = ("status", "step_seq", "attempt", "lease_until", "progress", "provider_request_id", "updated_at")
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        state = await row_state(app, job)
        if state is not None and any(state[k] != before[k] for k in keys):
            return time.monotonic() - start
        await asyncio.sleep(0.02)
    return None


async def settle(app: Any, jobs: list[TrackedJob], timeout: float) -> None:
    """Wait until every job is terminal (or the time is up); records each final row."""
    deadline = time.monotonic() + timeout
    pending = list(jobs)
    while pending and time.monotonic() < deadline:
        for job in list(pending):
            state = await row_state(app, job)
            if state is not None and state["status"] in TERMINAL:
                job.final = state
                pending.remove(job)
        await asyncio.sleep(0.1)


def submissions_by_job(sandbox_log: dict[str, Any], jobs: list[TrackedJob]) -> dict[tuple[str, str], list[Any]]:
    """The sandbox's submissions grouped per job step: a training or generation is one request; a mesh job
    one per item (keyed by the item's input URL path)."""
    groups: dict[tuple[str, str], list[Any]] = defaultdict(list)
    for rec in sandbox_log["requests"]:
        blob = repr(rec["input"])
        for job in jobs:
            if job.tag in blob:
                key = job.id
                if job.kind == "mesh":
                    key = f"{job.id}:{str(rec['input'].get('image_url', '')).split('?', 1)[0]}"
                groups[(job.id, key)].append(rec)
                break
    return groups


def duplicated(sandbox_log: dict[str, Any], jobs: list[TrackedJob]) -> tuple[int, list[str]]:
    """Submissions per job step beyond one that were never canceled (paid twice), and a description."""
    total, notes = 0, []
    for (job_id, _), recs in submissions_by_job(sandbox_log, jobs).items():
        live = [r for r in recs if not r["cancel_calls"]]
        extra = max(0, len(live) - 1)
        if extra:
            total += extra
            calls = [  # each submission's callback answers: an orphan is only seen through its callback
                (r["request_id"], [d.get("status_code") or d.get("error") for d in r.get("webhook_deliveries") or []])
                for r in recs
            ]
            notes.append(f"{job_id}: {len(recs)} submissions, {len(recs) - len(live)} canceled; callbacks {calls}")
    return total, notes


async def log_once_orphans_canceled(sandbox: Any, jobs: list[TrackedJob], timeout: float = 15.0) -> dict[str, Any]:
    """The sandbox's log once every extra submission of ``jobs`` has been canceled, or when ``timeout`` is up:
    an orphan is canceled asynchronously (a worker acts on its callback), possibly after its job ended."""
    deadline = time.monotonic() + timeout
    while True:
        log: dict[str, Any] = sandbox.requests()
        if duplicated(log, jobs)[0] == 0 or time.monotonic() > deadline:
            return log
        await asyncio.sleep(0.2)


def score(board: Scoreboard, scenario: str, jobs: list[TrackedJob], sandbox_log: dict[str, Any]) -> Row:
    """Add the scenario's jobs to its row (after :func:`settle`)."""
    row = board.row(scenario)
    for job in jobs:
        row.tried += 1
        if job.final is None:
            row.lost += 1
        elif job.final["status"] == job.expect and job.error_code in (None, job.final["error_code"]):
            row.survived += 1
    dup, _ = duplicated(sandbox_log, jobs)
    row.duplicated += dup
    return row


def verdict(row: Row, jobs: list[TrackedJob], sandbox_log: dict[str, Any]) -> str:
    """A readable account for assertion messages."""
    _, notes = duplicated(sandbox_log, jobs)
    wrong = [
        f"{j.kind} {j.id}: {j.final and (j.final['status'], j.final['error_code'])} (want {j.expect})"
        for j in jobs
        if j.final is None or j.final["status"] != j.expect
    ]
    return f"{row}\nwrong outcome: {wrong}\nduplicates: {notes}"
