from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="LimitOverrides")


@_attrs_define
class LimitOverrides:
    """An end user's own limits: a member given replaces the policy's (`null`: unlimited), a member left out
    inherits it. `PUT` replaces the whole object.

        Attributes:
            generation_images_per_day (int | None | Unset):
            trainings_per_month (int | None | Unset):
            videos_per_day (int | None | Unset):
            mesh_items_per_day (int | None | Unset):
            concurrent_jobs (int | None | Unset):
    """

    generation_images_per_day: int | None | Unset = UNSET
    trainings_per_month: int | None | Unset = UNSET
    videos_per_day: int | None | Unset = UNSET
    mesh_items_per_day: int | None | Unset = UNSET
    concurrent_jobs: int | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        generation_images_per_day: int | None | Unset
        if isinstance(self.generation_images_per_day, Unset):
            generation_images_per_day = UNSET
        else:
            generation_images_per_day = self.generation_images_per_day

        trainings_per_month: int | None | Unset
        if isinstance(self.trainings_per_month, Unset):
            trainings_per_month = UNSET
        else:
            trainings_per_month = self.trainings_per_month

        videos_per_day: int | None | Unset
        if isinstance(self.videos_per_day, Unset):
            videos_per_day = UNSET
        else:
            videos_per_day = self.videos_per_day

        mesh_items_per_day: int | None | Unset
        if isinstance(self.mesh_items_per_day, Unset):
            mesh_items_per_day = UNSET
        else:
            mesh_items_per_day = self.mesh_items_per_day

        concurrent_jobs: int | None | Unset
        if isinstance(self.concurrent_jobs, Unset):
            concurrent_jobs = UNSET
        else:
            concurrent_jobs = self.concurrent_jobs

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if generation_images_per_day is not UNSET:
            field_dict["generation_images_per_day"] = generation_images_per_day
        if trainings_per_month is not UNSET:
            field_dict["trainings_per_month"] = trainings_per_month
        if videos_per_day is not UNSET:
            field_dict["videos_per_day"] = videos_per_day
        if mesh_items_per_day is not UNSET:
            field_dict["mesh_items_per_day"] = mesh_items_per_day
        if concurrent_jobs is not UNSET:
            field_dict["concurrent_jobs"] = concurrent_jobs

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)

        def _parse_generation_images_per_day(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        generation_images_per_day = _parse_generation_images_per_day(d.pop("generation_images_per_day", UNSET))

        def _parse_trainings_per_month(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        trainings_per_month = _parse_trainings_per_month(d.pop("trainings_per_month", UNSET))

        def _parse_videos_per_day(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        videos_per_day = _parse_videos_per_day(d.pop("videos_per_day", UNSET))

        def _parse_mesh_items_per_day(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        mesh_items_per_day = _parse_mesh_items_per_day(d.pop("mesh_items_per_day", UNSET))

        def _parse_concurrent_jobs(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        concurrent_jobs = _parse_concurrent_jobs(d.pop("concurrent_jobs", UNSET))

        limit_overrides = cls(
            generation_images_per_day=generation_images_per_day,
            trainings_per_month=trainings_per_month,
            videos_per_day=videos_per_day,
            mesh_items_per_day=mesh_items_per_day,
            concurrent_jobs=concurrent_jobs,
        )

        return limit_overrides
