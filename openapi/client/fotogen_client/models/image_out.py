from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.image_out_content_type import ImageOutContentType

T = TypeVar("T", bound="ImageOut")


@_attrs_define
class ImageOut:
    """
    Attributes:
        id (str):
        dataset_id (str):
        filename (str): The uploaded file name, sanitised for display (never a storage key).
        content_type (ImageOutContentType):
        width (int): Width of the stored (upright) image.
        height (int): Height of the stored (upright) image.
        size_bytes (int): Size of the stored copy (re-encoded, metadata stripped).
        sha256 (str): SHA-256 of the stored copy (lowercase hex).
        caption (None | str):
        url (str): Short-lived signed URL of the stored image.
        created_at (datetime.datetime):
    """

    id: str
    dataset_id: str
    filename: str
    content_type: ImageOutContentType
    width: int
    height: int
    size_bytes: int
    sha256: str
    caption: None | str
    url: str
    created_at: datetime.datetime
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        dataset_id = self.dataset_id

        filename = self.filename

        content_type = self.content_type.value

        width = self.width

        height = self.height

        size_bytes = self.size_bytes

        sha256 = self.sha256

        caption: None | str
        caption = self.caption

        url = self.url

        created_at = self.created_at.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "dataset_id": dataset_id,
                "filename": filename,
                "content_type": content_type,
                "width": width,
                "height": height,
                "size_bytes": size_bytes,
                "sha256": sha256,
                "caption": caption,
                "url": url,
                "created_at": created_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = d.pop("id")

        dataset_id = d.pop("dataset_id")

        filename = d.pop("filename")

        content_type = ImageOutContentType(d.pop("content_type"))

        width = d.pop("width")

        height = d.pop("height")

        size_bytes = d.pop("size_bytes")

        sha256 = d.pop("sha256")

        def _parse_caption(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        caption = _parse_caption(d.pop("caption"))

        url = d.pop("url")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        image_out = cls(
            id=id,
            dataset_id=dataset_id,
            filename=filename,
            content_type=content_type,
            width=width,
            height=height,
            size_bytes=size_bytes,
            sha256=sha256,
            caption=caption,
            url=url,
            created_at=created_at,
        )

        image_out.additional_properties = d
        return image_out

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
