from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="ProblemCodeOut")


@_attrs_define
class ProblemCodeOut:
    """One error code.

    Attributes:
        code (str):
        type_ (str): The `type` URI problem documents with this code carry.
        status (int | None): The HTTP status; null for a per-file or per-field code.
        title (str):
        description (str):
    """

    code: str
    type_: str
    status: int | None
    title: str
    description: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        code = self.code

        type_ = self.type_

        status: int | None
        status = self.status

        title = self.title

        description = self.description

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "code": code,
                "type": type_,
                "status": status,
                "title": title,
                "description": description,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        code = d.pop("code")

        type_ = d.pop("type")

        def _parse_status(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        status = _parse_status(d.pop("status"))

        title = d.pop("title")

        description = d.pop("description")

        problem_code_out = cls(
            code=code,
            type_=type_,
            status=status,
            title=title,
            description=description,
        )

        problem_code_out.additional_properties = d
        return problem_code_out

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
