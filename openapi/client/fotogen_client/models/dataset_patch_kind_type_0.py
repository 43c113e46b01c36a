from enum import StrEnum


class DatasetPatchKindType0(StrEnum):
    STYLE = "style"
    SUBJECT = "subject"

    def __str__(self) -> str:
        return str(self.value)
