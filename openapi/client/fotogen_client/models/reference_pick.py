from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="ReferencePick")


@_attrs_define
class ReferencePick:
    """
    Attributes:
        generation_id (str): One of the character's reference generations.
        image_id (str): The chosen image of it (`gim_…`).
    """

    generation_id: str
    image_id: str

    def to_dict(self) -> dict[str, Any]:
        generation_id = self.generation_id

        image_id = self.image_id

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "generation_id": generation_id,
                "image_id": image_id,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        generation_id = d.pop("generation_id")

        image_id = d.pop("image_id")

        reference_pick = cls(
            generation_id=generation_id,
            image_id=image_id,
        )

        return reference_pick
