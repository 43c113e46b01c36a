from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="Prices")


@_attrs_define
class Prices:
    """Credits per unit of work.

    Attributes:
        generation_image (int | Unset): Per image asked for. Default: 1.
        training (int | Unset): Per training. Default: 20.
        mesh_item (int | Unset): Per mesh item (one input image). Default: 5.
        video (int | Unset): Per video. Default: 10.
    """

    generation_image: int | Unset = 1
    training: int | Unset = 20
    mesh_item: int | Unset = 5
    video: int | Unset = 10

    def to_dict(self) -> dict[str, Any]:
        generation_image = self.generation_image

        training = self.training

        mesh_item = self.mesh_item

        video = self.video

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if generation_image is not UNSET:
            field_dict["generation_image"] = generation_image
        if training is not UNSET:
            field_dict["training"] = training
        if mesh_item is not UNSET:
            field_dict["mesh_item"] = mesh_item
        if video is not UNSET:
            field_dict["video"] = video

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        generation_image = d.pop("generation_image", UNSET)

        training = d.pop("training", UNSET)

        mesh_item = d.pop("mesh_item", UNSET)

        video = d.pop("video", UNSET)

        prices = cls(
            generation_image=generation_image,
            training=training,
            mesh_item=mesh_item,
            video=video,
        )

        return prices
