from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.mesh_file_kind import MeshFileKind

T = TypeVar("T", bound="MeshFile")


@_attrs_define
class MeshFile:
    """
    Attributes:
        kind (MeshFileKind): `model_mesh` (.glb), `pbr_model` (.glb, with `pbr`), `base_model` (.glb, untextured
            geometry) or `rendered_image` (PNG preview) — whichever the provider returned.
        content_type (str):
        size_bytes (int):
        url (str): Short-lived signed download URL.
    """

    kind: MeshFileKind
    content_type: str
    size_bytes: int
    url: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        kind = self.kind.value

        content_type = self.content_type

        size_bytes = self.size_bytes

        url = self.url

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "kind": kind,
                "content_type": content_type,
                "size_bytes": size_bytes,
                "url": url,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        kind = MeshFileKind(d.pop("kind"))

        content_type = d.pop("content_type")

        size_bytes = d.pop("size_bytes")

        url = d.pop("url")

        mesh_file = cls(
            kind=kind,
            content_type=content_type,
            size_bytes=size_bytes,
            url=url,
        )

        mesh_file.additional_properties = d
        return mesh_file

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
