from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="LoraRef")


@_attrs_define
class LoraRef:
    """
    Attributes:
        model_id (str): One of your trained LoRAs (same base model as the others).
        scale (float | Unset): Strength of this LoRA. Default: 1.0.
    """

    model_id: str
    scale: float | Unset = 1.0

    def to_dict(self) -> dict[str, Any]:
        model_id = self.model_id

        scale = self.scale

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "model_id": model_id,
            }
        )
        if scale is not UNSET:
            field_dict["scale"] = scale

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        model_id = d.pop("model_id")

        scale = d.pop("scale", UNSET)

        lora_ref = cls(
            model_id=model_id,
            scale=scale,
        )

        return lora_ref
