from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="WebhookEndpointCreate")


@_attrs_define
class WebhookEndpointCreate:
    """
    Attributes:
        url (str): An `http` or `https` URL that must not resolve to a private, loopback, link-local or reserved address
            (unless the server allows it for development).
        events (list[str]): Event types to deliver, or `["*"]` for all of them. Known types: `training.queued`,
            `training.started`, `training.progress`, `training.log`, `training.succeeded`, `training.failed`,
            `training.canceled`, `generation.queued`, `generation.started`, `generation.succeeded`, `generation.failed`,
            `generation.canceled`, `mesh.queued`, `mesh.started`, `mesh.progress`, `mesh.succeeded`, `mesh.failed`,
            `mesh.canceled`, `video.queued`, `video.started`, `video.succeeded`, `video.failed`, `video.canceled`,
            `character.referenced`, `character.training`, `character.started`, `character.progress`, `character.trained`,
            `character.failed`, `character.canceled`.
        description (None | str | Unset):
    """

    url: str
    events: list[str]
    description: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        url = self.url

        events = self.events

        description: None | str | Unset
        if isinstance(self.description, Unset):
            description = UNSET
        else:
            description = self.description

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "url": url,
                "events": events,
            }
        )
        if description is not UNSET:
            field_dict["description"] = description

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        url = d.pop("url")

        events = cast(list[str], d.pop("events"))

        def _parse_description(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        description = _parse_description(d.pop("description", UNSET))

        webhook_endpoint_create = cls(
            url=url,
            events=events,
            description=description,
        )

        webhook_endpoint_create.additional_properties = d
        return webhook_endpoint_create

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
