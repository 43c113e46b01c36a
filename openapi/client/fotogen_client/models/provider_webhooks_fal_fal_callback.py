from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="ProviderWebhooksFalFalCallback")


@_attrs_define
class ProviderWebhooksFalFalCallback:
    """What Fal POSTs to the webhook URL when a queued request completes.

    Attributes:
        request_id (str):
        status (str): `OK` or `ERROR`.
        gateway_request_id (None | str | Unset):
        payload (Any | Unset):
        error (None | str | Unset):
    """

    request_id: str
    status: str
    gateway_request_id: None | str | Unset = UNSET
    payload: Any | Unset = UNSET
    error: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        request_id = self.request_id

        status = self.status

        gateway_request_id: None | str | Unset
        if isinstance(self.gateway_request_id, Unset):
            gateway_request_id = UNSET
        else:
            gateway_request_id = self.gateway_request_id

        payload = self.payload

        error: None | str | Unset
        if isinstance(self.error, Unset):
            error = UNSET
        else:
            error = self.error

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "request_id": request_id,
                "status": status,
            }
        )
        if gateway_request_id is not UNSET:
            field_dict["gateway_request_id"] = gateway_request_id
        if payload is not UNSET:
            field_dict["payload"] = payload
        if error is not UNSET:
            field_dict["error"] = error

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        request_id = d.pop("request_id")

        status = d.pop("status")

        def _parse_gateway_request_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        gateway_request_id = _parse_gateway_request_id(d.pop("gateway_request_id", UNSET))

        payload = d.pop("payload", UNSET)

        def _parse_error(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        error = _parse_error(d.pop("error", UNSET))

        provider_webhooks_fal_fal_callback = cls(
            request_id=request_id,
            status=status,
            gateway_request_id=gateway_request_id,
            payload=payload,
            error=error,
        )

        provider_webhooks_fal_fal_callback.additional_properties = d
        return provider_webhooks_fal_fal_callback

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
