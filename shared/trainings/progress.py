"""Training progress that works with any trainer's logs.

Fal returns a request's logs with each status poll, but nothing promises they only grow: a runner may show
a window of its latest lines, and not every trainer logs ``step i/N``. So:

* :func:`new_lines` finds the lines not seen before by overlapping the previous poll's tail with the
  current logs (an append-only list and a sliding window both work); a line is reported once.
* :func:`training_fraction` is the newest ``step i/N`` when the logs have one, otherwise an estimate from
  the time spent training and the trainer's typical duration; the estimate stays below
  :data:`ESTIMATE_CAP` until the result arrives (the database keeps the maximum: never backwards).
"""

from __future__ import annotations

import re

STEP_RE = re.compile(r"step\s+(\d+)\s*/\s*(\d+)", re.IGNORECASE)
TAIL_LINES = 20  # lines of the previous poll kept to find where the new ones start
ESTIMATE_CAP = 0.95


def new_lines(previous_tail: list[str], seen: int, logs: list[str]) -> list[str]:
    """The lines of ``logs`` after those already seen (``seen`` lines, ending with ``previous_tail``)."""
    if not previous_tail:
        return logs[seen:] if len(logs) >= seen else logs
    if len(logs) >= seen and _ends_with(logs[:seen], previous_tail):
        return logs[seen:]  # append-only: the usual case
    # not append-only: the new lines start after the longest overlap of the old tail with the current logs
    for start in range(len(logs), 0, -1):
        overlap = min(start, len(previous_tail))
        if logs[start - overlap : start] == previous_tail[-overlap:]:
            return logs[start:]
    return logs


def _ends_with(lines: list[str], tail: list[str]) -> bool:
    return len(lines) >= len(tail) and lines[len(lines) - len(tail) :] == tail


def step_fraction(logs: list[str]) -> tuple[float, str] | None:
    """(i/N, ``step i/N``) of the newest step line, if any."""
    for line in reversed(logs):
        match = STEP_RE.search(line)
        if match:
            i, n = int(match.group(1)), int(match.group(2))
            if n > 0:
                return min(1.0, i / n), f"step {i}/{n}"
    return None


def estimated_fraction(elapsed_seconds: float, expected_seconds: float) -> float:
    """Share of a typical run done after ``elapsed_seconds``, capped below 1 (only the result ends it)."""
    if expected_seconds <= 0:
        return 0.0
    return max(0.0, min(ESTIMATE_CAP, elapsed_seconds / expected_seconds))
