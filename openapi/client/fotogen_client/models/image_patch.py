from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

T = TypeVar("T", bound="ImagePatch")


@_attrs_define
class ImagePatch:
    """
    Attributes:
        caption (None | str): New caption; null or empty clears it.
    """

    caption: None | str

    def to_dict(self) -> dict[str, Any]:
        caption: None | str
        caption = self.caption

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "caption": caption,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)

        def _parse_caption(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        caption = _parse_caption(d.pop("caption"))

        image_patch = cls(
            caption=caption,
        )

        return image_patch
