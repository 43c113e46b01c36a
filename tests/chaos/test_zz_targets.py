"""The Done-when figures over the whole run (this file sorts last, so every scenario above has reported)."""

from __future__ import annotations

import pytest
from support.scoreboard import Row, Scoreboard


def test_recovery_p95_under_5s_with_a_second_worker_alive(board: Scoreboard) -> None:
    rows = [r for r in board.rows.values() if r.scenario.startswith(("kill -9", "enqueue lost"))]
    if not rows:
        pytest.skip("no kill or lost-enqueue scenario ran in this session")
    samples = [s for r in rows for s in r.recovery]
    overall = Row("all", recovery=samples)
    p95 = overall.p(95)
    assert p95 is not None and p95 < 5.0, {r.scenario: (r.p(50), r.p(95)) for r in rows}
