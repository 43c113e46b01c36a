from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.image_ref import ImageRef
    from ..models.video_create_metadata import VideoCreateMetadata


T = TypeVar("T", bound="VideoCreate")


@_attrs_define
class VideoCreate:
    """
    Attributes:
        image (ImageRef): Exactly one of `upload_id`, `dataset_image_id`, `generation_image_id`.
        metadata (VideoCreateMetadata | Unset): Your own key/value pairs (strings; at most 20 keys, a key at most 40
            characters, a value at most 500). Returned as given; lists filter with `?metadata[key]=value`.
        end_user (None | str | Unset): Your app's id for the person who asked (at most 128 characters); lists filter
            with `?end_user=`.
        model_id (str | Unset): A video model. Default: 'mdl_stable_video_diffusion'.
        motion_bucket_id (int | None | Unset): More motion as it grows (127).
        cond_aug (float | None | Unset): Noise added to the image (0.02).
        fps (int | None | Unset): Frames per second of the MP4 (25).
        seed (int | None | Unset): Same seed + image → same video.
    """

    image: ImageRef
    metadata: VideoCreateMetadata | Unset = UNSET
    end_user: None | str | Unset = UNSET
    model_id: str | Unset = "mdl_stable_video_diffusion"
    motion_bucket_id: int | None | Unset = UNSET
    cond_aug: float | None | Unset = UNSET
    fps: int | None | Unset = UNSET
    seed: int | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        image = self.image.to_dict()

        metadata: dict[str, Any] | Unset = UNSET
        if not isinstance(self.metadata, Unset):
            metadata = self.metadata.to_dict()

        end_user: None | str | Unset
        if isinstance(self.end_user, Unset):
            end_user = UNSET
        else:
            end_user = self.end_user

        model_id = self.model_id

        motion_bucket_id: int | None | Unset
        if isinstance(self.motion_bucket_id, Unset):
            motion_bucket_id = UNSET
        else:
            motion_bucket_id = self.motion_bucket_id

        cond_aug: float | None | Unset
        if isinstance(self.cond_aug, Unset):
            cond_aug = UNSET
        else:
            cond_aug = self.cond_aug

        fps: int | None | Unset
        if isinstance(self.fps, Unset):
            fps = UNSET
        else:
            fps = self.fps

        seed: int | None | Unset
        if isinstance(self.seed, Unset):
            seed = UNSET
        else:
            seed = self.seed

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "image": image,
            }
        )
        if metadata is not UNSET:
            field_dict["metadata"] = metadata
        if end_user is not UNSET:
            field_dict["end_user"] = end_user
        if model_id is not UNSET:
            field_dict["model_id"] = model_id
        if motion_bucket_id is not UNSET:
            field_dict["motion_bucket_id"] = motion_bucket_id
        if cond_aug is not UNSET:
            field_dict["cond_aug"] = cond_aug
        if fps is not UNSET:
            field_dict["fps"] = fps
        if seed is not UNSET:
            field_dict["seed"] = seed

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.image_ref import ImageRef  # noqa: PLC0415
        from ..models.video_create_metadata import VideoCreateMetadata  # noqa: PLC0415

        d = dict(src_dict)
        image = ImageRef.from_dict(d.pop("image"))

        _metadata = d.pop("metadata", UNSET)
        metadata: VideoCreateMetadata | Unset
        if isinstance(_metadata, Unset):
            metadata = UNSET
        else:
            metadata = VideoCreateMetadata.from_dict(_metadata)

        def _parse_end_user(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        end_user = _parse_end_user(d.pop("end_user", UNSET))

        model_id = d.pop("model_id", UNSET)

        def _parse_motion_bucket_id(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        motion_bucket_id = _parse_motion_bucket_id(d.pop("motion_bucket_id", UNSET))

        def _parse_cond_aug(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        cond_aug = _parse_cond_aug(d.pop("cond_aug", UNSET))

        def _parse_fps(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        fps = _parse_fps(d.pop("fps", UNSET))

        def _parse_seed(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        seed = _parse_seed(d.pop("seed", UNSET))

        video_create = cls(
            image=image,
            metadata=metadata,
            end_user=end_user,
            model_id=model_id,
            motion_bucket_id=motion_bucket_id,
            cond_aug=cond_aug,
            fps=fps,
            seed=seed,
        )

        return video_create
