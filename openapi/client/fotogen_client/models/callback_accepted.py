from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="CallbackAccepted")


@_attrs_define
class CallbackAccepted:
    """
    Attributes:
        received (bool | Unset):  Default: True.
        job_type (None | str | Unset):
        job_id (None | str | Unset):
        reconciling (bool | Unset):  Default: False.
        duplicate (bool | Unset): This signed delivery was already received: nothing changed. Default: False.
    """

    received: bool | Unset = True
    job_type: None | str | Unset = UNSET
    job_id: None | str | Unset = UNSET
    reconciling: bool | Unset = False
    duplicate: bool | Unset = False
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        received = self.received

        job_type: None | str | Unset
        if isinstance(self.job_type, Unset):
            job_type = UNSET
        else:
            job_type = self.job_type

        job_id: None | str | Unset
        if isinstance(self.job_id, Unset):
            job_id = UNSET
        else:
            job_id = self.job_id

        reconciling = self.reconciling

        duplicate = self.duplicate

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if received is not UNSET:
            field_dict["received"] = received
        if job_type is not UNSET:
            field_dict["job_type"] = job_type
        if job_id is not UNSET:
            field_dict["job_id"] = job_id
        if reconciling is not UNSET:
            field_dict["reconciling"] = reconciling
        if duplicate is not UNSET:
            field_dict["duplicate"] = duplicate

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        received = d.pop("received", UNSET)

        def _parse_job_type(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        job_type = _parse_job_type(d.pop("job_type", UNSET))

        def _parse_job_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        job_id = _parse_job_id(d.pop("job_id", UNSET))

        reconciling = d.pop("reconciling", UNSET)

        duplicate = d.pop("duplicate", UNSET)

        callback_accepted = cls(
            received=received,
            job_type=job_type,
            job_id=job_id,
            reconciling=reconciling,
            duplicate=duplicate,
        )

        callback_accepted.additional_properties = d
        return callback_accepted

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
