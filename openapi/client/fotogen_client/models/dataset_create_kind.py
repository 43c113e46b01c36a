from enum import StrEnum


class DatasetCreateKind(StrEnum):
    STYLE = "style"
    SUBJECT = "subject"

    def __str__(self) -> str:
        return str(self.value)
