"""Every error the emulator answers, as the real API words it (contract §9).

One exception type carries the vendor's status, type, param, code and message; the app
renders it into ``{"error": {...}}`` in one place (``transport.wire.error_response``). The
builders below are the only places where error wording lives (the API's, and the emulator's
own ``emulator_error`` ones), so a fixture from the real API that disagrees changes one line
here; a test checks that no other module constructs an ``APIError``.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field

API_KEYS_URL = "https://platform.openai.com/account/api-keys"


@dataclass
class APIError(Exception):
    status: int
    message: str
    type: str = "invalid_request_error"
    param: str | None = None
    code: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    # Keys some errors add after ``code`` (``moderation_details`` of a safety refusal).
    extra: dict[str, object] = field(default_factory=dict)

    def __str__(self) -> str:
        return f"{self.status} {self.code or self.type}: {self.message}"

    def body(self, alphabetical: bool = False) -> dict[str, dict[str, object]]:
        """The envelope. Generations and edits send ``message, type, param, code``; the
        older variations backend sends the keys alphabetically (contract §14.3)."""
        error: dict[str, object] = {
            "message": self.message,
            "type": self.type,
            "param": self.param,
            "code": self.code,
        }
        error |= self.extra
        if alphabetical:
            error = dict(sorted(error.items()))
        return {"error": error}


def quote_list(values: Sequence[str], conjunction: str) -> str:
    """``'a', 'b', and 'c'`` / ``'a' and 'b'`` / ``'a'``, the API's way of listing values."""
    quoted = [f"'{v}'" for v in values]
    if len(quoted) <= 1:
        return "".join(quoted)
    if len(quoted) == 2:
        return f"{quoted[0]} {conjunction} {quoted[1]}"
    return ", ".join(quoted[:-1]) + f", {conjunction} {quoted[-1]}"


# --- request shape -----------------------------------------------------------------


def invalid_json() -> APIError:
    return APIError(
        400,
        "We could not parse the JSON body of your request. (HINT: This likely means you "
        "aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, "
        "but what was sent was not valid JSON. If you have trouble figuring out how to fix "
        "this, please contact us through our help center at help.openai.com.)",
    )


def invalid_url(method: str, path: str) -> APIError:
    return APIError(404, f"Invalid URL ({method} {path})")


def request_too_large(limit: int) -> APIError:
    # Inferred: no public capture of an oversized JSON body on the images endpoints.
    return APIError(
        413,
        f"Request body too large. The maximum request body size is {limit} bytes.",
        code="request_too_large",
    )


def not_multipart(content_type: str) -> APIError:
    # Inferred: the 2025 API took edits and variations as multipart/form-data only.
    return APIError(
        400,
        f"Invalid Content-Type header ({content_type or 'none'}), expected multipart/form-data.",
    )


def multipart_without_boundary(content_type: str) -> APIError:
    # Inferred wording: the type is right, but no part of the body can be found without it.
    return APIError(
        400,
        f"Invalid Content-Type header ({content_type}): the multipart boundary is missing. "
        "Expected multipart/form-data; boundary=<boundary>.",
    )


def malformed_multipart() -> APIError:
    # Inferred wording.
    return APIError(400, "Could not parse multipart form data.")


# --- transport (inferred wording: what a front door says, no public capture) ----------


def unsupported_content_encoding(coding: str, supported: Sequence[str]) -> APIError:
    return APIError(
        400,
        f"Unsupported Content-Encoding '{coding}'. Supported encodings are: "
        f"{quote_list(supported, 'and')}.",
    )


def undecodable_body(coding: str) -> APIError:
    return APIError(
        400,
        f"The request body could not be decoded: it is not valid '{coding}' data, as its "
        "Content-Encoding header says.",
    )


def body_shorter_than_declared(received: int, declared: int) -> APIError:
    return APIError(
        400,
        f"The request body ended after {received} bytes, but its Content-Length header "
        f"announced {declared} bytes.",
    )


def body_stalled(received: int, declared: int | None, seconds: float) -> APIError:
    # The rest of the body may still come later: close, so it is not read as a new request.
    so_far = f"{received} of the {declared} bytes its Content-Length header announced"
    return APIError(
        400,
        f"The request body stopped arriving after {so_far if declared else f'{received} bytes'}"
        f" (nothing more for {seconds:g} s).",
        headers={"connection": "close"},
    )


# --- parameters ----------------------------------------------------------------------


def unknown_parameter(name: str) -> APIError:
    return APIError(400, f"Unknown parameter: '{name}'.", param=name, code="unknown_parameter")


def missing_required_parameter(name: str) -> APIError:
    return APIError(
        400,
        f"Missing required parameter: '{name}'.",
        param=name,
        code="missing_required_parameter",
    )


# How the API names the JSON types in "Invalid type for 'x': expected …, but got … instead."
EXPECTED_TYPE_NAMES = {
    "string": "a string",
    "array": "an array",
    "object": "an object",
    "boolean": "a boolean",
    "integer": "an integer",
    "number": "a decimal",
    "null": "null",
}
GOT_TYPE_NAMES = {**EXPECTED_TYPE_NAMES, "number": "a decimal number"}


def json_type(value: object) -> str:
    """``value``'s JSON type: string, array, object, boolean, integer, number or null."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def json_type_name(value: object) -> str:
    """The API's name for a JSON value's type, as the "but got … instead" part says it."""
    return GOT_TYPE_NAMES[json_type(value)]


def wrong_type(name: str, expected: Sequence[str], value: object) -> APIError:
    """``value`` is none of the JSON types ``expected`` (e.g. ("string", "array"))."""
    wanted = " or ".join(EXPECTED_TYPE_NAMES[kind] for kind in expected)
    return invalid_type(name, wanted, json_type_name(value))


def invalid_base64(param: str) -> APIError:
    # Inferred after the API's patterns: an earlier image passed back with a broken result.
    return APIError(
        400,
        f"Invalid '{param}': expected base64-encoded image data.",
        param=param,
        code="invalid_value",
    )


def invalid_type(name: str, expected: str, got: str) -> APIError:
    return APIError(
        400,
        f"Invalid type for '{name}': expected {expected}, but got {got} instead.",
        param=name,
        code="invalid_type",
    )


def invalid_value(name: str, value: str, supported: Sequence[str]) -> APIError:
    return APIError(
        400,
        f"Invalid value: '{value}'. Supported values are: {quote_list(supported, 'and')}.",
        param=name,
        code="invalid_value",
    )


def integer_above_max(name: str, maximum: int, got: int) -> APIError:
    return APIError(
        400,
        f"Invalid '{name}': integer above maximum value. "
        f"Expected a value <= {maximum}, but got {got} instead.",
        param=name,
        code="integer_above_max_value",
    )


def integer_below_min(name: str, minimum: int, got: int) -> APIError:
    return APIError(
        400,
        f"Invalid '{name}': integer below minimum value. "
        f"Expected a value >= {minimum}, but got {got} instead.",
        param=name,
        code="integer_below_min_value",
    )


def invalid_size(name: str, value: str, rule: str) -> APIError:
    # Inferred wording (no public capture): the API's "Invalid 'x': ..." pattern.
    return APIError(
        400,
        f"Invalid '{name}': {rule}, but got '{value}' instead.",
        param=name,
        code="invalid_value",
    )


def string_too_long(name: str, maximum: int, got: int) -> APIError:
    return APIError(
        400,
        f"Invalid '{name}': string too long. Expected a string with maximum length "
        f"{maximum}, but got a string with length {got} instead.",
        param=name,
        code="string_above_max_length",
    )


def empty_string(name: str) -> APIError:
    # Inferred from the API's wording on other endpoints.
    return APIError(
        400,
        f"Invalid '{name}': empty string. Expected a string with minimum length 1, "
        "but got an empty string instead.",
        param=name,
        code="empty_string",
    )


def transparent_needs_alpha_format(output_format: str = "jpeg") -> APIError:
    return APIError(
        400,
        f"Transparent background is not supported for {output_format.upper()} output format",
        param="background",
        code="invalid_value",
    )


# --- dated answers (eras) ----------------------------------------------------------------


def model_not_found(model: str) -> APIError:
    # Quoted (contract §9.2 row 26): what a retired model answers.
    return APIError(
        404,
        f"The model `{model}` does not exist or you do not have access to it.",
        code="model_not_found",
    )


def model_does_not_exist(model: str) -> APIError:
    # Recorded on 2026-04-17 (an unknown model on generations).
    return APIError(
        400,
        f"The model '{model}' does not exist.",
        type="image_generation_user_error",
        param="model",
        code="invalid_value",
    )


def dall_e_3_single_image() -> APIError:
    # Quoted (contract §9.2 row 8): the 2023-24 wording, before the generic bound.
    return APIError(400, "You must provide n=1 for this model.")


def transparent_not_supported_for_model() -> APIError:
    # Quoted fragment (contract §11.1): gpt-image-2 at launch, before the 2026-08-20 preview.
    return APIError(
        400,
        "Transparent background is not supported for this model.",
        param="background",
        code="invalid_value",
    )


# --- later models (contract §11; wording inferred where no capture exists) ---------------


def input_fidelity_not_supported(model: str) -> APIError:
    # Quoted (contract §11.1): gpt-image-2 always works at high fidelity.
    return APIError(
        400,
        f"The model '{model}' does not support the 'input_fidelity' parameter.",
        type="image_generation_user_error",
        param="input_fidelity",
        code="invalid_input_fidelity_model",
    )


def not_supported_for_format(param: str, what: str, output_format: str) -> APIError:
    # Inferred, after "Compression less than 100 is not supported for PNG output format."
    return APIError(
        400,
        f"{what} is not supported for {output_format.upper()} output format.",
        param=param,
        code="invalid_value",
    )


def only_for_format(param: str, output_format: str) -> APIError:
    return APIError(
        400,
        f"'{param}' is only supported with output_format '{output_format}'.",
        param=param,
        code="invalid_value",
    )


def markup_with_mask() -> APIError:
    return APIError(
        400, "'markup' cannot be combined with 'mask'.", param="markup", code="invalid_value"
    )


def compression_needs_lossy_format() -> APIError:
    # Wording as reported by users of the real API; not in the contract's sources.
    return APIError(
        400,
        "Compression less than 100 is not supported for PNG output format.",
        param="output_compression",
        code="invalid_value",
    )


# --- uploads (contract §2.1, §4.2, §5, §14.5) ------------------------------------------

_IMAGE_USER_ERROR = "image_generation_user_error"


def unsupported_mimetype(param: str, mimetype: str, supported: Sequence[str]) -> APIError:
    return APIError(
        400,
        f"Invalid file '{param}': unsupported mimetype ('{mimetype}'). "
        f"Supported file formats are {quote_list(supported, 'and')}.",
        param=param,
        code="unsupported_file_mimetype",
    )


def missing_mimetype(param: str) -> APIError:
    return APIError(
        400,
        f"Invalid file '{param}': failed to determine mimetype. Ensure you are providing the "
        "file's mimetype as part of the 'Content-Type' header.",
        param=param,
        code="missing_file_mimetype",
    )


def invalid_image_file(index: int) -> APIError:
    # The typo ("the your") and the 0-based index are the API's own (recorded 2025-04).
    return APIError(
        400,
        f"Invalid image file or mode for image {index}, please check the your image file.",
        code="invalid_image_file",
    )


def empty_array(param: str) -> APIError:
    # Inferred from the API's wording for strings and long arrays.
    return APIError(
        400,
        f"Invalid '{param}': empty array. Expected an array with minimum length 1, but got an "
        "empty array instead.",
        param=param,
        code="empty_array",
    )


def array_too_long(param: str, maximum: int, got: int) -> APIError:
    return APIError(
        400,
        f"Invalid '{param}': array too long. Expected an array with maximum length {maximum}, "
        f"but got an array with length {got} instead.",
        param=param,
        code="array_above_max_length",
    )


def file_too_large(param: str, maximum: int, got: int) -> APIError:
    # Inferred: no public capture of a gpt-image upload over the limit.
    return APIError(
        400,
        f"Invalid file '{param}': file too large. Expected a file of at most {maximum} bytes, "
        f"but got a file of {got} bytes instead.",
        param=param,
        code="file_too_large",
    )


def image_too_many_pixels(param: str, width: int, height: int, maximum: int) -> APIError:
    # Inferred: the emulator's guard against decompression bombs.
    shown = f"image of {width}x{height} pixels" if width and height else "image"
    return APIError(
        400,
        f"Invalid file '{param}': {shown} is too large. Expected at most {maximum} pixels.",
        param=param,
        code="image_too_large",
    )


def dall_e_png_required() -> APIError:
    return APIError(
        400, "Uploaded image must be a PNG and less than 4 MB.", code="invalid_image_format"
    )


def mask_png_required(param: str = "mask") -> APIError:
    # Inferred from the image's wording; the mask limit is the spec's 4 MB.
    return APIError(
        400,
        f"Uploaded {param} must be a PNG and less than 4 MB.",
        param=param,
        code="invalid_image_format",
    )


def input_image_mode(allowed: Sequence[str], got: str, type: str = _IMAGE_USER_ERROR) -> APIError:
    listed = ", ".join(f"'{mode}'" for mode in allowed)
    return APIError(
        400, f"Invalid input image - format must be in [{listed}], got {got}.", type=type
    )


def input_image_not_square(width: int, height: int, type: str = _IMAGE_USER_ERROR) -> APIError:
    return APIError(
        400,
        "Invalid input image - expected an image with equal width and height, "
        f"got {width}x{height} instead.",
        type=type,
    )


def mask_without_alpha(mode: str, param: str = "mask") -> APIError:
    # Inferred, after the input image's wording.
    return APIError(
        400,
        f"Invalid {param} image - format must be in ['RGBA', 'LA'], got {mode}.",
        param=param,
    )


def mask_size_mismatch(
    mask: tuple[int, int], image: tuple[int, int], param: str = "mask"
) -> APIError:
    # Inferred, after the input image's wording.
    return APIError(
        400,
        f"Invalid {param} image - expected a {param} with the same dimensions as the image "
        f"({image[0]}x{image[1]}), got {mask[0]}x{mask[1]} instead.",
        param=param,
    )


def markup_without_transparency() -> APIError:
    # Inferred: the SDK says markup "must ... contain transparent pixels".
    return APIError(
        400,
        "Invalid markup image - it must contain transparent pixels, so the image shows through.",
        param="markup",
    )


def additional_properties(names: Sequence[str]) -> APIError:
    listed = ", ".join(f"'{name}'" for name in sorted(names))
    verb = "was" if len(names) == 1 else "were"
    return APIError(400, f"Additional properties are not allowed ({listed} {verb} unexpected)")


def variation_model(model: str) -> APIError:
    return APIError(400, f"Invalid model {model}. The model argument should be left blank.")


# --- auth ----------------------------------------------------------------------------

_AUTH_HEADERS = {"www-authenticate": 'Bearer realm="OpenAI API"'}


def missing_api_key() -> APIError:
    return APIError(
        401,
        "You didn't provide an API key. You need to provide your API key in an "
        "Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY), or "
        "as the password field (with blank username) if you're accessing the API from your "
        "browser and are prompted for a username and password. You can obtain an API key "
        f"from {API_KEYS_URL}.",
        headers=dict(_AUTH_HEADERS),
    )


def mask_api_key(key: str) -> str:
    """Long keys as the API shows them (first 8, stars, last 4); short ones verbatim."""
    if len(key) <= 12:
        return key
    return key[:8] + "*" * (len(key) - 12) + key[-4:]


def incorrect_api_key(key: str) -> APIError:
    return APIError(
        401,
        f"Incorrect API key provided: {mask_api_key(key)}. "
        f"You can find your API key at {API_KEYS_URL}.",
        code="invalid_api_key",
        headers=dict(_AUTH_HEADERS),
    )


def mismatched_header(header: str, what: str) -> APIError:
    # The API's answer to an organisation or project header that does not fit the key.
    return APIError(
        401,
        f"{header} header should match {what} for API key.",
        code=f"mismatched_{what}",
        headers=dict(_AUTH_HEADERS),
    )


# --- JSON edits and their image references ---------------------------------------------


def json_edit_gpt_image_only(model: str) -> APIError:
    # Inferred wording; the spec: "JSON edits support GPT image models only".
    return APIError(
        400,
        f"Invalid value: '{model}'. JSON edits support GPT image models only; send "
        "multipart/form-data to edit with dall-e-2.",
        param="model",
        code="invalid_value",
    )


def invalid_image_reference(param: str) -> APIError:
    return APIError(
        400,
        f"Invalid '{param}': expected an object with exactly one of 'image_url' or 'file_id'.",
        param=param,
        code="invalid_value",
    )


def _shown_url(url: str) -> str:
    return url if len(url) <= 200 else url[:200] + "…"


def image_download_failed(param: str, url: str, why: str) -> APIError:
    return APIError(
        400,
        f"Error while downloading {_shown_url(url)}: {why}.",
        param=param,
        code="invalid_image_url",
    )


def image_url_not_fetched(param: str, url: str) -> APIError:
    # The emulator's own refusal: it reaches no network unless told to.
    return APIError(
        400,
        f"The emulator does not fetch image URLs from the network: '{_shown_url(url)}' is "
        "neither a data: URL nor one of the emulator's own image URLs. Start it with "
        "--fetch-image-urls (IMAGES_EMULATOR_FETCH_IMAGE_URLS=true) to fetch it.",
        param=param,
        code="invalid_image_url",
    )


# --- the Files API ------------------------------------------------------------------------


def no_such_file(file_id: str, param: str = "id") -> APIError:
    return APIError(404, f"No such File object: {file_id}", param=param)


def file_store_full(max_mb: int) -> APIError:
    # The emulator's own bound, worded so a test suite knows what to change.
    return APIError(
        400,
        f"The emulator's file store is full ({max_mb} MB in all): delete files or "
        "start it with a larger --files-store-mb (IMAGES_EMULATOR_FILES_STORE_MB).",
        code="file_store_full",
    )


# --- what the API does after validation: rate limits, quota, moderation (faults) -----------

# The organisation named in rate-limit messages.
ORGANIZATION = "org-emulator"


def rate_limited(
    model: str,
    dall_e_wording: bool,
    retry_after: int,
    ratelimit_headers: bool,
) -> APIError:
    """DALL·E and GPT image models word their rate limits differently (contract §9.2)."""
    if dall_e_wording:
        message = (
            f"Rate limit exceeded for images per minute in organization {ORGANIZATION}. "
            "Limit: 0/1min. Current: 1/1min. Please visit "
            "https://platform.openai.com/docs/guides/rate-limits to learn how to increase your "
            "rate limit."
        )
    else:
        message = (
            f"Rate limit reached for {model} in organization {ORGANIZATION} on images per min "
            f"(IPM): Limit 5, Used 5, Requested 1. Please try again in {retry_after}s. "
            "Visit https://platform.openai.com/account/rate-limits to learn more."
        )
    headers = {"retry-after": str(retry_after)}
    if ratelimit_headers:
        headers.update(
            {
                "x-ratelimit-limit-requests": "5",
                "x-ratelimit-remaining-requests": "0",
                "x-ratelimit-reset-requests": f"{retry_after}s",
            }
        )
    return APIError(429, message, type="requests", code="rate_limit_exceeded", headers=headers)


def insufficient_quota() -> APIError:
    return APIError(
        429,
        "You exceeded your current quota, please check your plan and billing details.",
        type="insufficient_quota",
        code="insufficient_quota",
    )


def engine_overloaded() -> APIError:
    return APIError(
        503, "The engine is currently overloaded, please try again later", type="server_error"
    )


def unverified_organization(model: str) -> APIError:
    return APIError(
        403,
        f"Your organization must be verified to use the model `{model}`. Please go to: "
        "https://platform.openai.com/settings/organization/general and click on Verify "
        "Organization. If you just verified, it can take up to 15 minutes for access to "
        "propagate.",
    )


def safety_refusal(
    dall_e_wording: bool, request_id: str, details: bool = False, stage: str = "input"
) -> APIError:
    """The safety system's refusal: DALL·E and GPT image models word it differently; from
    2026-09-20 a GPT image model's adds ``moderation_details`` (``details``: the stage that
    refused, input or output, and the categories; docs/contract.md §9.1, §9.2 row 21)."""
    if dall_e_wording:
        return APIError(
            400,
            "Your request was rejected as a result of our safety system. Your prompt may "
            "contain text that is not allowed by our safety system.",
            code="content_policy_violation",
        )
    return APIError(
        400,
        "Your request was rejected by the safety system. If you believe this is an error, "
        f"contact us at help.openai.com and include the request ID {request_id}. "
        "safety_violations=[sexual].",
        type="image_generation_user_error",
        code="moderation_blocked",
        extra=(
            {"moderation_details": {"moderation_stage": stage, "categories": ["sexual"]}}
            if details
            else {}
        ),
    )


SAFETY_CODES = ("moderation_blocked", "content_policy_violation")


def image_refusal_of_response(refused: APIError) -> dict[str, str]:
    """A Responses answer's ``error`` when the safety system refused its image: the SDK's
    ``ResponseError`` code for it, the Images API's wording (inferred)."""
    return {"code": "image_content_policy_violation", "message": refused.message}


# --- the Responses API (no recording has an error body of the image tool: inferred after
# the API's patterns) ------------------------------------------------------------------------


def response_model_not_found(model: str) -> APIError:
    return APIError(
        400,
        f"The requested model '{model}' does not exist.",
        param="model",
        code="model_not_found",
    )


def image_model_as_response_model(model: str) -> APIError:
    return APIError(
        400,
        f"The model '{model}' is an image model: name a text model as 'model' and the image "
        "model in the image_generation tool's 'model'.",
        param="model",
        code="invalid_value",
    )


def tool_option(error: APIError, index: int) -> APIError:
    """An Images API error about a tool option, named as the tool's (``tools[0].size``)."""
    if error.param is None:
        return error
    named = f"tools[{index}].{error.param}"
    message = error.message.replace(f"'{error.param}'", f"'{named}'")
    return APIError(error.status, message, error.type, named, error.code, dict(error.headers))


def previous_response_not_found(response_id: str) -> APIError:
    return APIError(
        400,
        f"Previous response with id '{response_id}' not found.",
        param="previous_response_id",
        code="previous_response_not_found",
    )


def input_item_not_found(item_id: str, param: str) -> APIError:
    return APIError(400, f"Item with id '{item_id}' not found.", param=param, code=None)


def response_not_found(response_id: str) -> APIError:
    return APIError(404, f"Response with id '{response_id}' not found.", param=None)


def no_image_to_edit(param: str) -> APIError:
    return APIError(
        400,
        "The image_generation tool was asked to edit, but the input has no image: send an "
        "input_image, pass back an earlier image_generation_call, or use previous_response_id.",
        param=param,
        code="invalid_value",
    )


def function_output_without_call(call_id: str) -> APIError:
    # Quoted: continuedev/continue#10092, microsoft/vscode#320060 (2026).
    return APIError(
        400,
        f"No tool call found for function call output with call_id {call_id}.",
        param="input",
    )


def function_call_without_output(call_id: str) -> APIError:
    # Quoted in users' reports (anomalyco/opencode#16717, openai/codex#46193).
    return APIError(400, f"No tool output found for function call {call_id}.", param="input")


def unknown_forced_tool(name: str) -> APIError:
    # A forced function the request does not offer; wording inferred.
    return APIError(
        400,
        f"Tool choice 'function' with name '{name}' not found in 'tools' parameter.",
        param="tool_choice",
        code="invalid_value",
    )


def background_needs_store() -> APIError:
    # Background responses are kept for polling, so they must be stored (the background-mode
    # guide); the wording is inferred.
    return APIError(
        400,
        "Background mode requires the response to be stored: send store=true (the default) "
        "with background=true.",
        param="store",
        code="invalid_value",
    )


def cancel_not_background() -> APIError:
    # Only background responses can be cancelled (the SDK's docstring); the wording is
    # inferred, after vLLM's implementation of the same rule (vllm-project/vllm#57999).
    return APIError(400, "Cannot cancel a synchronous response.", param=None)


def stream_not_background(response_id: str) -> APIError:
    # Resuming a stream (GET ?stream=true) is for background responses; wording inferred.
    return APIError(
        400,
        f"Response {response_id} was not created with background=true: only a background "
        "response's events can be streamed again.",
        param="stream",
        code="invalid_value",
    )


def invalid_starting_after(value: str) -> APIError:
    return APIError(
        400,
        f"Invalid 'starting_after': expected an integer sequence number, got '{value[:40]}'.",
        param="starting_after",
        code="invalid_value",
    )


# --- the Batch API (inferred wordings after the API's patterns) --------------------------------


def no_such_batch(batch_id: str) -> APIError:
    return APIError(404, f"No batch found with id '{batch_id}'.", param=None)


def no_such_webhook_endpoint(endpoint_id: str) -> APIError:
    # Inferred: worded as the batches' and responses' not-found errors are.
    return APIError(404, f"No webhook endpoint found with id '{endpoint_id}'.", param=None)


def webhook_url_invalid(url: str) -> APIError:
    # Inferred wording. The API asks for HTTPS; the emulator also takes http, so that a test's
    # receiver on loopback can be named.
    return APIError(
        400,
        f"Invalid URL: '{url}'. A webhook endpoint's url must be an http(s) URL with a host.",
        param="url",
        code="invalid_url",
    )


def webhook_endpoints_full(limit: int) -> APIError:
    # The emulator's own bound, worded so a test suite knows what to change.
    return APIError(
        400,
        f"The emulator keeps at most {limit} webhook endpoints per namespace: delete one first.",
        param=None,
    )


# --- Azure OpenAI's door (docs/azure.md) -------------------------------------------------------
# Azure's gateway answers with ``{"error": {"code", "message"}}`` only; these codes mark them.
AZURE_GATEWAY_CODES = ("401", "404", "429", "DeploymentNotFound", "BadRequest",
                       "OperationNotSupported")  # fmt: skip


def azure_access_denied() -> APIError:
    return APIError(
        401,
        "Access denied due to invalid subscription key or wrong API endpoint. Make sure to "
        "provide a valid key for an active subscription and use a correct regional API "
        "endpoint for your resource.",
        code="401",
    )


def azure_deployment_not_found() -> APIError:
    return APIError(
        404,
        "The API deployment for this resource does not exist. If you created the deployment "
        "within the last 5 minutes, please wait a moment and try again.",
        code="DeploymentNotFound",
    )


def azure_resource_not_found() -> APIError:
    # Azure's answer to a path it does not serve, or a deployments path with no api-version.
    return APIError(404, "Resource not found", code="404")


def azure_version_unsupported() -> APIError:
    return APIError(400, "API version not supported", code="BadRequest")


def azure_model_not_on_version(model: str, version: str) -> APIError:
    # Inferred wording: no capture of this refusal was found.
    return APIError(
        400,
        f"The model {model} is not supported on API version {version}: use 2025-04-01-preview "
        "or later.",
        code="OperationNotSupported",
    )


def azure_image_deployment_missing() -> APIError:
    # Inferred wording: sources say only that the call is a 400 without the header.
    return APIError(
        400,
        "The image_generation tool needs the header x-ms-oai-image-generation-deployment "
        "naming an image model deployment.",
        param="tools",
    )


def azure_error_body(
    status: int, error: dict[str, object], operation: str, version: str, retry_after: int
) -> dict[str, object]:
    """An OpenAI error body as Azure's door answers it: the gateway's own errors as
    ``{code, message}``, a 429 in Azure's words, a DALL·E refusal with ``inner_error``, a
    GPT image refusal pointing at Azure support."""
    code = error.get("code")
    if status == 401:
        code, error = "401", azure_access_denied().body()["error"]
    if status == 429:
        message = (
            f"Requests to the {operation} Operation under Azure OpenAI API version {version} "
            "have exceeded call rate limit of your current OpenAI S0 pricing tier. Please retry "
            f"after {retry_after} seconds. Please go here: https://aka.ms/oai/quotaincrease if "
            "you would like to further increase the default rate limit."
        )
        return {"error": {"code": "429", "message": message}}
    if code in AZURE_GATEWAY_CODES:
        return {"error": {"code": code, "message": error.get("message")}}
    if code == "content_policy_violation":
        inner = {
            "code": "ResponsibleAIPolicyViolation",
            "content_filter_results": {"jailbreak": {"detected": False, "filtered": False}},
        }
        return {"error": {"code": code, "inner_error": inner, "message": error.get("message"),
                          "type": error.get("type")}}  # fmt: skip
    if code == "moderation_blocked":
        message = str(error.get("message")).replace(
            "contact us at help.openai.com", "contact us at Azure support ticket"
        )
        return {"error": {**error, "message": message}}
    return {"error": error}


def background_interrupted() -> dict[str, str]:
    """A background response's ``error`` when a restart of the emulator (``--data-dir``)
    ended it unfinished (the emulator's own case, worded by it)."""
    return {
        "code": "server_error",
        "message": "The emulator restarted before this background response finished; "
        "create it again.",
    }


def batch_file_purpose(file_id: str, purpose: str) -> APIError:
    return APIError(
        400,
        f"The file {file_id} was uploaded with purpose '{purpose}': a batch's input file must "
        "have purpose 'batch'.",
        param="input_file_id",
        code="invalid_value",
    )


def batch_endpoint_not_emulated(
    endpoint: str, day: str | None, images_from: datetime.date
) -> APIError:
    if endpoint.startswith("/v1/images") and day is not None:
        since = images_from.isoformat()
        why = f"the Batch API took image endpoints from {since} on (answering as of {day})"
    else:
        why = (
            "the emulator answers batches of /v1/images/generations, /v1/images/edits and "
            "/v1/responses"
        )
    return APIError(
        400, f"Invalid value: '{endpoint}': {why}.", param="endpoint", code="invalid_value"
    )


def batch_not_cancellable(batch_id: str, status: str) -> APIError:
    return APIError(
        400,
        f"Cannot cancel batch {batch_id} with status '{status}'.",
        param=None,
        code="invalid_request",
    )


# A batch input file's problems, each an item of the batch's ``errors.data`` (codes after the
# API's; wording inferred where no answer is on record).
BATCH_FILE_PROBLEMS = {
    "file_too_large": "The input file is larger than {limit} bytes.",
    "invalid_json_line": "This line is not parseable as valid JSON.",
    "missing_required_parameter": "Each line needs custom_id, method, url and body.",
    "mismatched_endpoint": "The line's url {url!r} is not the batch's endpoint {endpoint!r}.",
    "invalid_method": "Only POST lines are supported.",
    "invalid_custom_id": "The custom_id must be a non-empty string, got {shown}.",
    "duplicate_custom_id": "The custom_id {custom_id!r} is used by an earlier line.",
    "too_many_requests": "A batch takes at most {limit} requests.",
    "empty_file": "The input file has no requests.",
    # The batch as a whole (the emulator's own failures, scripted or not).
    "batch_failed": "The batch failed (a scripted fault).",
    "server_error": "The batch could not be completed (an error of the emulator's).",
}


def batch_file_problem(
    code: str, line: int | None, param: str | None = None, **fields: object
) -> dict[str, object]:
    return {
        "code": code,
        "line": line,
        "message": BATCH_FILE_PROBLEMS[code].format(**fields),
        "param": param,
    }


# A line the batch never ran, by how the batch ended: the row's ``error`` in the error file.
BATCH_LINES_NOT_RUN = {
    "expired": (
        "batch_expired",
        "This request could not be executed before the completion window expired.",
    ),
    "cancelled": ("batch_cancelled", "This request was not executed: the batch was cancelled."),
    "failed": ("batch_failed", "This request was not executed: the batch failed."),
    "completed": ("batch_failed", "This request was not executed."),
}


def batch_line_not_run(ended: str) -> dict[str, str]:
    code, message = BATCH_LINES_NOT_RUN[ended]
    return {"code": code, "message": message}


def batch_output_too_large() -> dict[str, str]:
    """An answered line whose output the emulator's file store has no room for."""
    message = (
        "The answer did not fit in the emulator's file store (--files-store-mb); it was not kept."
    )
    return {"code": "batch_output_too_large", "message": message}


# --- the emulator's own controls (type emulator_error) -------------------------------------


def fault_pattern_timeout(fault_id: int, pattern: str, limit_ms: float) -> APIError:
    """Only the request whose prompt was being matched fails; the fault stays queued."""
    return APIError(
        400,
        f"The emulator's scripted fault {fault_id} has a prompt_pattern "
        f"({pattern!r}) that took longer than {limit_ms:g} ms to "
        "match this prompt. Script a simpler pattern (one without nested repetition).",
        type="emulator_error",
        code="fault_pattern_timeout",
    )


def turn_pattern_timeout(turn_id: int, pattern: str) -> APIError:
    return APIError(
        400,
        f"The emulator's scripted turn {turn_id} has a pattern ({pattern!r}) that took too "
        "long to match this input. Script a simpler pattern.",
        type="emulator_error",
        code="turn_pattern_timeout",
    )


def scripted_tool_not_offered(turn_id: int, tool: str) -> APIError:
    return APIError(
        400,
        f"The emulator's scripted turn {turn_id} calls {tool}, which this request's tools do "
        "not offer: the model can only call a tool it is given.",
        param="tools",
        type="emulator_error",
        code="scripted_tool_not_offered",
    )


def invalid_namespace(name: str) -> APIError:
    return APIError(
        400,
        f"Invalid namespace {name[:80]!r}: 1 to 64 letters, digits, '.', '_', ':' or '-'.",
        type="emulator_error",
        code="invalid_namespace",
    )


def namespace_of_another_key(name: str) -> APIError:
    return APIError(
        403,
        f"With --namespace-by-key a key reaches its own namespace only, not {name[:80]!r}.",
        type="emulator_error",
        code="namespace_of_another_key",
    )


def too_many_namespaces(limit: int) -> APIError:
    return APIError(
        400,
        f"The emulator keeps at most {limit} namespaces and every one is in use: reuse one, "
        "reset the emulator (POST /_emulator/reset frees them all), or wait for idle ones to "
        "expire.",
        type="emulator_error",
        code="too_many_namespaces",
    )


def no_recording(method: str, path: str, closest: str | None, differs: list[str]) -> APIError:
    """--replay-strict: nothing recorded matches (the closest recording and how it differs)."""
    hint = (
        f" The closest recording is {closest!r}, which differs in: {', '.join(differs)}."
        if closest
        else " The recordings folder holds nothing for it."
    )
    return APIError(
        400,
        f"No recording matches {method} {path} (--replay-strict).{hint}",
        type="emulator_error",
        code="no_recording",
    )


def upstream_unreachable(upstream: str, why: str) -> APIError:
    return APIError(
        502,
        f"The emulator could not reach the upstream it records from ({upstream}): {why}.",
        type="emulator_error",
        code="upstream_unreachable",
    )


def control_cross_origin(origin: str) -> APIError:
    return APIError(
        403,
        f"The control plane refuses writes from pages of another origin ({origin[:200]}): "
        "allow it with --control-origins.",
        type="emulator_error",
        code="cross_origin_refused",
    )


def control_needs_json(content_type: str) -> APIError:
    return APIError(
        415,
        "The control plane takes JSON bodies only (Content-Type: application/json), got "
        f"{content_type[:100] or 'no Content-Type'}.",
        type="emulator_error",
        code="unsupported_media_type",
    )


def invalid_as_of(message: str) -> APIError:
    return APIError(400, f"{message}.", type="emulator_error", code="invalid_as_of")


# --- the control plane's and the inspector's refusals: ``{"error": {"message"}}`` ------------
# (the emulator's own plain body, which these routes have always answered)


def control_refusal(message: str) -> dict[str, dict[str, str]]:
    return {"error": {"message": message}}


def control_not_json(detail: str) -> str:
    return f"the body must be JSON: {detail}"


CONTROL_NOT_AN_OBJECT = "the body must be an object"
CLOCK_NUMBERS = "'at' and 'advance' are numbers of seconds"
JOURNAL_STATUS = "status must be a number"
FAULTS_ARE_OBJECTS = "each fault is an object"
TURNS_ARE_OBJECTS = "each scripted turn is an object"
LENIENT_USAGE = 'send {"lenient": true} or {"lenient": false}'
JOURNAL_IMAGE_DROPPED = "image dropped: the journal keeps images within --journal-images-mb"


def control_usage(usage: str) -> str:
    return f"send {usage}"


def no_such_asset(name: str) -> str:
    return f"no such file: {name}"


# --- server --------------------------------------------------------------------------


def server_error() -> APIError:
    return APIError(
        500,
        "The server had an error while processing your request. Sorry about that!",
        type="server_error",
    )
