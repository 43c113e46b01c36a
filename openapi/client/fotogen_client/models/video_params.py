from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="VideoParams")


@_attrs_define
class VideoParams:
    """
    Attributes:
        motion_bucket_id (int | Unset): More motion as it grows. Default: 127.
        cond_aug (float | Unset): Noise added to the init image. Default: 0.02.
        fps (int | Unset): Frames per second of the MP4. Default: 25.
        seed (int | None | Unset):
    """

    motion_bucket_id: int | Unset = 127
    cond_aug: float | Unset = 0.02
    fps: int | Unset = 25
    seed: int | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        motion_bucket_id = self.motion_bucket_id

        cond_aug = self.cond_aug

        fps = self.fps

        seed: int | None | Unset
        if isinstance(self.seed, Unset):
            seed = UNSET
        else:
            seed = self.seed

        field_dict: dict[str, Any] = {}

        field_dict.update({})
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
        d = dict(src_dict)
        motion_bucket_id = d.pop("motion_bucket_id", UNSET)

        cond_aug = d.pop("cond_aug", UNSET)

        fps = d.pop("fps", UNSET)

        def _parse_seed(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        seed = _parse_seed(d.pop("seed", UNSET))

        video_params = cls(
            motion_bucket_id=motion_bucket_id,
            cond_aug=cond_aug,
            fps=fps,
            seed=seed,
        )

        return video_params
