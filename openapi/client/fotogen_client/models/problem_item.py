from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="ProblemItem")


@_attrs_define
class ProblemItem:
    """One field or per-file problem.

    Attributes:
        code (str):
        detail (str):
        loc (list[int | str] | None | Unset):
        filename (None | str | Unset):
    """

    code: str
    detail: str
    loc: list[int | str] | None | Unset = UNSET
    filename: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        code = self.code

        detail = self.detail

        loc: list[int | str] | None | Unset
        if isinstance(self.loc, Unset):
            loc = UNSET
        elif isinstance(self.loc, list):
            loc = []
            for loc_type_0_item_data in self.loc:
                loc_type_0_item: int | str
                loc_type_0_item = loc_type_0_item_data
                loc.append(loc_type_0_item)

        else:
            loc = self.loc

        filename: None | str | Unset
        if isinstance(self.filename, Unset):
            filename = UNSET
        else:
            filename = self.filename

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "code": code,
                "detail": detail,
            }
        )
        if loc is not UNSET:
            field_dict["loc"] = loc
        if filename is not UNSET:
            field_dict["filename"] = filename

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        code = d.pop("code")

        detail = d.pop("detail")

        def _parse_loc(data: object) -> list[int | str] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                loc_type_0 = []
                _loc_type_0 = data
                for loc_type_0_item_data in _loc_type_0:

                    def _parse_loc_type_0_item(data: object) -> int | str:
                        return cast(int | str, data)

                    loc_type_0_item = _parse_loc_type_0_item(loc_type_0_item_data)

                    loc_type_0.append(loc_type_0_item)

                return loc_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[int | str] | None | Unset, data)

        loc = _parse_loc(d.pop("loc", UNSET))

        def _parse_filename(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        filename = _parse_filename(d.pop("filename", UNSET))

        problem_item = cls(
            code=code,
            detail=detail,
            loc=loc,
            filename=filename,
        )

        problem_item.additional_properties = d
        return problem_item

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
