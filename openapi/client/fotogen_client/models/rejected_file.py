from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="RejectedFile")


@_attrs_define
class RejectedFile:
    """
    Attributes:
        filename (str): The part's file name, sanitised for display.
        code (str): Why it was refused: `unsupported_format`, `corrupt_image`, `image_too_large`, `image_too_small`,
            `file_too_large`, `unsupported_image_mode`, `duplicate_image`, `dataset_full`, `unexpected_field`,
            `caption_too_large`, `invalid_caption`, `duplicate_caption`, `caption_without_image`, `image_not_in_generation`.
        detail (str):
    """

    filename: str
    code: str
    detail: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        filename = self.filename

        code = self.code

        detail = self.detail

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "filename": filename,
                "code": code,
                "detail": detail,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        filename = d.pop("filename")

        code = d.pop("code")

        detail = d.pop("detail")

        rejected_file = cls(
            filename=filename,
            code=code,
            detail=detail,
        )

        rejected_file.additional_properties = d
        return rejected_file

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
