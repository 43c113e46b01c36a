from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="ReferencesCreate")


@_attrs_define
class ReferencesCreate:
    """
    Attributes:
        num_images (int | Unset): Candidates to choose from. Default: 4.
        seed (int | None | Unset): A new random seed on every call unless given.
    """

    num_images: int | Unset = 4
    seed: int | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        num_images = self.num_images

        seed: int | None | Unset
        if isinstance(self.seed, Unset):
            seed = UNSET
        else:
            seed = self.seed

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if num_images is not UNSET:
            field_dict["num_images"] = num_images
        if seed is not UNSET:
            field_dict["seed"] = seed

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        num_images = d.pop("num_images", UNSET)

        def _parse_seed(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        seed = _parse_seed(d.pop("seed", UNSET))

        references_create = cls(
            num_images=num_images,
            seed=seed,
        )

        return references_create
