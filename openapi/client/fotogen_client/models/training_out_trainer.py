from enum import StrEnum


class TrainingOutTrainer(StrEnum):
    FAST = "fast"
    PORTRAIT = "portrait"

    def __str__(self) -> str:
        return str(self.value)
