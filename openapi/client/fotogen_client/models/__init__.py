"""Contains all the data models used in inputs/outputs"""

from .callback_accepted import CallbackAccepted
from .character_create import CharacterCreate
from .character_create_metadata import CharacterCreateMetadata
from .character_out import CharacterOut
from .character_out_error_type_0 import CharacterOutErrorType0
from .character_out_metadata import CharacterOutMetadata
from .character_out_status import CharacterOutStatus
from .character_patch import CharacterPatch
from .character_patch_metadata_type_0 import CharacterPatchMetadataType0
from .character_train import CharacterTrain
from .character_train_params import CharacterTrainParams
from .character_train_trainer import CharacterTrainTrainer
from .characters_list_metadata import CharactersListMetadata
from .credits_ import Credits
from .credits_create import CreditsCreate
from .dataset_create import DatasetCreate
from .dataset_create_kind import DatasetCreateKind
from .dataset_create_metadata import DatasetCreateMetadata
from .dataset_out import DatasetOut
from .dataset_out_kind import DatasetOutKind
from .dataset_out_metadata import DatasetOutMetadata
from .dataset_patch import DatasetPatch
from .dataset_patch_kind_type_0 import DatasetPatchKindType0
from .dataset_patch_metadata_type_0 import DatasetPatchMetadataType0
from .datasets_list_metadata import DatasetsListMetadata
from .end_user_out import EndUserOut
from .end_user_out_limit_overrides import EndUserOutLimitOverrides
from .event_out import EventOut
from .event_out_data import EventOutData
from .from_generation import FromGeneration
from .generation_create import GenerationCreate
from .generation_create_image_size_type_0 import GenerationCreateImageSizeType0
from .generation_create_metadata import GenerationCreateMetadata
from .generation_create_mode import GenerationCreateMode
from .generation_create_output_format_type_0 import GenerationCreateOutputFormatType0
from .generation_create_scheduler_type_0 import GenerationCreateSchedulerType0
from .generation_image_out import GenerationImageOut
from .generation_out import GenerationOut
from .generation_out_metadata import GenerationOutMetadata
from .generation_out_status import GenerationOutStatus
from .generation_params import GenerationParams
from .generation_params_image_size_type_0 import GenerationParamsImageSizeType0
from .generation_params_mode import GenerationParamsMode
from .generation_params_output_format import GenerationParamsOutputFormat
from .generation_params_scheduler_type_0 import GenerationParamsSchedulerType0
from .generations_list_metadata import GenerationsListMetadata
from .generations_list_status_type_0 import GenerationsListStatusType0
from .health_live_response_health_live import HealthLiveResponseHealthLive
from .http_validation_error import HTTPValidationError
from .image_out import ImageOut
from .image_out_content_type import ImageOutContentType
from .image_patch import ImagePatch
from .image_ref import ImageRef
from .image_size import ImageSize
from .images_upload_body import ImagesUploadBody
from .job_error import JobError
from .ledger_entry_out import LedgerEntryOut
from .ledger_entry_out_kind import LedgerEntryOutKind
from .limit_overrides import LimitOverrides
from .limits import Limits
from .lora_ref import LoraRef
from .mesh_file import MeshFile
from .mesh_file_kind import MeshFileKind
from .mesh_item_out import MeshItemOut
from .mesh_item_out_status import MeshItemOutStatus
from .mesh_job_created import MeshJobCreated
from .mesh_job_created_metadata import MeshJobCreatedMetadata
from .mesh_job_created_status import MeshJobCreatedStatus
from .mesh_job_out import MeshJobOut
from .mesh_job_out_metadata import MeshJobOutMetadata
from .mesh_job_out_status import MeshJobOutStatus
from .mesh_options import MeshOptions
from .mesh_options_texture import MeshOptionsTexture
from .meshes_create_body import MeshesCreateBody
from .meshes_create_body_texture import MeshesCreateBodyTexture
from .meshes_items_files_get_kind import MeshesItemsFilesGetKind
from .meshes_list_metadata import MeshesListMetadata
from .meshes_list_status_type_0 import MeshesListStatusType0
from .mode_out import ModeOut
from .mode_out_name import ModeOutName
from .mode_out_params_schema import ModeOutParamsSchema
from .model_out import ModelOut
from .model_out_category import ModelOutCategory
from .model_out_type import ModelOutType
from .model_patch import ModelPatch
from .models_list_category_type_0 import ModelsListCategoryType0
from .models_list_type_type_0 import ModelsListTypeType0
from .moderation import Moderation
from .page_character_out import PageCharacterOut
from .page_dataset_out import PageDatasetOut
from .page_end_user_out import PageEndUserOut
from .page_event_out import PageEventOut
from .page_generation_out import PageGenerationOut
from .page_image_out import PageImageOut
from .page_ledger_entry_out import PageLedgerEntryOut
from .page_mesh_job_out import PageMeshJobOut
from .page_model_out import PageModelOut
from .page_training_out import PageTrainingOut
from .page_video_out import PageVideoOut
from .page_webhook_delivery_out import PageWebhookDeliveryOut
from .page_webhook_endpoint_out import PageWebhookEndpointOut
from .payment_problem import PaymentProblem
from .policy import Policy
from .prices import Prices
from .problem import Problem
from .problem_code_out import ProblemCodeOut
from .problem_item import ProblemItem
from .provider_ref import ProviderRef
from .provider_webhooks_fal_fal_callback import ProviderWebhooksFalFalCallback
from .reference_out import ReferenceOut
from .reference_pick import ReferencePick
from .references_create import ReferencesCreate
from .rejected_file import RejectedFile
from .scene_create import SceneCreate
from .scene_create_image_size_type_0 import SceneCreateImageSizeType0
from .scene_create_metadata import SceneCreateMetadata
from .stored_file import StoredFile
from .stream_token_create import StreamTokenCreate
from .stream_token_out import StreamTokenOut
from .stream_token_out_scope import StreamTokenOutScope
from .too_many_requests_problem import TooManyRequestsProblem
from .trainer_out import TrainerOut
from .trainer_out_name import TrainerOutName
from .trainer_out_params_schema import TrainerOutParamsSchema
from .training_create import TrainingCreate
from .training_create_metadata import TrainingCreateMetadata
from .training_create_params import TrainingCreateParams
from .training_create_trainer import TrainingCreateTrainer
from .training_out import TrainingOut
from .training_out_metadata import TrainingOutMetadata
from .training_out_params import TrainingOutParams
from .training_out_status import TrainingOutStatus
from .training_out_trainer import TrainingOutTrainer
from .trainings_list_metadata import TrainingsListMetadata
from .trainings_list_status_type_0 import TrainingsListStatusType0
from .upload_out import UploadOut
from .upload_result import UploadResult
from .uploads_create_body import UploadsCreateBody
from .usage import Usage
from .validation_error import ValidationError
from .validation_error_context import ValidationErrorContext
from .video_create import VideoCreate
from .video_create_metadata import VideoCreateMetadata
from .video_file import VideoFile
from .video_out import VideoOut
from .video_out_metadata import VideoOutMetadata
from .video_out_status import VideoOutStatus
from .video_params import VideoParams
from .videos_list_metadata import VideosListMetadata
from .videos_list_status_type_0 import VideosListStatusType0
from .webhook_delivery_out import WebhookDeliveryOut
from .webhook_delivery_out_status import WebhookDeliveryOutStatus
from .webhook_endpoint_create import WebhookEndpointCreate
from .webhook_endpoint_created import WebhookEndpointCreated
from .webhook_endpoint_out import WebhookEndpointOut
from .weights import Weights

__all__ = (
    "CallbackAccepted",
    "CharacterCreate",
    "CharacterCreateMetadata",
    "CharacterOut",
    "CharacterOutErrorType0",
    "CharacterOutMetadata",
    "CharacterOutStatus",
    "CharacterPatch",
    "CharacterPatchMetadataType0",
    "CharactersListMetadata",
    "CharacterTrain",
    "CharacterTrainParams",
    "CharacterTrainTrainer",
    "Credits",
    "CreditsCreate",
    "DatasetCreate",
    "DatasetCreateKind",
    "DatasetCreateMetadata",
    "DatasetOut",
    "DatasetOutKind",
    "DatasetOutMetadata",
    "DatasetPatch",
    "DatasetPatchKindType0",
    "DatasetPatchMetadataType0",
    "DatasetsListMetadata",
    "EndUserOut",
    "EndUserOutLimitOverrides",
    "EventOut",
    "EventOutData",
    "FromGeneration",
    "GenerationCreate",
    "GenerationCreateImageSizeType0",
    "GenerationCreateMetadata",
    "GenerationCreateMode",
    "GenerationCreateOutputFormatType0",
    "GenerationCreateSchedulerType0",
    "GenerationImageOut",
    "GenerationOut",
    "GenerationOutMetadata",
    "GenerationOutStatus",
    "GenerationParams",
    "GenerationParamsImageSizeType0",
    "GenerationParamsMode",
    "GenerationParamsOutputFormat",
    "GenerationParamsSchedulerType0",
    "GenerationsListMetadata",
    "GenerationsListStatusType0",
    "HealthLiveResponseHealthLive",
    "HTTPValidationError",
    "ImageOut",
    "ImageOutContentType",
    "ImagePatch",
    "ImageRef",
    "ImageSize",
    "ImagesUploadBody",
    "JobError",
    "LedgerEntryOut",
    "LedgerEntryOutKind",
    "LimitOverrides",
    "Limits",
    "LoraRef",
    "MeshesCreateBody",
    "MeshesCreateBodyTexture",
    "MeshesItemsFilesGetKind",
    "MeshesListMetadata",
    "MeshesListStatusType0",
    "MeshFile",
    "MeshFileKind",
    "MeshItemOut",
    "MeshItemOutStatus",
    "MeshJobCreated",
    "MeshJobCreatedMetadata",
    "MeshJobCreatedStatus",
    "MeshJobOut",
    "MeshJobOutMetadata",
    "MeshJobOutStatus",
    "MeshOptions",
    "MeshOptionsTexture",
    "ModelOut",
    "ModelOutCategory",
    "ModelOutType",
    "ModelPatch",
    "ModelsListCategoryType0",
    "ModelsListTypeType0",
    "ModeOut",
    "ModeOutName",
    "ModeOutParamsSchema",
    "Moderation",
    "PageCharacterOut",
    "PageDatasetOut",
    "PageEndUserOut",
    "PageEventOut",
    "PageGenerationOut",
    "PageImageOut",
    "PageLedgerEntryOut",
    "PageMeshJobOut",
    "PageModelOut",
    "PageTrainingOut",
    "PageVideoOut",
    "PageWebhookDeliveryOut",
    "PageWebhookEndpointOut",
    "PaymentProblem",
    "Policy",
    "Prices",
    "Problem",
    "ProblemCodeOut",
    "ProblemItem",
    "ProviderRef",
    "ProviderWebhooksFalFalCallback",
    "ReferenceOut",
    "ReferencePick",
    "ReferencesCreate",
    "RejectedFile",
    "SceneCreate",
    "SceneCreateImageSizeType0",
    "SceneCreateMetadata",
    "StoredFile",
    "StreamTokenCreate",
    "StreamTokenOut",
    "StreamTokenOutScope",
    "TooManyRequestsProblem",
    "TrainerOut",
    "TrainerOutName",
    "TrainerOutParamsSchema",
    "TrainingCreate",
    "TrainingCreateMetadata",
    "TrainingCreateParams",
    "TrainingCreateTrainer",
    "TrainingOut",
    "TrainingOutMetadata",
    "TrainingOutParams",
    "TrainingOutStatus",
    "TrainingOutTrainer",
    "TrainingsListMetadata",
    "TrainingsListStatusType0",
    "UploadOut",
    "UploadResult",
    "UploadsCreateBody",
    "Usage",
    "ValidationError",
    "ValidationErrorContext",
    "VideoCreate",
    "VideoCreateMetadata",
    "VideoFile",
    "VideoOut",
    "VideoOutMetadata",
    "VideoOutStatus",
    "VideoParams",
    "VideosListMetadata",
    "VideosListStatusType0",
    "WebhookDeliveryOut",
    "WebhookDeliveryOutStatus",
    "WebhookEndpointCreate",
    "WebhookEndpointCreated",
    "WebhookEndpointOut",
    "Weights",
)
