from __future__ import annotations

from collections.abc import Mapping
from io import BytesIO
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from .. import types
from ..models.meshes_create_body_texture import MeshesCreateBodyTexture
from ..types import UNSET, File, Unset

T = TypeVar("T", bound="MeshesCreateBody")


@_attrs_define
class MeshesCreateBody:
    """
    Attributes:
        files (list[File]): 1-25 photos (JPEG, PNG or WebP; validated like dataset uploads). Each accepted photo becomes
            one item.
        face_limit (int | Unset): Upper bound on each mesh's triangle count. Default: 10000.
        texture (MeshesCreateBodyTexture | Unset):  Default: MeshesCreateBodyTexture.STANDARD.
        pbr (bool | Unset): Also produce `pbr_model`. Default: False.
        seed (int | Unset):
        metadata (str | Unset): A JSON object of string → string: Your own key/value pairs (strings; at most 20 keys, a
            key at most 40 characters, a value at most 500). Returned as given; lists filter with `?metadata[key]=value`.
        end_user (str | Unset): Your app's id for the person who asked (at most 128 characters); lists filter with
            `?end_user=`.
    """

    files: list[File]
    face_limit: int | Unset = 10000
    texture: MeshesCreateBodyTexture | Unset = MeshesCreateBodyTexture.STANDARD
    pbr: bool | Unset = False
    seed: int | Unset = UNSET
    metadata: str | Unset = UNSET
    end_user: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        files = []
        for files_item_data in self.files:
            files_item = files_item_data.to_tuple()

            files.append(files_item)

        face_limit = self.face_limit

        texture: str | Unset = UNSET
        if not isinstance(self.texture, Unset):
            texture = self.texture.value

        pbr = self.pbr

        seed = self.seed

        metadata = self.metadata

        end_user = self.end_user

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "files": files,
            }
        )
        if face_limit is not UNSET:
            field_dict["face_limit"] = face_limit
        if texture is not UNSET:
            field_dict["texture"] = texture
        if pbr is not UNSET:
            field_dict["pbr"] = pbr
        if seed is not UNSET:
            field_dict["seed"] = seed
        if metadata is not UNSET:
            field_dict["metadata"] = metadata
        if end_user is not UNSET:
            field_dict["end_user"] = end_user

        return field_dict

    def to_multipart(self) -> types.RequestFiles:
        files: types.RequestFiles = []

        for files_item_element in self.files:
            files.append(("files", files_item_element.to_tuple()))

        if not isinstance(self.face_limit, Unset):
            files.append(("face_limit", (None, str(self.face_limit).encode(), "text/plain")))

        if not isinstance(self.texture, Unset):
            files.append(("texture", (None, str(self.texture.value).encode(), "text/plain")))

        if not isinstance(self.pbr, Unset):
            files.append(("pbr", (None, str(self.pbr).encode(), "text/plain")))

        if not isinstance(self.seed, Unset):
            files.append(("seed", (None, str(self.seed).encode(), "text/plain")))

        if not isinstance(self.metadata, Unset):
            files.append(("metadata", (None, str(self.metadata).encode(), "text/plain")))

        if not isinstance(self.end_user, Unset):
            files.append(("end_user", (None, str(self.end_user).encode(), "text/plain")))

        for prop_name, prop in self.additional_properties.items():
            files.append((prop_name, (None, str(prop).encode(), "text/plain")))

        return files

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        files = []
        _files = d.pop("files")
        for files_item_data in _files:
            files_item = File(payload=BytesIO(files_item_data))

            files.append(files_item)

        face_limit = d.pop("face_limit", UNSET)

        _texture = d.pop("texture", UNSET)
        texture: MeshesCreateBodyTexture | Unset
        if isinstance(_texture, Unset):
            texture = UNSET
        else:
            texture = MeshesCreateBodyTexture(_texture)

        pbr = d.pop("pbr", UNSET)

        seed = d.pop("seed", UNSET)

        metadata = d.pop("metadata", UNSET)

        end_user = d.pop("end_user", UNSET)

        meshes_create_body = cls(
            files=files,
            face_limit=face_limit,
            texture=texture,
            pbr=pbr,
            seed=seed,
            metadata=metadata,
            end_user=end_user,
        )

        meshes_create_body.additional_properties = d
        return meshes_create_body

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
