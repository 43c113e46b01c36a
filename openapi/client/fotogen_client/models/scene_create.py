from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.scene_create_image_size_type_0 import SceneCreateImageSizeType0
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.image_size import ImageSize
    from ..models.scene_create_metadata import SceneCreateMetadata


T = TypeVar("T", bound="SceneCreate")


@_attrs_define
class SceneCreate:
    """
    Attributes:
        scene (str):
        num_images (int | None | Unset):
        image_size (ImageSize | None | SceneCreateImageSizeType0 | Unset):
        seed (int | None | Unset): Before training the reference's seed is used unless given.
        end_user (None | str | Unset): Defaults to the character's `end_user`.
        metadata (SceneCreateMetadata | Unset): Your own key/value pairs (strings; at most 20 keys, a key at most 40
            characters, a value at most 500). Returned as given; lists filter with `?metadata[key]=value`.
    """

    scene: str
    num_images: int | None | Unset = UNSET
    image_size: ImageSize | None | SceneCreateImageSizeType0 | Unset = UNSET
    seed: int | None | Unset = UNSET
    end_user: None | str | Unset = UNSET
    metadata: SceneCreateMetadata | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        from ..models.image_size import ImageSize  # noqa: PLC0415

        scene = self.scene

        num_images: int | None | Unset
        if isinstance(self.num_images, Unset):
            num_images = UNSET
        else:
            num_images = self.num_images

        image_size: dict[str, Any] | None | str | Unset
        if isinstance(self.image_size, Unset):
            image_size = UNSET
        elif isinstance(self.image_size, SceneCreateImageSizeType0):
            image_size = self.image_size.value
        elif isinstance(self.image_size, ImageSize):
            image_size = self.image_size.to_dict()
        else:
            image_size = self.image_size

        seed: int | None | Unset
        if isinstance(self.seed, Unset):
            seed = UNSET
        else:
            seed = self.seed

        end_user: None | str | Unset
        if isinstance(self.end_user, Unset):
            end_user = UNSET
        else:
            end_user = self.end_user

        metadata: dict[str, Any] | Unset = UNSET
        if not isinstance(self.metadata, Unset):
            metadata = self.metadata.to_dict()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "scene": scene,
            }
        )
        if num_images is not UNSET:
            field_dict["num_images"] = num_images
        if image_size is not UNSET:
            field_dict["image_size"] = image_size
        if seed is not UNSET:
            field_dict["seed"] = seed
        if end_user is not UNSET:
            field_dict["end_user"] = end_user
        if metadata is not UNSET:
            field_dict["metadata"] = metadata

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.image_size import ImageSize  # noqa: PLC0415
        from ..models.scene_create_metadata import SceneCreateMetadata  # noqa: PLC0415

        d = dict(src_dict)
        scene = d.pop("scene")

        def _parse_num_images(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        num_images = _parse_num_images(d.pop("num_images", UNSET))

        def _parse_image_size(data: object) -> ImageSize | None | SceneCreateImageSizeType0 | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                image_size_type_0 = SceneCreateImageSizeType0(data)

                return image_size_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                image_size_type_1 = ImageSize.from_dict(data)

                return image_size_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(ImageSize | None | SceneCreateImageSizeType0 | Unset, data)

        image_size = _parse_image_size(d.pop("image_size", UNSET))

        def _parse_seed(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        seed = _parse_seed(d.pop("seed", UNSET))

        def _parse_end_user(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        end_user = _parse_end_user(d.pop("end_user", UNSET))

        _metadata = d.pop("metadata", UNSET)
        metadata: SceneCreateMetadata | Unset
        if isinstance(_metadata, Unset):
            metadata = UNSET
        else:
            metadata = SceneCreateMetadata.from_dict(_metadata)

        scene_create = cls(
            scene=scene,
            num_images=num_images,
            image_size=image_size,
            seed=seed,
            end_user=end_user,
            metadata=metadata,
        )

        return scene_create
