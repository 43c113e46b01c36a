"""``fotogen dev`` supervises its worker: a worker that exits is started again with growing delays; any other
child exiting stops the whole set."""

from __future__ import annotations

import os
import subprocess
import sys
import time

from fotogen.dev import Restarter, _supervise


def test_a_dying_worker_is_restarted_with_backoff_until_another_child_exits() -> None:
    worker_args = [sys.executable, "-c", "import sys; sys.exit(3)"]  # a worker that crashes at once, every time
    restarter = Restarter(worker_args, dict(os.environ))
    api = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(5)"])
    children = [restarter.start(), api]
    first = children[0]
    started = time.monotonic()
    try:
        assert _supervise(children, 0, restarter) == 1  # returned when the "api" exited
    finally:
        for child in children:
            if child.poll() is None:
                child.kill()
                child.wait()
    took = time.monotonic() - started
    assert children[0] is not first, "the worker was never started again"
    # 1 s, then 2 s between restarts: two or three restarts fit in the api's 5 s, not one every 0.5 s poll
    assert 2 <= restarter.failures <= 4, restarter.failures
    assert took >= 4
