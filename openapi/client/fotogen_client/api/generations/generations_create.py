from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.generation_create import GenerationCreate
from ...models.generation_out import GenerationOut
from ...models.payment_problem import PaymentProblem
from ...models.problem import Problem
from ...models.too_many_requests_problem import TooManyRequestsProblem
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    body: GenerationCreate,
    idempotency_key: None | str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(idempotency_key, Unset):
        headers["Idempotency-Key"] = idempotency_key

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/generations",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> GenerationOut | PaymentProblem | Problem | TooManyRequestsProblem | None:
    if response.status_code == 202:
        response_202 = GenerationOut.from_dict(response.json())

        return response_202

    if response.status_code == 400:
        response_400 = Problem.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = Problem.from_dict(response.json())

        return response_401

    if response.status_code == 402:
        response_402 = PaymentProblem.from_dict(response.json())

        return response_402

    if response.status_code == 404:
        response_404 = Problem.from_dict(response.json())

        return response_404

    if response.status_code == 409:
        response_409 = Problem.from_dict(response.json())

        return response_409

    if response.status_code == 422:
        response_422 = Problem.from_dict(response.json())

        return response_422

    if response.status_code == 429:
        response_429 = TooManyRequestsProblem.from_dict(response.json())

        return response_429

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[GenerationOut | PaymentProblem | Problem | TooManyRequestsProblem]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    body: GenerationCreate,
    idempotency_key: None | str | Unset = UNSET,
) -> Response[GenerationOut | PaymentProblem | Problem | TooManyRequestsProblem]:
    """Create

     Generate images with an image model: a base model (e.g. `mdl_flux_1_dev`, `mdl_sdxl_1_0`,
    `mdl_sd_1_5`) or one of your trained LoRAs. Answers 202 with the queued generation; follow it with
    `GET /v1/generations/{id}`.

    **Modes**: `text_to_image` (default), `image_to_image` (`image`, `strength`) and `inpainting`
    (`image`,
    `mask` of the same size, white = repaint), each on its own provider endpoint; which modes a model
    has,
    and the parameters each takes with their ranges and defaults, is in `GET /v1/models/{id}` → `modes`.
    `image` and `mask` are image references: exactly one of `upload_id` (`POST /v1/uploads`),
    `dataset_image_id` or `generation_image_id`.

    **LoRAs**: `model_id` may be a trained LoRA (scale `lora_scale`, default 1) and `loras` adds more
    (up to
    3 in all, e.g. a character and a style, all trained on the same base model; `model_id` may then be
    that
    base model). **Every LoRA's trigger word is put in front of your prompt when the prompt does not
    already
    contain it** (whole word, case-insensitive); `prompt` in the answer is the prompt as sent.

    Outputs are copied into FotoGen's storage (normalised like uploads: upright, no metadata; `sha256`
    and
    `size_bytes` describe the stored copy) with a 256 px WebP thumbnail each; `url` and `thumbnail_url`
    are short-lived signed URLs made when the generation is read (fetch it again for fresh ones).

    422: `model_not_image`, `model_weights_missing`, `mode_not_supported`, `param_not_supported` (a
    parameter the model's mode does not take), `not_a_lora`, `lora_base_mismatch`, `duplicate_lora`,
    `too_many_loras`, `mask_size_mismatch`, `missing` (`image`/`mask` the mode needs),
    `validation_error`.
    404: `model_not_found`, `upload_not_found`, `image_not_found`, `generation_image_not_found` (unknown
    ids and other owners' alike).

    **Your policy** (`PUT /v1/policy`) applies before anything is created: 422 `prompt_blocked`
    (`prompt`,
    `negative_prompt`), and for an `end_user` 429 `quota_exceeded` (`generation_images_per_day` counts
    `num_images`), 402 `insufficient_credits` (`num_images` x `prices.generation_image` reserved,
    captured per
    image delivered), 422 `end_user_required`. With `withhold_nsfw_images` a flagged image is stored
    nowhere
    (`withheld: true`, `url: null`) and not charged; `force_safety_checker` ignores
    `enable_safety_checker: false`.

    Args:
        idempotency_key (None | str | Unset): Replays the first response for 24 h when the same
            key and body are sent again.
        body (GenerationCreate): Parameters are top-level fields; which ones a model takes, their
            ranges and defaults depend on the
            model and `mode` (`GET /v1/models/{id}` → `modes[].params_schema`). A parameter the mode
            does not take
            is refused (422 `param_not_supported`).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[GenerationOut | PaymentProblem | Problem | TooManyRequestsProblem]
    """

    kwargs = _get_kwargs(
        body=body,
        idempotency_key=idempotency_key,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    body: GenerationCreate,
    idempotency_key: None | str | Unset = UNSET,
) -> GenerationOut | PaymentProblem | Problem | TooManyRequestsProblem | None:
    """Create

     Generate images with an image model: a base model (e.g. `mdl_flux_1_dev`, `mdl_sdxl_1_0`,
    `mdl_sd_1_5`) or one of your trained LoRAs. Answers 202 with the queued generation; follow it with
    `GET /v1/generations/{id}`.

    **Modes**: `text_to_image` (default), `image_to_image` (`image`, `strength`) and `inpainting`
    (`image`,
    `mask` of the same size, white = repaint), each on its own provider endpoint; which modes a model
    has,
    and the parameters each takes with their ranges and defaults, is in `GET /v1/models/{id}` → `modes`.
    `image` and `mask` are image references: exactly one of `upload_id` (`POST /v1/uploads`),
    `dataset_image_id` or `generation_image_id`.

    **LoRAs**: `model_id` may be a trained LoRA (scale `lora_scale`, default 1) and `loras` adds more
    (up to
    3 in all, e.g. a character and a style, all trained on the same base model; `model_id` may then be
    that
    base model). **Every LoRA's trigger word is put in front of your prompt when the prompt does not
    already
    contain it** (whole word, case-insensitive); `prompt` in the answer is the prompt as sent.

    Outputs are copied into FotoGen's storage (normalised like uploads: upright, no metadata; `sha256`
    and
    `size_bytes` describe the stored copy) with a 256 px WebP thumbnail each; `url` and `thumbnail_url`
    are short-lived signed URLs made when the generation is read (fetch it again for fresh ones).

    422: `model_not_image`, `model_weights_missing`, `mode_not_supported`, `param_not_supported` (a
    parameter the model's mode does not take), `not_a_lora`, `lora_base_mismatch`, `duplicate_lora`,
    `too_many_loras`, `mask_size_mismatch`, `missing` (`image`/`mask` the mode needs),
    `validation_error`.
    404: `model_not_found`, `upload_not_found`, `image_not_found`, `generation_image_not_found` (unknown
    ids and other owners' alike).

    **Your policy** (`PUT /v1/policy`) applies before anything is created: 422 `prompt_blocked`
    (`prompt`,
    `negative_prompt`), and for an `end_user` 429 `quota_exceeded` (`generation_images_per_day` counts
    `num_images`), 402 `insufficient_credits` (`num_images` x `prices.generation_image` reserved,
    captured per
    image delivered), 422 `end_user_required`. With `withhold_nsfw_images` a flagged image is stored
    nowhere
    (`withheld: true`, `url: null`) and not charged; `force_safety_checker` ignores
    `enable_safety_checker: false`.

    Args:
        idempotency_key (None | str | Unset): Replays the first response for 24 h when the same
            key and body are sent again.
        body (GenerationCreate): Parameters are top-level fields; which ones a model takes, their
            ranges and defaults depend on the
            model and `mode` (`GET /v1/models/{id}` → `modes[].params_schema`). A parameter the mode
            does not take
            is refused (422 `param_not_supported`).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        GenerationOut | PaymentProblem | Problem | TooManyRequestsProblem
    """

    return sync_detailed(
        client=client,
        body=body,
        idempotency_key=idempotency_key,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    body: GenerationCreate,
    idempotency_key: None | str | Unset = UNSET,
) -> Response[GenerationOut | PaymentProblem | Problem | TooManyRequestsProblem]:
    """Create

     Generate images with an image model: a base model (e.g. `mdl_flux_1_dev`, `mdl_sdxl_1_0`,
    `mdl_sd_1_5`) or one of your trained LoRAs. Answers 202 with the queued generation; follow it with
    `GET /v1/generations/{id}`.

    **Modes**: `text_to_image` (default), `image_to_image` (`image`, `strength`) and `inpainting`
    (`image`,
    `mask` of the same size, white = repaint), each on its own provider endpoint; which modes a model
    has,
    and the parameters each takes with their ranges and defaults, is in `GET /v1/models/{id}` → `modes`.
    `image` and `mask` are image references: exactly one of `upload_id` (`POST /v1/uploads`),
    `dataset_image_id` or `generation_image_id`.

    **LoRAs**: `model_id` may be a trained LoRA (scale `lora_scale`, default 1) and `loras` adds more
    (up to
    3 in all, e.g. a character and a style, all trained on the same base model; `model_id` may then be
    that
    base model). **Every LoRA's trigger word is put in front of your prompt when the prompt does not
    already
    contain it** (whole word, case-insensitive); `prompt` in the answer is the prompt as sent.

    Outputs are copied into FotoGen's storage (normalised like uploads: upright, no metadata; `sha256`
    and
    `size_bytes` describe the stored copy) with a 256 px WebP thumbnail each; `url` and `thumbnail_url`
    are short-lived signed URLs made when the generation is read (fetch it again for fresh ones).

    422: `model_not_image`, `model_weights_missing`, `mode_not_supported`, `param_not_supported` (a
    parameter the model's mode does not take), `not_a_lora`, `lora_base_mismatch`, `duplicate_lora`,
    `too_many_loras`, `mask_size_mismatch`, `missing` (`image`/`mask` the mode needs),
    `validation_error`.
    404: `model_not_found`, `upload_not_found`, `image_not_found`, `generation_image_not_found` (unknown
    ids and other owners' alike).

    **Your policy** (`PUT /v1/policy`) applies before anything is created: 422 `prompt_blocked`
    (`prompt`,
    `negative_prompt`), and for an `end_user` 429 `quota_exceeded` (`generation_images_per_day` counts
    `num_images`), 402 `insufficient_credits` (`num_images` x `prices.generation_image` reserved,
    captured per
    image delivered), 422 `end_user_required`. With `withhold_nsfw_images` a flagged image is stored
    nowhere
    (`withheld: true`, `url: null`) and not charged; `force_safety_checker` ignores
    `enable_safety_checker: false`.

    Args:
        idempotency_key (None | str | Unset): Replays the first response for 24 h when the same
            key and body are sent again.
        body (GenerationCreate): Parameters are top-level fields; which ones a model takes, their
            ranges and defaults depend on the
            model and `mode` (`GET /v1/models/{id}` → `modes[].params_schema`). A parameter the mode
            does not take
            is refused (422 `param_not_supported`).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[GenerationOut | PaymentProblem | Problem | TooManyRequestsProblem]
    """

    kwargs = _get_kwargs(
        body=body,
        idempotency_key=idempotency_key,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    body: GenerationCreate,
    idempotency_key: None | str | Unset = UNSET,
) -> GenerationOut | PaymentProblem | Problem | TooManyRequestsProblem | None:
    """Create

     Generate images with an image model: a base model (e.g. `mdl_flux_1_dev`, `mdl_sdxl_1_0`,
    `mdl_sd_1_5`) or one of your trained LoRAs. Answers 202 with the queued generation; follow it with
    `GET /v1/generations/{id}`.

    **Modes**: `text_to_image` (default), `image_to_image` (`image`, `strength`) and `inpainting`
    (`image`,
    `mask` of the same size, white = repaint), each on its own provider endpoint; which modes a model
    has,
    and the parameters each takes with their ranges and defaults, is in `GET /v1/models/{id}` → `modes`.
    `image` and `mask` are image references: exactly one of `upload_id` (`POST /v1/uploads`),
    `dataset_image_id` or `generation_image_id`.

    **LoRAs**: `model_id` may be a trained LoRA (scale `lora_scale`, default 1) and `loras` adds more
    (up to
    3 in all, e.g. a character and a style, all trained on the same base model; `model_id` may then be
    that
    base model). **Every LoRA's trigger word is put in front of your prompt when the prompt does not
    already
    contain it** (whole word, case-insensitive); `prompt` in the answer is the prompt as sent.

    Outputs are copied into FotoGen's storage (normalised like uploads: upright, no metadata; `sha256`
    and
    `size_bytes` describe the stored copy) with a 256 px WebP thumbnail each; `url` and `thumbnail_url`
    are short-lived signed URLs made when the generation is read (fetch it again for fresh ones).

    422: `model_not_image`, `model_weights_missing`, `mode_not_supported`, `param_not_supported` (a
    parameter the model's mode does not take), `not_a_lora`, `lora_base_mismatch`, `duplicate_lora`,
    `too_many_loras`, `mask_size_mismatch`, `missing` (`image`/`mask` the mode needs),
    `validation_error`.
    404: `model_not_found`, `upload_not_found`, `image_not_found`, `generation_image_not_found` (unknown
    ids and other owners' alike).

    **Your policy** (`PUT /v1/policy`) applies before anything is created: 422 `prompt_blocked`
    (`prompt`,
    `negative_prompt`), and for an `end_user` 429 `quota_exceeded` (`generation_images_per_day` counts
    `num_images`), 402 `insufficient_credits` (`num_images` x `prices.generation_image` reserved,
    captured per
    image delivered), 422 `end_user_required`. With `withhold_nsfw_images` a flagged image is stored
    nowhere
    (`withheld: true`, `url: null`) and not charged; `force_safety_checker` ignores
    `enable_safety_checker: false`.

    Args:
        idempotency_key (None | str | Unset): Replays the first response for 24 h when the same
            key and body are sent again.
        body (GenerationCreate): Parameters are top-level fields; which ones a model takes, their
            ranges and defaults depend on the
            model and `mode` (`GET /v1/models/{id}` → `modes[].params_schema`). A parameter the mode
            does not take
            is refused (422 `param_not_supported`).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        GenerationOut | PaymentProblem | Problem | TooManyRequestsProblem
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
            idempotency_key=idempotency_key,
        )
    ).parsed
