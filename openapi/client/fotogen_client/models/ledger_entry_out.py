from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.ledger_entry_out_kind import LedgerEntryOutKind

T = TypeVar("T", bound="LedgerEntryOut")


@_attrs_define
class LedgerEntryOut:
    """
    Attributes:
        id (str):
        amount (int): The signed change of `balance` (a capture is 0: its credits were reserved).
        kind (LedgerEntryOutKind):
        job_type (None | str):
        job_id (None | str):
        quantity (int | None): Units reserved, captured or refunded (jobs only).
        description (None | str):
        balance_after (int):
        created_at (datetime.datetime):
    """

    id: str
    amount: int
    kind: LedgerEntryOutKind
    job_type: None | str
    job_id: None | str
    quantity: int | None
    description: None | str
    balance_after: int
    created_at: datetime.datetime
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        amount = self.amount

        kind = self.kind.value

        job_type: None | str
        job_type = self.job_type

        job_id: None | str
        job_id = self.job_id

        quantity: int | None
        quantity = self.quantity

        description: None | str
        description = self.description

        balance_after = self.balance_after

        created_at = self.created_at.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "amount": amount,
                "kind": kind,
                "job_type": job_type,
                "job_id": job_id,
                "quantity": quantity,
                "description": description,
                "balance_after": balance_after,
                "created_at": created_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = d.pop("id")

        amount = d.pop("amount")

        kind = LedgerEntryOutKind(d.pop("kind"))

        def _parse_job_type(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        job_type = _parse_job_type(d.pop("job_type"))

        def _parse_job_id(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        job_id = _parse_job_id(d.pop("job_id"))

        def _parse_quantity(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        quantity = _parse_quantity(d.pop("quantity"))

        def _parse_description(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        description = _parse_description(d.pop("description"))

        balance_after = d.pop("balance_after")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        ledger_entry_out = cls(
            id=id,
            amount=amount,
            kind=kind,
            job_type=job_type,
            job_id=job_id,
            quantity=quantity,
            description=description,
            balance_after=balance_after,
            created_at=created_at,
        )

        ledger_entry_out.additional_properties = d
        return ledger_entry_out

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
