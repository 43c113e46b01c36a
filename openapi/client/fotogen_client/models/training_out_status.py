from enum import StrEnum


class TrainingOutStatus(StrEnum):
    CANCELED = "canceled"
    CREATED = "created"
    FAILED = "failed"
    PREPARING = "preparing"
    QUEUED = "queued"
    SAVING = "saving"
    SUCCEEDED = "succeeded"
    TRAINING = "training"

    def __str__(self) -> str:
        return str(self.value)
