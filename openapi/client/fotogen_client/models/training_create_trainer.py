from enum import StrEnum


class TrainingCreateTrainer(StrEnum):
    FAST = "fast"
    PORTRAIT = "portrait"

    def __str__(self) -> str:
        return str(self.value)
