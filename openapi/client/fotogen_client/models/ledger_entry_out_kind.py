from enum import StrEnum


class LedgerEntryOutKind(StrEnum):
    CAPTURE = "capture"
    DEBIT = "debit"
    GRANT = "grant"
    REFUND = "refund"
    RESERVE = "reserve"

    def __str__(self) -> str:
        return str(self.value)
