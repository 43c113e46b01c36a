from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.mesh_options_texture import MeshOptionsTexture
from ..types import UNSET, Unset

T = TypeVar("T", bound="MeshOptions")


@_attrs_define
class MeshOptions:
    """The multipart form fields of `POST /v1/meshes` (every one optional).

    Attributes:
        face_limit (int | Unset): Upper bound on the triangle count of each generated mesh. Default: 10000.
        texture (MeshOptionsTexture | Unset): Texture quality: `no`, `standard` or `HD`. Default:
            MeshOptionsTexture.STANDARD.
        pbr (bool | Unset): Also produce a mesh with PBR materials (`pbr_model`). Default: False.
        seed (int | None | Unset): Geometry seed; the same seed and photo give the same mesh.
    """

    face_limit: int | Unset = 10000
    texture: MeshOptionsTexture | Unset = MeshOptionsTexture.STANDARD
    pbr: bool | Unset = False
    seed: int | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        face_limit = self.face_limit

        texture: str | Unset = UNSET
        if not isinstance(self.texture, Unset):
            texture = self.texture.value

        pbr = self.pbr

        seed: int | None | Unset
        if isinstance(self.seed, Unset):
            seed = UNSET
        else:
            seed = self.seed

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if face_limit is not UNSET:
            field_dict["face_limit"] = face_limit
        if texture is not UNSET:
            field_dict["texture"] = texture
        if pbr is not UNSET:
            field_dict["pbr"] = pbr
        if seed is not UNSET:
            field_dict["seed"] = seed

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        face_limit = d.pop("face_limit", UNSET)

        _texture = d.pop("texture", UNSET)
        texture: MeshOptionsTexture | Unset
        if isinstance(_texture, Unset):
            texture = UNSET
        else:
            texture = MeshOptionsTexture(_texture)

        pbr = d.pop("pbr", UNSET)

        def _parse_seed(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        seed = _parse_seed(d.pop("seed", UNSET))

        mesh_options = cls(
            face_limit=face_limit,
            texture=texture,
            pbr=pbr,
            seed=seed,
        )

        return mesh_options
