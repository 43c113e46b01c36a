from enum import StrEnum


class CharacterOutStatus(StrEnum):
    DRAFT = "draft"
    FAILED = "failed"
    REFERENCED = "referenced"
    TRAINED = "trained"
    TRAINING = "training"

    def __str__(self) -> str:
        return str(self.value)
