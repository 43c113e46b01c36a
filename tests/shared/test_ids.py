"""Ids: strictly increasing within a process, and they carry the moment they were made (``created_at``)."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

from shared.ids import id_time, new_id


def test_ids_made_in_one_millisecond_still_increase() -> None:
    ids = [new_id("image") for _ in range(5000)]  # many share a millisecond
    assert ids == sorted(ids) and len(set(ids)) == len(ids)


def test_ids_increase_across_threads() -> None:
    made: list[list[str]] = [[] for _ in range(4)]

    def make(out: list[str]) -> None:
        out.extend(new_id("dataset") for _ in range(2000))

    threads = [threading.Thread(target=make, args=(out,)) for out in made]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    every = [i for out in made for i in out]
    assert len(set(every)) == len(every)
    assert all(out == sorted(out) for out in made)


def test_id_time_is_when_the_id_was_made() -> None:
    before = datetime.now(UTC)
    made = id_time(new_id("training"))
    after = datetime.now(UTC)
    assert made is not None and before - timedelta(milliseconds=1) <= made <= after


def test_id_time_of_other_strings_is_none() -> None:
    assert id_time("mdl_flux_1_dev") is None
    assert id_time("nounderscore") is None
    assert id_time("ds_" + "!" * 26) is None
