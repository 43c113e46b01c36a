from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="UploadOut")


@_attrs_define
class UploadOut:
    """
    Attributes:
        id (str): Use as `upload_id` in an image reference (`upl_…`).
        width (int): Width of the stored (upright) image.
        height (int):
        content_type (str):
        size_bytes (int): Size of the stored copy (re-encoded, metadata stripped).
        sha256 (str): SHA-256 of the stored copy (lowercase hex).
        expires_at (None | str): When it is deleted unless a job uses it first (RFC 3339); null once a job used it.
    """

    id: str
    width: int
    height: int
    content_type: str
    size_bytes: int
    sha256: str
    expires_at: None | str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        width = self.width

        height = self.height

        content_type = self.content_type

        size_bytes = self.size_bytes

        sha256 = self.sha256

        expires_at: None | str
        expires_at = self.expires_at

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "width": width,
                "height": height,
                "content_type": content_type,
                "size_bytes": size_bytes,
                "sha256": sha256,
                "expires_at": expires_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = d.pop("id")

        width = d.pop("width")

        height = d.pop("height")

        content_type = d.pop("content_type")

        size_bytes = d.pop("size_bytes")

        sha256 = d.pop("sha256")

        def _parse_expires_at(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        expires_at = _parse_expires_at(d.pop("expires_at"))

        upload_out = cls(
            id=id,
            width=width,
            height=height,
            content_type=content_type,
            size_bytes=size_bytes,
            sha256=sha256,
            expires_at=expires_at,
        )

        upload_out.additional_properties = d
        return upload_out

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
