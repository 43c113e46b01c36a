from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="FromGeneration")


@_attrs_define
class FromGeneration:
    """
    Attributes:
        generation_id (str): One of your succeeded generations (`gen_…`).
        image_ids (list[str] | None | Unset): Which of its images (`gim_…`); all of them when omitted. An id not in the
            generation is listed in `rejected` (`image_not_in_generation`).
    """

    generation_id: str
    image_ids: list[str] | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        generation_id = self.generation_id

        image_ids: list[str] | None | Unset
        if isinstance(self.image_ids, Unset):
            image_ids = UNSET
        elif isinstance(self.image_ids, list):
            image_ids = self.image_ids

        else:
            image_ids = self.image_ids

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "generation_id": generation_id,
            }
        )
        if image_ids is not UNSET:
            field_dict["image_ids"] = image_ids

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        generation_id = d.pop("generation_id")

        def _parse_image_ids(data: object) -> list[str] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                image_ids_type_0 = cast(list[str], data)

                return image_ids_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[str] | None | Unset, data)

        image_ids = _parse_image_ids(d.pop("image_ids", UNSET))

        from_generation = cls(
            generation_id=generation_id,
            image_ids=image_ids,
        )

        return from_generation
