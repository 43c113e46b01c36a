from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.stream_token_out_scope import StreamTokenOutScope
from ..types import UNSET, Unset

T = TypeVar("T", bound="StreamTokenOut")


@_attrs_define
class StreamTokenOut:
    """
    Attributes:
        token (str): Pass as `?token=` to a `/stream` endpoint. Useless on every other route.
        expires_at (datetime.datetime):
        scope (StreamTokenOutScope): `owner`: all your streams; `job`: that job's only; `character`: that character's
            only.
        job_id (None | str | Unset):
        character_id (None | str | Unset):
    """

    token: str
    expires_at: datetime.datetime
    scope: StreamTokenOutScope
    job_id: None | str | Unset = UNSET
    character_id: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        token = self.token

        expires_at = self.expires_at.isoformat()

        scope = self.scope.value

        job_id: None | str | Unset
        if isinstance(self.job_id, Unset):
            job_id = UNSET
        else:
            job_id = self.job_id

        character_id: None | str | Unset
        if isinstance(self.character_id, Unset):
            character_id = UNSET
        else:
            character_id = self.character_id

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "token": token,
                "expires_at": expires_at,
                "scope": scope,
            }
        )
        if job_id is not UNSET:
            field_dict["job_id"] = job_id
        if character_id is not UNSET:
            field_dict["character_id"] = character_id

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        token = d.pop("token")

        expires_at = datetime.datetime.fromisoformat(d.pop("expires_at"))

        scope = StreamTokenOutScope(d.pop("scope"))

        def _parse_job_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        job_id = _parse_job_id(d.pop("job_id", UNSET))

        def _parse_character_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        character_id = _parse_character_id(d.pop("character_id", UNSET))

        stream_token_out = cls(
            token=token,
            expires_at=expires_at,
            scope=scope,
            job_id=job_id,
            character_id=character_id,
        )

        stream_token_out.additional_properties = d
        return stream_token_out

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
