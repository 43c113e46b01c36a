from enum import StrEnum


class CharacterTrainTrainer(StrEnum):
    FAST = "fast"
    PORTRAIT = "portrait"

    def __str__(self) -> str:
        return str(self.value)
