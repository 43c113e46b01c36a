"""The one catalogue of error codes: every ``code`` a problem document (RFC 9457) or a per-file rejection can
carry, with its status, title and a description for people.

A problem's ``type`` is ``/problems/<code>`` on the service itself, and ``GET /problems/<code>``
(``api.routes.problems``) serves the entry from here. A test scans the source for code literals and fails
when one is missing, so a new code cannot ship undocumented.
"""

from __future__ import annotations

from dataclasses import dataclass

TYPE_PATH = "/problems/"


@dataclass(frozen=True)
class ProblemCode:
    code: str
    status: int | None  # None: a per-item code (in a problem's ``errors`` or an upload's ``rejected`` list)
    title: str
    description: str


def _c(code: str, status: int | None, title: str, description: str) -> ProblemCode:
    return ProblemCode(code, status, title, description)


# Resources whose "no such id for this owner" is ``<resource>_not_found`` (``shared.errors.not_found``).
NOT_FOUND_RESOURCES = (
    "dataset",
    "image",
    "model",
    "training",
    "generation",
    "mesh",
    "mesh_item",
    "webhook_endpoint",
    "job",
    "problem",
    "video",
    "upload",
    "character",
    "generation_image",
)

_ENTRIES = [
    # End users, limits, credits, moderation
    _c("payment_required", 402, "Payment required", "The request needs credits the end user does not have."),
    _c(
        "insufficient_credits",
        402,
        "Insufficient credits",
        "The end user's `balance` is below `required` (a debit: 409).",
    ),
    _c(
        "quota_exceeded", 429, "Quota exceeded", "The end user reached a limit (`limit`, `used`); retry at `resets_at`."
    ),
    _c("end_user_required", 422, "Validation failed", "The policy requires credits: name the `end_user`."),
    _c("end_user_not_found", 404, "Not found", "No end user of that id has been named by a job or a credit entry."),
    _c("prompt_blocked", 422, "Prompt blocked", "A prompt-like field holds a blocked term (`errors`: field, term)."),
    # Uploads, image references, generation modes, videos
    _c("one_file_expected", 422, "Validation failed", "`POST /v1/uploads` takes exactly one `file` part."),
    _c("one_file", None, "One file", "Only one file is accepted by this upload."),
    _c("image_not_in_generation", None, "Not in the generation", "The image id is not one of the generation's."),
    _c("metadata_too_many_keys", 422, "Validation failed", "`metadata` holds at most 20 keys."),
    _c("too_many_keys", None, "Too many keys", "`metadata` holds at most 20 keys."),
    _c("invalid_metadata_filter", 400, "Bad request", "A `metadata[key]=value` filter is malformed."),
    _c("invalid", None, "Invalid", "The value is not valid here."),
    _c("mode_not_supported", 422, "Validation failed", "The model has no such generation mode."),
    _c("param_not_supported", 422, "Validation failed", "The mode does not take this parameter."),
    _c("not_a_lora", 422, "Validation failed", "A `loras[]` entry is not a trained LoRA."),
    _c("lora_base_mismatch", 422, "Validation failed", "Every LoRA must be of the generation's base model."),
    _c("duplicate_lora", 422, "Validation failed", "The same LoRA is listed twice."),
    _c("too_many_loras", 422, "Validation failed", "At most 3 LoRAs, the model itself included when it is one."),
    _c("mask_size_mismatch", 422, "Validation failed", "The inpainting mask must have the init image's size."),
    _c("model_not_video", 422, "Validation failed", "Videos need a model of category `video`."),
    # Trainings
    _c("trainer_cannot_resume", 422, "Validation failed", "The trainer has no resume input; use one that has."),
    _c("model_not_resumable", 422, "Validation failed", "Only your LoRA of the same base model can be resumed."),
    _c("job_not_startable", 409, "Conflict", "Only a training in status `created` can be started."),
    # Characters
    _c("character_training", 409, "Conflict", "The character's training is running; wait or cancel it first."),
    _c("character_not_referenced", 409, "Conflict", "Pick a reference (`POST …/reference`) before training."),
    _c("scene_too_long", 422, "Validation failed", "The scene alone is longer than the model's prompt limit."),
    _c("generation_not_succeeded", 422, "Validation failed", "The reference must come from a succeeded generation."),
    _c("not_null", None, "Not null", "This field cannot be set to null."),
    # Generic, one per HTTP status (what a framework error or a base class carries)
    _c("bad_request", 400, "Bad request", "The request could not be understood."),
    _c("unauthorized", 401, "Unauthorized", "Authentication is required."),
    _c("forbidden", 403, "Forbidden", "The credentials are valid but do not allow this."),
    _c("not_found", 404, "Not found", "No route or resource matches the request."),
    _c("method_not_allowed", 405, "Method not allowed", "The route exists but not with this HTTP method."),
    _c("not_acceptable", 406, "Not acceptable", "No representation matches the request's Accept header."),
    _c("conflict", 409, "Conflict", "The resource's current state does not allow this."),
    _c("payload_too_large", 413, "Payload too large", "The request body is larger than this server accepts."),
    _c("unsupported_media_type", 415, "Unsupported media type", "The body's Content-Type is not accepted here."),
    _c("validation_error", 422, "Validation failed", "A field is missing or invalid; `errors` lists each one."),
    _c("rate_limited", 429, "Too many requests", "The API key's rate limit is spent; wait for `Retry-After`."),
    _c("internal_error", 500, "Internal error", "An unexpected error; the `request_id` finds it in the logs."),
    _c("service_unavailable", 503, "Service unavailable", "A backing service is unreachable; retry shortly."),
    _c("http_error", None, "HTTP error", "An HTTP error without a more specific code."),
    # Authentication and streams
    _c("missing_api_key", 401, "Unauthorized", "Send the API key as `Authorization: Bearer <key>`."),
    _c("invalid_authorization", 401, "Unauthorized", "The Authorization header is not `Bearer <key>`."),
    _c("invalid_api_key", 401, "Unauthorized", "The API key is unknown or has been revoked."),
    _c("invalid_stream_token", 401, "Unauthorized", "The stream token is malformed or its signature is wrong."),
    _c("stream_token_expired", 401, "Unauthorized", "The stream token has expired; mint a new one."),
    _c("stream_token_out_of_scope", 403, "Forbidden", "The stream token is scoped to another job."),
    _c("invalid_last_event_id", 400, "Bad request", "`Last-Event-ID` must be a non-negative integer event id."),
    _c("invalid_event_filter", 422, "Validation failed", "The event filter names an unknown job or type."),
    # Requests and pagination
    _c("invalid_cursor", 400, "Bad request", "The `after` cursor did not come from this list."),
    _c("malformed_multipart", 400, "Malformed multipart body", "The multipart/form-data body could not be parsed."),
    _c("too_many_files", 413, "Too many files", "The request carries more files than one upload accepts."),
    _c("field_too_large", 413, "Payload too large", "A non-file form field is larger than allowed."),
    _c("no_files", 422, "Validation failed", "The upload carries no image files."),
    _c("invalid_idempotency_key", 400, "Bad request", "The `Idempotency-Key` header is empty or too long."),
    _c("idempotency_key_reused", 409, "Conflict", "The `Idempotency-Key` was used before with another request."),
    _c("idempotency_key_in_use", 409, "Conflict", "A request with this `Idempotency-Key` is still running."),
    # Datasets, models, jobs
    _c("dataset_in_use", 409, "Conflict", "A training that uses the dataset is still running; cancel or wait."),
    _c("dataset_too_small", 422, "Validation failed", "The dataset has fewer images than the training needs."),
    _c("no_images_accepted", 422, "Validation failed", "Every file of the upload was rejected (see `errors`)."),
    _c("model_in_use", 409, "Conflict", "A running job uses the model."),
    _c("model_not_image", 422, "Validation failed", "The model does not generate images."),
    _c("model_weights_missing", 422, "Validation failed", "The model has no trained weights yet."),
    _c("base_model_read_only", 403, "Forbidden", "Base models belong to the catalogue and cannot be changed."),
    _c("trainer_not_available", 422, "Validation failed", "The requested trainer is not available."),
    _c("job_already_terminal", 409, "Conflict", "The job has already finished."),
    _c("job_not_cancelable", 409, "Conflict", "The job cannot be canceled in its current state."),
    _c(
        "job_step_failed",
        None,
        "Job step failed",
        "A job's `error.code`: one of its steps failed unexpectedly on our side, again after "
        "`FOTOGEN_JOB_STEP_ERROR_ATTEMPTS` retries with backoff; the job was stopped and its reservation refunded.",
    ),
    _c("mesh_file_not_found", 404, "Not found", "The mesh item has no output file of that kind."),
    _c("storage_unavailable", 503, "Service unavailable", "Object storage is unreachable; retry shortly."),
    # Webhooks (ours to your endpoints, and Fal's to us)
    _c("invalid_webhook_url", 422, "Validation failed", "The webhook URL is not an absolute http(s) URL."),
    _c("webhook_url_not_allowed", 422, "Validation failed", "The webhook URL points at a private address."),
    _c("malformed_callback", 400, "Bad request", "The provider callback body is not what Fal sends."),
    _c("invalid_signature", 401, "Invalid webhook signature", "The provider callback's signature does not verify."),
    _c("stale_timestamp", 401, "Unauthorized", "The provider callback's timestamp is outside the tolerance."),
    _c("replayed_webhook", 409, "Conflict", "This provider callback was already received."),
    _c("jwks_unavailable", 503, "Service unavailable", "The provider's signing keys could not be fetched."),
    # Storage (consistency errors, rarely seen by clients)
    _c("storage_error", 500, "Internal error", "Object storage failed in an unexpected way."),
    _c("object_exists", 409, "Conflict", "A stored object with that key already exists."),
    _c("object_not_found", 404, "Not found", "The stored object does not exist."),
    _c("invalid_storage_key", 400, "Bad request", "The storage key is not valid."),
    # Per-file rejections (an upload's `rejected` list, a problem's `errors`)
    _c("unsupported_format", None, "Unsupported format", "Not a JPEG, PNG or WebP image."),
    _c("corrupt_image", None, "Corrupt image", "The image could not be decoded."),
    _c("image_too_large", None, "Image too large", "The image has more pixels than this server decodes."),
    _c("image_too_small", None, "Image too small", "The image's shorter side is below the minimum."),
    _c("file_too_large", None, "File too large", "The file is larger than the per-file limit."),
    _c("unsupported_image_mode", None, "Unsupported image mode", "The image's colour mode cannot be used."),
    _c("duplicate_image", None, "Duplicate image", "The same image is already in the dataset or this upload."),
    _c("dataset_full", None, "Dataset full", "The dataset already holds the maximum number of images."),
    _c("unexpected_field", None, "Unexpected field", "The part is not an image field this route takes."),
    _c("caption_too_large", None, "Caption too large", "The caption is longer than allowed."),
    _c("invalid_caption", None, "Invalid caption", "The caption is not valid UTF-8 text."),
    _c("duplicate_caption", None, "Duplicate caption", "Another caption for the same image came first."),
    _c("caption_without_image", None, "Caption without image", "A caption names no image of the upload."),
    _c("missing", None, "Missing", "A required field or part is missing."),
    _c("null_not_allowed", None, "Null not allowed", "The field cannot be set to null."),
    _c("unknown_event_type", None, "Unknown event type", "The webhook subscription names an unknown event type."),
    _c("invalid_character", None, "Invalid character", "The value contains NUL or an unpaired surrogate."),
    *(
        _c(f"{r}_not_found", 404, "Not found", f"No {r.replace('_', ' ')} with that id belongs to this API key.")
        for r in NOT_FOUND_RESOURCES
    ),
]

CATALOGUE: dict[str, ProblemCode] = {entry.code: entry for entry in _ENTRIES}


def problem_type(code: str) -> str:
    """The problem's ``type`` URI: a page on this service (relative, so it resolves wherever it is deployed)."""
    return TYPE_PATH + code
