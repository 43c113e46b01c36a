from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.limits import Limits
    from ..models.moderation import Moderation
    from ..models.prices import Prices


T = TypeVar("T", bound="Policy")


@_attrs_define
class Policy:
    """
    Attributes:
        prices (Prices | Unset): Credits per unit of work.
        credits_required (bool | Unset): Charge credits: a chargeable create must name an `end_user` (422
            `end_user_required`) who has enough (402 `insufficient_credits`). When false no credits move and only limits
            apply. Default: False.
        limits (Limits | Unset): Per end user; `null` is unlimited. Days and months are UTC.
        moderation (Moderation | Unset):
    """

    prices: Prices | Unset = UNSET
    credits_required: bool | Unset = False
    limits: Limits | Unset = UNSET
    moderation: Moderation | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        prices: dict[str, Any] | Unset = UNSET
        if not isinstance(self.prices, Unset):
            prices = self.prices.to_dict()

        credits_required = self.credits_required

        limits: dict[str, Any] | Unset = UNSET
        if not isinstance(self.limits, Unset):
            limits = self.limits.to_dict()

        moderation: dict[str, Any] | Unset = UNSET
        if not isinstance(self.moderation, Unset):
            moderation = self.moderation.to_dict()

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if prices is not UNSET:
            field_dict["prices"] = prices
        if credits_required is not UNSET:
            field_dict["credits_required"] = credits_required
        if limits is not UNSET:
            field_dict["limits"] = limits
        if moderation is not UNSET:
            field_dict["moderation"] = moderation

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.limits import Limits  # noqa: PLC0415
        from ..models.moderation import Moderation  # noqa: PLC0415
        from ..models.prices import Prices  # noqa: PLC0415

        d = dict(src_dict)
        _prices = d.pop("prices", UNSET)
        prices: Prices | Unset
        if isinstance(_prices, Unset):
            prices = UNSET
        else:
            prices = Prices.from_dict(_prices)

        credits_required = d.pop("credits_required", UNSET)

        _limits = d.pop("limits", UNSET)
        limits: Limits | Unset
        if isinstance(_limits, Unset):
            limits = UNSET
        else:
            limits = Limits.from_dict(_limits)

        _moderation = d.pop("moderation", UNSET)
        moderation: Moderation | Unset
        if isinstance(_moderation, Unset):
            moderation = UNSET
        else:
            moderation = Moderation.from_dict(_moderation)

        policy = cls(
            prices=prices,
            credits_required=credits_required,
            limits=limits,
            moderation=moderation,
        )

        return policy
