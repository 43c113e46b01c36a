from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.character_create_metadata import CharacterCreateMetadata


T = TypeVar("T", bound="CharacterCreate")


@_attrs_define
class CharacterCreate:
    """
    Attributes:
        name (str):
        description (str): What the character looks like; it goes into every prompt built for it.
        metadata (CharacterCreateMetadata | Unset): Your own key/value pairs (strings; at most 20 keys, a key at most 40
            characters, a value at most 500). Returned as given; lists filter with `?metadata[key]=value`.
        end_user (None | str | Unset): Your app's id for the person who asked (at most 128 characters); lists filter
            with `?end_user=`.
        art_style (None | str | Unset):
        style_modifiers (list[str] | Unset): Short extra style words (each ≤ 60 characters), appended last to every
            prompt.
    """

    name: str
    description: str
    metadata: CharacterCreateMetadata | Unset = UNSET
    end_user: None | str | Unset = UNSET
    art_style: None | str | Unset = UNSET
    style_modifiers: list[str] | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        name = self.name

        description = self.description

        metadata: dict[str, Any] | Unset = UNSET
        if not isinstance(self.metadata, Unset):
            metadata = self.metadata.to_dict()

        end_user: None | str | Unset
        if isinstance(self.end_user, Unset):
            end_user = UNSET
        else:
            end_user = self.end_user

        art_style: None | str | Unset
        if isinstance(self.art_style, Unset):
            art_style = UNSET
        else:
            art_style = self.art_style

        style_modifiers: list[str] | Unset = UNSET
        if not isinstance(self.style_modifiers, Unset):
            style_modifiers = self.style_modifiers

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "name": name,
                "description": description,
            }
        )
        if metadata is not UNSET:
            field_dict["metadata"] = metadata
        if end_user is not UNSET:
            field_dict["end_user"] = end_user
        if art_style is not UNSET:
            field_dict["art_style"] = art_style
        if style_modifiers is not UNSET:
            field_dict["style_modifiers"] = style_modifiers

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.character_create_metadata import CharacterCreateMetadata  # noqa: PLC0415

        d = dict(src_dict)
        name = d.pop("name")

        description = d.pop("description")

        _metadata = d.pop("metadata", UNSET)
        metadata: CharacterCreateMetadata | Unset
        if isinstance(_metadata, Unset):
            metadata = UNSET
        else:
            metadata = CharacterCreateMetadata.from_dict(_metadata)

        def _parse_end_user(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        end_user = _parse_end_user(d.pop("end_user", UNSET))

        def _parse_art_style(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        art_style = _parse_art_style(d.pop("art_style", UNSET))

        style_modifiers = cast(list[str], d.pop("style_modifiers", UNSET))

        character_create = cls(
            name=name,
            description=description,
            metadata=metadata,
            end_user=end_user,
            art_style=art_style,
            style_modifiers=style_modifiers,
        )

        return character_create
