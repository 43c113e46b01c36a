from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.mode_out_name import ModeOutName

if TYPE_CHECKING:
    from ..models.mode_out_params_schema import ModeOutParamsSchema


T = TypeVar("T", bound="ModeOut")


@_attrs_define
class ModeOut:
    """
    Attributes:
        name (ModeOutName): The `mode` of a generation (or `image_to_video` for a video model).
        endpoint (str): The provider endpoint this mode runs on.
        params_schema (ModeOutParamsSchema): JSON Schema of the parameters this mode takes (top-level request fields),
            with their ranges and defaults; anything else is refused with 422 `param_not_supported`.
        loras (bool): Whether this mode takes LoRAs (`loras`, or a LoRA as `model_id`).
    """

    name: ModeOutName
    endpoint: str
    params_schema: ModeOutParamsSchema
    loras: bool
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        name = self.name.value

        endpoint = self.endpoint

        params_schema = self.params_schema.to_dict()

        loras = self.loras

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "name": name,
                "endpoint": endpoint,
                "params_schema": params_schema,
                "loras": loras,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.mode_out_params_schema import ModeOutParamsSchema  # noqa: PLC0415

        d = dict(src_dict)
        name = ModeOutName(d.pop("name"))

        endpoint = d.pop("endpoint")

        params_schema = ModeOutParamsSchema.from_dict(d.pop("params_schema"))

        loras = d.pop("loras")

        mode_out = cls(
            name=name,
            endpoint=endpoint,
            params_schema=params_schema,
            loras=loras,
        )

        mode_out.additional_properties = d
        return mode_out

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
