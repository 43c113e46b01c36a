from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.credits_ import Credits
    from ..models.end_user_out_limit_overrides import EndUserOutLimitOverrides
    from ..models.limits import Limits
    from ..models.usage import Usage


T = TypeVar("T", bound="EndUserOut")


@_attrs_define
class EndUserOut:
    """
    Attributes:
        id (str): Your id for the person (the `end_user` of the jobs).
        credits_ (Credits):
        usage (Usage): What counts against each limit now: this UTC day's or month's work (failed and canceled jobs give
            theirs back), and the jobs not yet ended.
        limits (Limits): Per end user; `null` is unlimited. Days and months are UTC.
        limit_overrides (EndUserOutLimitOverrides): The overrides set with `PUT …/limits`.
        created_at (datetime.datetime):
    """

    id: str
    credits_: Credits
    usage: Usage
    limits: Limits
    limit_overrides: EndUserOutLimitOverrides
    created_at: datetime.datetime
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        credits_ = self.credits_.to_dict()

        usage = self.usage.to_dict()

        limits = self.limits.to_dict()

        limit_overrides = self.limit_overrides.to_dict()

        created_at = self.created_at.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "credits": credits_,
                "usage": usage,
                "limits": limits,
                "limit_overrides": limit_overrides,
                "created_at": created_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.credits_ import Credits  # noqa: PLC0415
        from ..models.end_user_out_limit_overrides import EndUserOutLimitOverrides  # noqa: PLC0415
        from ..models.limits import Limits  # noqa: PLC0415
        from ..models.usage import Usage  # noqa: PLC0415

        d = dict(src_dict)
        id = d.pop("id")

        credits_ = Credits.from_dict(d.pop("credits"))

        usage = Usage.from_dict(d.pop("usage"))

        limits = Limits.from_dict(d.pop("limits"))

        limit_overrides = EndUserOutLimitOverrides.from_dict(d.pop("limit_overrides"))

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        end_user_out = cls(
            id=id,
            credits_=credits_,
            usage=usage,
            limits=limits,
            limit_overrides=limit_overrides,
            created_at=created_at,
        )

        end_user_out.additional_properties = d
        return end_user_out

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
