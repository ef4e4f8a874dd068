"""The offline o200k_base count (contract §14.1)."""

from __future__ import annotations

import gzip
import hashlib
from importlib import resources

from emulator.contract import tokenizer


def test_shipped_vocabulary_is_o200k_base() -> None:
    packed = resources.files("emulator.contract.data").joinpath(tokenizer.VOCABULARY).read_bytes()
    assert hashlib.sha256(gzip.decompress(packed)).hexdigest() == tokenizer.VOCABULARY_SHA256


def test_known_token_ids() -> None:
    assert tokenizer.encoding().encode_ordinary("hello world") == [24912, 2375]
    assert tokenizer.count_tokens("a cat in a hat") == 5


def test_special_token_text_is_plain_text() -> None:
    assert tokenizer.count_tokens("<|endoftext|>") > 1


def test_long_and_unicode_prompts() -> None:
    assert tokenizer.count_tokens("") == 0
    assert tokenizer.count_tokens("cat" + " cat" * 4999) == 5000
    assert tokenizer.count_tokens("ラッコの絵本 🦦") > 0
