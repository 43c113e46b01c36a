from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="VideoFile")


@_attrs_define
class VideoFile:
    """
    Attributes:
        url (str): Short-lived signed URL of the stored MP4.
        poster_url (str): Short-lived signed URL of the first frame (WebP).
        content_type (str):
        size_bytes (int):
        width (int):
        height (int):
        frames (int): Number of frames in the stored MP4.
        duration_s (float): `frames / fps`.
    """

    url: str
    poster_url: str
    content_type: str
    size_bytes: int
    width: int
    height: int
    frames: int
    duration_s: float
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        url = self.url

        poster_url = self.poster_url

        content_type = self.content_type

        size_bytes = self.size_bytes

        width = self.width

        height = self.height

        frames = self.frames

        duration_s = self.duration_s

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "url": url,
                "poster_url": poster_url,
                "content_type": content_type,
                "size_bytes": size_bytes,
                "width": width,
                "height": height,
                "frames": frames,
                "duration_s": duration_s,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        url = d.pop("url")

        poster_url = d.pop("poster_url")

        content_type = d.pop("content_type")

        size_bytes = d.pop("size_bytes")

        width = d.pop("width")

        height = d.pop("height")

        frames = d.pop("frames")

        duration_s = d.pop("duration_s")

        video_file = cls(
            url=url,
            poster_url=poster_url,
            content_type=content_type,
            size_bytes=size_bytes,
            width=width,
            height=height,
            frames=frames,
            duration_s=duration_s,
        )

        video_file.additional_properties = d
        return video_file

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
