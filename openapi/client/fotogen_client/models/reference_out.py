from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="ReferenceOut")


@_attrs_define
class ReferenceOut:
    """
    Attributes:
        generation_id (str):
        image_id (str):
        seed (int | None): The seed the reference was generated with (scenes reuse it before training).
        url (str): Short-lived signed URL of the stored image.
        thumbnail_url (str):
    """

    generation_id: str
    image_id: str
    seed: int | None
    url: str
    thumbnail_url: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        generation_id = self.generation_id

        image_id = self.image_id

        seed: int | None
        seed = self.seed

        url = self.url

        thumbnail_url = self.thumbnail_url

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "generation_id": generation_id,
                "image_id": image_id,
                "seed": seed,
                "url": url,
                "thumbnail_url": thumbnail_url,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        generation_id = d.pop("generation_id")

        image_id = d.pop("image_id")

        def _parse_seed(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        seed = _parse_seed(d.pop("seed"))

        url = d.pop("url")

        thumbnail_url = d.pop("thumbnail_url")

        reference_out = cls(
            generation_id=generation_id,
            image_id=image_id,
            seed=seed,
            url=url,
            thumbnail_url=thumbnail_url,
        )

        reference_out.additional_properties = d
        return reference_out

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
