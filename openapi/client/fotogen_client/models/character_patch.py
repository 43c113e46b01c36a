from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.character_patch_metadata_type_0 import CharacterPatchMetadataType0


T = TypeVar("T", bound="CharacterPatch")


@_attrs_define
class CharacterPatch:
    """
    Attributes:
        name (None | str | Unset):
        description (None | str | Unset):
        art_style (None | str | Unset): `null` removes it.
        style_modifiers (list[str] | None | Unset):
        metadata (CharacterPatchMetadataType0 | None | Unset):
    """

    name: None | str | Unset = UNSET
    description: None | str | Unset = UNSET
    art_style: None | str | Unset = UNSET
    style_modifiers: list[str] | None | Unset = UNSET
    metadata: CharacterPatchMetadataType0 | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        from ..models.character_patch_metadata_type_0 import CharacterPatchMetadataType0  # noqa: PLC0415

        name: None | str | Unset
        if isinstance(self.name, Unset):
            name = UNSET
        else:
            name = self.name

        description: None | str | Unset
        if isinstance(self.description, Unset):
            description = UNSET
        else:
            description = self.description

        art_style: None | str | Unset
        if isinstance(self.art_style, Unset):
            art_style = UNSET
        else:
            art_style = self.art_style

        style_modifiers: list[str] | None | Unset
        if isinstance(self.style_modifiers, Unset):
            style_modifiers = UNSET
        elif isinstance(self.style_modifiers, list):
            style_modifiers = self.style_modifiers

        else:
            style_modifiers = self.style_modifiers

        metadata: dict[str, Any] | None | Unset
        if isinstance(self.metadata, Unset):
            metadata = UNSET
        elif isinstance(self.metadata, CharacterPatchMetadataType0):
            metadata = self.metadata.to_dict()
        else:
            metadata = self.metadata

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if name is not UNSET:
            field_dict["name"] = name
        if description is not UNSET:
            field_dict["description"] = description
        if art_style is not UNSET:
            field_dict["art_style"] = art_style
        if style_modifiers is not UNSET:
            field_dict["style_modifiers"] = style_modifiers
        if metadata is not UNSET:
            field_dict["metadata"] = metadata

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.character_patch_metadata_type_0 import CharacterPatchMetadataType0  # noqa: PLC0415

        d = dict(src_dict)

        def _parse_name(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        name = _parse_name(d.pop("name", UNSET))

        def _parse_description(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        description = _parse_description(d.pop("description", UNSET))

        def _parse_art_style(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        art_style = _parse_art_style(d.pop("art_style", UNSET))

        def _parse_style_modifiers(data: object) -> list[str] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                style_modifiers_type_0 = cast(list[str], data)

                return style_modifiers_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[str] | None | Unset, data)

        style_modifiers = _parse_style_modifiers(d.pop("style_modifiers", UNSET))

        def _parse_metadata(data: object) -> CharacterPatchMetadataType0 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                metadata_type_0 = CharacterPatchMetadataType0.from_dict(data)

                return metadata_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(CharacterPatchMetadataType0 | None | Unset, data)

        metadata = _parse_metadata(d.pop("metadata", UNSET))

        character_patch = cls(
            name=name,
            description=description,
            art_style=art_style,
            style_modifiers=style_modifiers,
            metadata=metadata,
        )

        return character_patch
