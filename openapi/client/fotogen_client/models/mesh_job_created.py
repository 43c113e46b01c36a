from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.mesh_job_created_status import MeshJobCreatedStatus

if TYPE_CHECKING:
    from ..models.job_error import JobError
    from ..models.mesh_item_out import MeshItemOut
    from ..models.mesh_job_created_metadata import MeshJobCreatedMetadata
    from ..models.mesh_options import MeshOptions
    from ..models.rejected_file import RejectedFile


T = TypeVar("T", bound="MeshJobCreated")


@_attrs_define
class MeshJobCreated:
    """
    Attributes:
        metadata (MeshJobCreatedMetadata): Your own key/value pairs (strings; at most 20 keys, a key at most 40
            characters, a value at most 500). Returned as given; lists filter with `?metadata[key]=value`.
        end_user (None | str): Your app's id for the person who asked (at most 128 characters); lists filter with
            `?end_user=`.
        id (str):
        status (MeshJobCreatedStatus): `succeeded` once every item ended and at least one succeeded (see each item's
            status for partial failures); `failed` only when every item failed.
        progress (float): Fraction of items that ended; never goes backwards.
        options (MeshOptions): The multipart form fields of `POST /v1/meshes` (every one optional).
        item_count (int):
        items (list[MeshItemOut]):
        error (JobError | None):
        created_at (datetime.datetime):
        started_at (datetime.datetime | None):
        finished_at (datetime.datetime | None):
        rejected (list[RejectedFile]): Uploaded files that were refused, with the reason.
    """

    metadata: MeshJobCreatedMetadata
    end_user: None | str
    id: str
    status: MeshJobCreatedStatus
    progress: float
    options: MeshOptions
    item_count: int
    items: list[MeshItemOut]
    error: JobError | None
    created_at: datetime.datetime
    started_at: datetime.datetime | None
    finished_at: datetime.datetime | None
    rejected: list[RejectedFile]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.job_error import JobError  # noqa: PLC0415

        metadata = self.metadata.to_dict()

        end_user: None | str
        end_user = self.end_user

        id = self.id

        status = self.status.value

        progress = self.progress

        options = self.options.to_dict()

        item_count = self.item_count

        items = []
        for items_item_data in self.items:
            items_item = items_item_data.to_dict()
            items.append(items_item)

        error: dict[str, Any] | None
        if isinstance(self.error, JobError):
            error = self.error.to_dict()
        else:
            error = self.error

        created_at = self.created_at.isoformat()

        started_at: None | str
        if isinstance(self.started_at, datetime.datetime):
            started_at = self.started_at.isoformat()
        else:
            started_at = self.started_at

        finished_at: None | str
        if isinstance(self.finished_at, datetime.datetime):
            finished_at = self.finished_at.isoformat()
        else:
            finished_at = self.finished_at

        rejected = []
        for rejected_item_data in self.rejected:
            rejected_item = rejected_item_data.to_dict()
            rejected.append(rejected_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "metadata": metadata,
                "end_user": end_user,
                "id": id,
                "status": status,
                "progress": progress,
                "options": options,
                "item_count": item_count,
                "items": items,
                "error": error,
                "created_at": created_at,
                "started_at": started_at,
                "finished_at": finished_at,
                "rejected": rejected,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.job_error import JobError  # noqa: PLC0415
        from ..models.mesh_item_out import MeshItemOut  # noqa: PLC0415
        from ..models.mesh_job_created_metadata import MeshJobCreatedMetadata  # noqa: PLC0415
        from ..models.mesh_options import MeshOptions  # noqa: PLC0415
        from ..models.rejected_file import RejectedFile  # noqa: PLC0415

        d = dict(src_dict)
        metadata = MeshJobCreatedMetadata.from_dict(d.pop("metadata"))

        def _parse_end_user(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        end_user = _parse_end_user(d.pop("end_user"))

        id = d.pop("id")

        status = MeshJobCreatedStatus(d.pop("status"))

        progress = d.pop("progress")

        options = MeshOptions.from_dict(d.pop("options"))

        item_count = d.pop("item_count")

        items = []
        _items = d.pop("items")
        for items_item_data in _items:
            items_item = MeshItemOut.from_dict(items_item_data)

            items.append(items_item)

        def _parse_error(data: object) -> JobError | None:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                error_type_0 = JobError.from_dict(data)

                return error_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(JobError | None, data)

        error = _parse_error(d.pop("error"))

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        def _parse_started_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                started_at_type_0 = datetime.datetime.fromisoformat(data)

                return started_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        started_at = _parse_started_at(d.pop("started_at"))

        def _parse_finished_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                finished_at_type_0 = datetime.datetime.fromisoformat(data)

                return finished_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        finished_at = _parse_finished_at(d.pop("finished_at"))

        rejected = []
        _rejected = d.pop("rejected")
        for rejected_item_data in _rejected:
            rejected_item = RejectedFile.from_dict(rejected_item_data)

            rejected.append(rejected_item)

        mesh_job_created = cls(
            metadata=metadata,
            end_user=end_user,
            id=id,
            status=status,
            progress=progress,
            options=options,
            item_count=item_count,
            items=items,
            error=error,
            created_at=created_at,
            started_at=started_at,
            finished_at=finished_at,
            rejected=rejected,
        )

        mesh_job_created.additional_properties = d
        return mesh_job_created

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
