from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.trainer_out_name import TrainerOutName

if TYPE_CHECKING:
    from ..models.trainer_out_params_schema import TrainerOutParamsSchema


T = TypeVar("T", bound="TrainerOut")


@_attrs_define
class TrainerOut:
    """A trainer that can fine-tune a base model, with the inputs it takes.

    Attributes:
        name (TrainerOutName): What `POST /v1/trainings` takes as `trainer`.
        endpoint (str): The Fal endpoint that trains.
        min_images (int): Fewest dataset images it accepts.
        can_resume (bool): Whether it can continue an existing LoRA (`resume_from_model_id`).
        params_schema (TrainerOutParamsSchema): JSON Schema of `params` on `POST /v1/trainings`: Fal's published input
            schema for the endpoint (fields, ranges, defaults), minus the inputs FotoGen fills (images, trigger word,
            resume).
    """

    name: TrainerOutName
    endpoint: str
    min_images: int
    can_resume: bool
    params_schema: TrainerOutParamsSchema
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        name = self.name.value

        endpoint = self.endpoint

        min_images = self.min_images

        can_resume = self.can_resume

        params_schema = self.params_schema.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "name": name,
                "endpoint": endpoint,
                "min_images": min_images,
                "can_resume": can_resume,
                "params_schema": params_schema,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.trainer_out_params_schema import TrainerOutParamsSchema  # noqa: PLC0415

        d = dict(src_dict)
        name = TrainerOutName(d.pop("name"))

        endpoint = d.pop("endpoint")

        min_images = d.pop("min_images")

        can_resume = d.pop("can_resume")

        params_schema = TrainerOutParamsSchema.from_dict(d.pop("params_schema"))

        trainer_out = cls(
            name=name,
            endpoint=endpoint,
            min_images=min_images,
            can_resume=can_resume,
            params_schema=params_schema,
        )

        trainer_out.additional_properties = d
        return trainer_out

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
