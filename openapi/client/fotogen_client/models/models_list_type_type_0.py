from enum import StrEnum


class ModelsListTypeType0(StrEnum):
    BASE = "base"
    LORA = "lora"

    def __str__(self) -> str:
        return str(self.value)
