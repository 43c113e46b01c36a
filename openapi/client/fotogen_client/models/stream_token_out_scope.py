from enum import StrEnum


class StreamTokenOutScope(StrEnum):
    CHARACTER = "character"
    JOB = "job"
    OWNER = "owner"

    def __str__(self) -> str:
        return str(self.value)
