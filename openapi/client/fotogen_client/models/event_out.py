from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.event_out_data import EventOutData


T = TypeVar("T", bound="EventOut")


@_attrs_define
class EventOut:
    """One entry of a job's history. `id` increases monotonically in commit order: it is the SSE `id:`
    and the value to resume from (`Last-Event-ID`, or `after` when listing).

        Attributes:
            id (int): Monotonically increasing event id (SSE `id:`).
            type_ (str): `{job_type}.{what}`: `training.queued`, `training.started`, `training.progress`, `training.log`,
                `training.succeeded`, `training.failed`, `training.canceled`, `generation.queued`, `generation.started`,
                `generation.succeeded`, `generation.failed`, `generation.canceled`, `mesh.queued`, `mesh.started`,
                `mesh.progress`, `mesh.succeeded`, `mesh.failed`, `mesh.canceled`, `video.queued`, `video.started`,
                `video.succeeded`, `video.failed`, `video.canceled`, `character.referenced`, `character.training`,
                `character.started`, `character.progress`, `character.trained`, `character.failed`, `character.canceled`.
            job_type (str): `training`, `generation`, `mesh`, `video` or `character`.
            job_id (str):
            created_at (datetime.datetime):
            data (EventOutData): `job`: the job exactly as `GET` returns it; `progress` and `log` events add `message`.
    """

    id: int
    type_: str
    job_type: str
    job_id: str
    created_at: datetime.datetime
    data: EventOutData
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        type_ = self.type_

        job_type = self.job_type

        job_id = self.job_id

        created_at = self.created_at.isoformat()

        data = self.data.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "type": type_,
                "job_type": job_type,
                "job_id": job_id,
                "created_at": created_at,
                "data": data,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.event_out_data import EventOutData  # noqa: PLC0415

        d = dict(src_dict)
        id = d.pop("id")

        type_ = d.pop("type")

        job_type = d.pop("job_type")

        job_id = d.pop("job_id")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        data = EventOutData.from_dict(d.pop("data"))

        event_out = cls(
            id=id,
            type_=type_,
            job_type=job_type,
            job_id=job_id,
            created_at=created_at,
            data=data,
        )

        event_out.additional_properties = d
        return event_out

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
