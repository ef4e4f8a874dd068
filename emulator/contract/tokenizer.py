"""Offline o200k_base token counts for prompts (contract §14.1).

The vocabulary ships in this package (``data/o200k_base.tiktoken.gz``, the file tiktoken
would download, checked against tiktoken's own hash on load); tiktoken does the counting.
Nothing is fetched at run time.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import threading
from importlib import resources

import tiktoken

VOCABULARY = "o200k_base.tiktoken.gz"
# tiktoken_ext.openai_public's expected hash for o200k_base.
VOCABULARY_SHA256 = "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d"

# The pre-tokenisation pattern of o200k_base, as tiktoken_ext.openai_public defines it.
_PATTERN = "|".join(
    [
        r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?""",
        r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?""",
        r"""\p{N}{1,3}""",
        r""" ?[^\s\p{L}\p{N}]+[\r\n/]*""",
        r"""\s*[\r\n]+""",
        r"""\s+(?!\S)""",
        r"""\s+""",
    ]
)
_SPECIAL_TOKENS = {"<|endoftext|>": 199999, "<|endofprompt|>": 200018}

_lock = threading.Lock()
_encoding: tiktoken.Encoding | None = None


def _load() -> tiktoken.Encoding:
    packed = resources.files("emulator.contract.data").joinpath(VOCABULARY).read_bytes()
    raw = gzip.decompress(packed)
    if hashlib.sha256(raw).hexdigest() != VOCABULARY_SHA256:
        raise RuntimeError(f"{VOCABULARY} does not match o200k_base; reinstall the package")
    ranks = {
        base64.b64decode(token): int(rank)
        for token, rank in (line.split() for line in raw.splitlines() if line)
    }
    return tiktoken.Encoding(
        name="o200k_base",
        pat_str=_PATTERN,
        mergeable_ranks=ranks,
        special_tokens=_SPECIAL_TOKENS,
    )


def encoding() -> tiktoken.Encoding:
    """The o200k_base encoding, loaded once (about a quarter of a second)."""
    global _encoding
    if _encoding is None:
        with _lock:
            if _encoding is None:
                _encoding = _load()
    return _encoding


def count_tokens(text: str) -> int:
    # Special-token text in a prompt is ordinary text to the API.
    return len(encoding().encode_ordinary(text))
