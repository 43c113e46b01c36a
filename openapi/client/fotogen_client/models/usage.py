from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="Usage")


@_attrs_define
class Usage:
    """What counts against each limit now: this UTC day's or month's work (failed and canceled jobs give
    theirs back), and the jobs not yet ended.

        Attributes:
            generation_images_per_day (int):
            trainings_per_month (int):
            videos_per_day (int):
            mesh_items_per_day (int):
            concurrent_jobs (int):
    """

    generation_images_per_day: int
    trainings_per_month: int
    videos_per_day: int
    mesh_items_per_day: int
    concurrent_jobs: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        generation_images_per_day = self.generation_images_per_day

        trainings_per_month = self.trainings_per_month

        videos_per_day = self.videos_per_day

        mesh_items_per_day = self.mesh_items_per_day

        concurrent_jobs = self.concurrent_jobs

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "generation_images_per_day": generation_images_per_day,
                "trainings_per_month": trainings_per_month,
                "videos_per_day": videos_per_day,
                "mesh_items_per_day": mesh_items_per_day,
                "concurrent_jobs": concurrent_jobs,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        generation_images_per_day = d.pop("generation_images_per_day")

        trainings_per_month = d.pop("trainings_per_month")

        videos_per_day = d.pop("videos_per_day")

        mesh_items_per_day = d.pop("mesh_items_per_day")

        concurrent_jobs = d.pop("concurrent_jobs")

        usage = cls(
            generation_images_per_day=generation_images_per_day,
            trainings_per_month=trainings_per_month,
            videos_per_day=videos_per_day,
            mesh_items_per_day=mesh_items_per_day,
            concurrent_jobs=concurrent_jobs,
        )

        usage.additional_properties = d
        return usage

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
