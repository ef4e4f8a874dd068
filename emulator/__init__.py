"""openai-images-emulator: an offline emulator of the OpenAI Images API."""

from __future__ import annotations

__version__ = "0.1.0"

from .app import create_app
from .config import Config

__all__ = ["Config", "__version__", "create_app"]
