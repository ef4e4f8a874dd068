"""The contract's pure rules called directly, without a server: parameter kinds, the
cross-parameter rules, token accounting and the dated catalog. Fast, and a failure points
at the rule rather than at an endpoint."""

from __future__ import annotations

import datetime

import pytest

from emulator.contract import eras, rules
from emulator.contract.catalog import CATALOG, IMPLIED_SETTINGS
from emulator.contract.errors import APIError
from emulator.contract.params import Choice, Files, FreeSize, Integer, Text, Upload
from emulator.contract.parts import FormField
from emulator.contract.tokenizer import count_tokens
from emulator.contract.usage import (
    edit_usage,
    generation_usage,
    image_tiles,
    with_partial_images,
)
from emulator.contract.validation import check_request

GPT_IMAGE_1 = CATALOG.models["gpt-image-1"]
GPT_IMAGE_1_5 = CATALOG.models["gpt-image-1.5"]


def refused(call: object, *args: object) -> APIError:
    with pytest.raises(APIError) as caught:
        call(*args)  # type: ignore[operator]
    return caught.value


# --- parameter kinds --------------------------------------------------------------------


def test_text_kind() -> None:
    assert Text(max_length=5).check("prompt", "otter") == "otter"
    assert refused(Text(max_length=5).check, "prompt", "otters").code == "string_above_max_length"
    assert refused(Text().check, "prompt", 3).message == (
        "Invalid type for 'prompt': expected a string, but got an integer instead."
    )
    assert refused(Text(non_empty=True).check, "prompt", "").param == "prompt"


def test_integer_kind_takes_whole_floats_and_refuses_booleans() -> None:
    n = Integer(1, 10)
    assert n.check("n", 2.0) == 2
    assert refused(n.check, "n", True).code == "invalid_type"
    assert refused(n.check, "n", 2.5).code == "invalid_type"
    assert refused(n.check, "n", 11).code == "integer_above_max_value"
    assert refused(n.check, "n", 0).code == "integer_below_min_value"
    assert n.from_form("3") == 3


def test_choice_kind_lists_its_values() -> None:
    error = refused(Choice(("low", "high")).check, "quality", "ultra")
    assert error.message == ("Invalid value: 'ultra'. Supported values are: 'low' and 'high'.")
    assert error.code == "invalid_value"


@pytest.mark.parametrize(
    ("size", "rule"),
    [
        ("1000x1000", "multiples of 16"),
        ("4096x1024", "longest edge"),
        ("3840x1200", "aspect ratio"),
        ("512x512", "at least"),
        ("1280", "WIDTHxHEIGHT"),
    ],
)
def test_free_size_names_the_first_broken_rule(size: str, rule: str) -> None:
    assert rule in refused(FreeSize().check, "size", size).message
    assert FreeSize().check("size", "1536x864") == "1536x864"


def test_files_kind_counts_its_parts() -> None:
    parts = [FormField("image[]", "x")] * 3
    assert refused(Files(max_count=2, array=True).check, "image", Upload(parts, True)).code
    assert refused(Files().check, "image", "a string").code == "invalid_type"


# --- cross-parameter rules ----------------------------------------------------------------


def test_transparency_needs_an_alpha_format() -> None:
    rules.transparent_needs_alpha_format({"background": "transparent", "output_format": "webp"})
    error = refused(
        rules.transparent_needs_alpha_format,
        {"background": "transparent", "output_format": "jpeg"},
    )
    assert error.param == "background"


def test_png_takes_no_compression() -> None:
    rules.compression_needs_lossy_format({"output_format": "png", "output_compression": 100})
    rules.compression_needs_lossy_format({"output_format": "webp", "output_compression": 50})
    assert refused(
        rules.compression_needs_lossy_format, {"output_format": "png", "output_compression": 50}
    )


def test_gif_and_svg_limits() -> None:
    rules.animation_and_vector_limits({"output_format": "gif", "frame_count": 4, "n": 2})
    assert refused(rules.animation_and_vector_limits, {"output_format": "gif", "stream": True})
    assert refused(rules.animation_and_vector_limits, {"output_format": "svg", "n": 2})
    assert refused(rules.animation_and_vector_limits, {"output_format": "png", "frame_count": 4})


def test_markup_and_mask_exclude_each_other() -> None:
    rules.markup_excludes_mask({"markup": object()})
    assert refused(rules.markup_excludes_mask, {"markup": object(), "mask": object()})


# --- usage ----------------------------------------------------------------------------------


def test_generation_usage_is_the_table_times_n() -> None:
    usage = generation_usage(GPT_IMAGE_1, "an otter", "low", "1024x1024", n=2)
    text = 2 * (count_tokens("an otter") + GPT_IMAGE_1.prompt_token_overhead)
    assert usage == {
        "input_tokens": text,
        "input_tokens_details": {"image_tokens": 0, "text_tokens": text},
        "output_tokens": 2 * 272,
        "total_tokens": text + 544,
    }
    assert "output_tokens_details" in generation_usage(GPT_IMAGE_1_5, "x", "low", "1024x1024", 1)


@pytest.mark.parametrize(
    ("width", "height", "tiles"),
    [(512, 512, 1), (1024, 1024, 1), (1024, 1025, 1), (1024, 1536, 2), (4096, 1024, 4)],
)
def test_image_tiles(width: int, height: int, tiles: int) -> None:
    assert image_tiles(width, height) == tiles


def test_edit_usage_counts_every_input_and_fidelity() -> None:
    low = edit_usage(
        GPT_IMAGE_1, "x", [(1024, 1024)], high_fidelity=False, quality="low", size="1024x1024", n=1
    )
    high = edit_usage(
        GPT_IMAGE_1, "x", [(1024, 1024)], high_fidelity=True, quality="low", size="1024x1024", n=1
    )
    details = low["input_tokens_details"]
    assert isinstance(details, dict) and details["image_tokens"] == 65 + 129
    assert high["input_tokens"] == low["input_tokens"] + 4160  # type: ignore[operator]


def test_partial_images_add_output_tokens() -> None:
    usage = generation_usage(GPT_IMAGE_1, "x", "low", "1024x1024", n=1)
    grown = with_partial_images(usage, GPT_IMAGE_1, 2)
    assert grown["output_tokens"] == 272 + 200
    assert grown["total_tokens"] == usage["total_tokens"] + 200  # type: ignore[operator]


# --- the dated catalog ----------------------------------------------------------------------


def test_a_day_before_a_model_s_release_does_not_know_it() -> None:
    before = eras.catalog_at(CATALOG, datetime.date(2025, 3, 1))
    assert "gpt-image-1" not in before.endpoints["generations"].models
    assert "dall-e-3" in before.endpoints["generations"].models


def test_a_retired_model_is_listed_as_retired() -> None:
    later = eras.catalog_at(CATALOG, datetime.date(2026, 11, 1))
    generations = later.endpoints["generations"]
    assert "dall-e-3" in generations.retired and "dall-e-3" not in generations.models
    assert not later.endpoints["variations"].available


def test_the_edits_default_model_changes_on_its_day() -> None:
    assert eras.catalog_at(CATALOG, datetime.date(2026, 2, 9)).endpoints["edits"].default_model == (
        "dall-e-2"
    )
    assert eras.catalog_at(CATALOG, datetime.date(2026, 2, 10)).endpoints[
        "edits"
    ].default_model == ("gpt-image-1.5")


def test_the_header_day_wins_and_a_bad_one_is_the_emulator_s_error() -> None:
    default = datetime.date(2025, 8, 1)
    assert eras.requested_day(None, default) == default
    assert eras.requested_day("2026-01-02", default) == datetime.date(2026, 1, 2)
    error = refused(eras.requested_day, "yesterday", default)
    assert (error.type, error.code) == ("emulator_error", "invalid_as_of")


# --- the implied settings the jobs read -----------------------------------------------------


def test_a_model_without_a_setting_answers_with_the_implied_one() -> None:
    checked = check_request({"prompt": "x", "model": "dall-e-3"}, "generations", CATALOG)
    assert checked.text("output_format") == IMPLIED_SETTINGS["output_format"] == "png"
    assert checked.integer("partial_images") == 0
    assert checked.text("size") == "1024x1024"  # dall-e-3's own default
