from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.mesh_item_out_status import MeshItemOutStatus

if TYPE_CHECKING:
    from ..models.job_error import JobError
    from ..models.mesh_file import MeshFile


T = TypeVar("T", bound="MeshItemOut")


@_attrs_define
class MeshItemOut:
    """
    Attributes:
        id (str):
        index (int): Position of the photo in the upload (0-based, accepted files only).
        filename (str): The uploaded file's name, sanitised for display.
        status (MeshItemOutStatus):
        error (JobError | None):
        files (list[MeshFile]):
        started_at (datetime.datetime | None):
        finished_at (datetime.datetime | None):
    """

    id: str
    index: int
    filename: str
    status: MeshItemOutStatus
    error: JobError | None
    files: list[MeshFile]
    started_at: datetime.datetime | None
    finished_at: datetime.datetime | None
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.job_error import JobError  # noqa: PLC0415

        id = self.id

        index = self.index

        filename = self.filename

        status = self.status.value

        error: dict[str, Any] | None
        if isinstance(self.error, JobError):
            error = self.error.to_dict()
        else:
            error = self.error

        files = []
        for files_item_data in self.files:
            files_item = files_item_data.to_dict()
            files.append(files_item)

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

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "index": index,
                "filename": filename,
                "status": status,
                "error": error,
                "files": files,
                "started_at": started_at,
                "finished_at": finished_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.job_error import JobError  # noqa: PLC0415
        from ..models.mesh_file import MeshFile  # noqa: PLC0415

        d = dict(src_dict)
        id = d.pop("id")

        index = d.pop("index")

        filename = d.pop("filename")

        status = MeshItemOutStatus(d.pop("status"))

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

        files = []
        _files = d.pop("files")
        for files_item_data in _files:
            files_item = MeshFile.from_dict(files_item_data)

            files.append(files_item)

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

        mesh_item_out = cls(
            id=id,
            index=index,
            filename=filename,
            status=status,
            error=error,
            files=files,
            started_at=started_at,
            finished_at=finished_at,
        )

        mesh_item_out.additional_properties = d
        return mesh_item_out

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
