"""ORM models, one module per table group; importing this package registers them all on ``Base.metadata``."""

from shared.models.auth import ApiKey, IdempotencyKey, Owner
from shared.models.billing import BillingPolicy, EndUser, LedgerEntry, UsageRecord
from shared.models.catalog import Model
from shared.models.characters import Character, CharacterJob
from shared.models.datasets import Dataset, Image
from shared.models.events import Event, ProviderWebhookReceipt, WebhookDelivery, WebhookEndpoint
from shared.models.jobs import Generation, GenerationImage, JobMixin, MeshItem, MeshJob, Training
from shared.models.uploads import Upload
from shared.models.videos import Video

__all__ = [
    "ApiKey",
    "BillingPolicy",
    "Character",
    "CharacterJob",
    "Dataset",
    "EndUser",
    "Event",
    "Generation",
    "GenerationImage",
    "IdempotencyKey",
    "Image",
    "JobMixin",
    "LedgerEntry",
    "MeshItem",
    "MeshJob",
    "Model",
    "Owner",
    "ProviderWebhookReceipt",
    "Training",
    "Upload",
    "UsageRecord",
    "Video",
    "WebhookDelivery",
    "WebhookEndpoint",
]
