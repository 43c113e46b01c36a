from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="ImageRef")


@_attrs_define
class ImageRef:
    """Exactly one of `upload_id`, `dataset_image_id`, `generation_image_id`.

    Attributes:
        upload_id (None | str | Unset): An upload (`upl_…`).
        dataset_image_id (None | str | Unset): A dataset image (`img_…`).
        generation_image_id (None | str | Unset): An image of a generation (`gim_…`).
    """

    upload_id: None | str | Unset = UNSET
    dataset_image_id: None | str | Unset = UNSET
    generation_image_id: None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        upload_id: None | str | Unset
        if isinstance(self.upload_id, Unset):
            upload_id = UNSET
        else:
            upload_id = self.upload_id

        dataset_image_id: None | str | Unset
        if isinstance(self.dataset_image_id, Unset):
            dataset_image_id = UNSET
        else:
            dataset_image_id = self.dataset_image_id

        generation_image_id: None | str | Unset
        if isinstance(self.generation_image_id, Unset):
            generation_image_id = UNSET
        else:
            generation_image_id = self.generation_image_id

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if upload_id is not UNSET:
            field_dict["upload_id"] = upload_id
        if dataset_image_id is not UNSET:
            field_dict["dataset_image_id"] = dataset_image_id
        if generation_image_id is not UNSET:
            field_dict["generation_image_id"] = generation_image_id

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)

        def _parse_upload_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        upload_id = _parse_upload_id(d.pop("upload_id", UNSET))

        def _parse_dataset_image_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        dataset_image_id = _parse_dataset_image_id(d.pop("dataset_image_id", UNSET))

        def _parse_generation_image_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        generation_image_id = _parse_generation_image_id(d.pop("generation_image_id", UNSET))

        image_ref = cls(
            upload_id=upload_id,
            dataset_image_id=dataset_image_id,
            generation_image_id=generation_image_id,
        )

        return image_ref
