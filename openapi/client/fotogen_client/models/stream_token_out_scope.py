from enum import StrEnum


class StreamTokenOutScope(StrEnum):
    JOB = "job"
    OWNER = "owner"

    def __str__(self) -> str:
        return str(self.value)
