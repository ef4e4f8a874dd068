"""The text models that can call the Responses API's image tool, as dated data: one record a
model, beside the image models (``gpt_image_models``, ``catalog``).

Each record carries its release day, and where announced its deprecation, shutdown and
replacement, with the public source of each (``docs/models-and-tokens.md`` lists them):

- SDK: the day a name first appeared in the official Python SDK's ``ChatModel``
  (openai-python ``src/openai/types/shared/chat_model.py``, dated by the SDK's CHANGELOG);
  a dated snapshot name gives its own day where it is earlier.
- DEPRECATIONS: the shutdown days the same file's "Deprecated values" list gives
  (openai-python 3.63.0, 2026-12-03), and the notice each belongs to on the API's
  deprecations page (its section's date is the announcement; the replacement is the
  notice's first recommendation), as compiled in pydantic-ai 2.78.0
  ``providers/_model_deprecations.py``.

What no source gives is marked inferred: the hidden tool prompt size and reasoning tokens
per family, whether a family reasons unasked, and the snapshot name answers carry for
models that have no dated snapshot (then the name as asked).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from types import MappingProxyType

from .dates import in_period
from .specs import Deprecation

SDK = "openai-python CHANGELOG (the release that added the name to ChatModel)"
SNAPSHOT = "the dated snapshot's name (openai-python ChatModel)"
RECORDED = "recorded exchanges (the emulator's Responses fixtures)"


@dataclass(frozen=True)
class TextFamily:
    """What a family of text models does around the image tool."""

    name: str
    reasoning: bool  # answers start with a reasoning item (gpt-5 family, o-series)
    # Input tokens the tool's hidden instructions add to every request (inferred from the
    # recordings: gpt-4o-mini ~3,200 for a one-line prompt; the same figure for the others).
    tool_prompt_tokens: int = 3200
    # Reasoning tokens billed per answer (inferred: no recording gives a figure to keep).
    reasoning_tokens: int = 0
    # What the answer echoes when the request leaves them out (recorded: pydantic-ai's
    # cassettes, gpt-5 2025-10: effort medium, top_p 1.0; gpt-5.4 and gpt-5.4-mini 2026-03:
    # effort none, top_p 0.98; gpt-5.5 2026-04: effort medium, top_p 0.98).
    default_effort: str | None = None
    default_top_p: float = 1.0
    # The assistant message says which ``phase`` it is ("final_answer"), as the 5.x models'
    # recorded messages do (pydantic-ai's cassettes, 2026-03 and 2026-04).
    message_phase: bool = False
    # How much earlier turns' reasoning a turn sees when the request says ``auto`` or nothing
    # (recorded from 2026-06: gpt-5, gpt-5-mini, o3, gpt-5.2, gpt-5.4 "current_turn"; gpt-5.5
    # and gpt-5.6-sol "all_turns").
    reasoning_context: str = "current_turn"


GPT_4O = TextFamily("gpt-4o", reasoning=False)
GPT_4_1 = TextFamily("gpt-4.1", reasoning=False)
O_SERIES = TextFamily("o-series", reasoning=True, reasoning_tokens=64, default_effort="medium")
GPT_5 = TextFamily("gpt-5", reasoning=True, reasoning_tokens=64, default_effort="medium")
# The 5.x models reason only when asked (reasoning.effort), as gpt-5.4 answered (recorded);
# the 6.x models are taken to do the same (inferred: no recording yet).
# gpt-5.1 and gpt-5.2 are taken to answer as gpt-5.4 does (inferred); the 6.x
# models keep the plain defaults until a recording shows theirs.
GPT_5_X = TextFamily(
    "gpt-5.x", reasoning=False, default_effort="none", default_top_p=0.98, message_phase=True
)
# gpt-5.5 and the 5.6 models: effort medium (recorded for gpt-5.5 2026-04 and gpt-5.6-sol 2026-07).
GPT_5_5 = replace(GPT_5_X, name="gpt-5.5", default_effort="medium", reasoning_context="all_turns")
GPT_6 = TextFamily("gpt-6", reasoning=False)


@dataclass(frozen=True)
class Notice:
    """A deprecation notice: its day (the deprecations page's section), the shutdown, the
    first replacement it recommends."""

    announced: str
    shutdown: str
    replacement: str | None
    source: str


def _notice(section: str, shutdown: str, replacement: str) -> Notice:
    return Notice(
        announced=section[:10],
        shutdown=shutdown,
        replacement=replacement,
        source=f"deprecations page, section {section}; shutdown also in openai-python 3.63.0 "
        "ChatModel's deprecated values",
    )


LEGACY_2026_04_22 = "2026-04-22-legacy-gpt-model-snapshots"
GPT_5_AND_O3 = "2026-06-11-gpt-5-and-o3-model-deprecations"
GPT_5_1_AND_5_4_NANO = "2026-10-01-gpt-53-codex-gpt-51-gpt-54-nano"
GPT_4_SERIES = "2026-10-14-gpt-4-series-model-deprecations"


@dataclass(frozen=True)
class TextModel:
    """A text model that can call the image tool."""

    id: str
    family: TextFamily
    released: str
    released_source: str
    # The dated name answers carry; the id itself where no snapshot is known (inferred).
    snapshot: str = ""
    notice: Notice | None = None
    # A model the user added as a copy of a known one (``--model NEW=KNOWN``): its original.
    copy_of: str | None = None

    @property
    def answered_as(self) -> str:
        return self.snapshot or self.id

    @property
    def names(self) -> tuple[str, ...]:
        return (self.id, self.snapshot) if self.snapshot else (self.id,)

    @property
    def reasoning(self) -> bool:
        return self.family.reasoning

    @property
    def tool_prompt_tokens(self) -> int:
        return self.family.tool_prompt_tokens

    @property
    def reasoning_tokens(self) -> int:
        return self.family.reasoning_tokens

    @property
    def shutdown(self) -> str | None:
        return self.notice.shutdown if self.notice else None

    def served_on(self, day: datetime.date | None) -> bool:
        """Released by ``day`` and not yet shut down (every model for None: ``latest``)."""
        if day is None or self.copy_of is not None:
            return True
        return in_period(day, self.released, self.shutdown)

    def deprecation_on(self, day: datetime.date | None) -> Deprecation | None:
        """The notice in force on ``day``: announced, not yet shut down."""
        if self.notice is None or day is None or self.copy_of is not None:
            return None
        if not in_period(day, self.notice.announced, self.notice.shutdown):
            return None
        return Deprecation(
            self.id, self.notice.announced, self.notice.shutdown, self.notice.replacement
        )

    def copied_as(self, name: str) -> TextModel:
        """A user's model ``name`` that behaves as this one: served on every day, no notice."""
        return replace(self, id=name, snapshot="", notice=None, copy_of=self.id)


def _model(
    id: str,
    family: TextFamily,
    released: str,
    source: str = SDK,
    snapshot: str = "",
    notice: Notice | None = None,
) -> TextModel:
    return TextModel(id, family, released, source, snapshot, notice)


_GPT_4_SERIES_SHUTDOWN = _notice(GPT_4_SERIES, "2027-01-14", "gpt-6-luna")

TEXT_MODEL_LIST: tuple[TextModel, ...] = (
    # Launch days; the SDK's ChatModel predates some of them (the file began 2025-03-06).
    _model(
        "gpt-4o",
        GPT_4O,
        "2024-05-13",
        "the model's launch",
        "gpt-4o-2024-08-06",
        _GPT_4_SERIES_SHUTDOWN,
    ),
    _model(
        "gpt-4o-2024-05-13",
        GPT_4O,
        "2024-05-13",
        SNAPSHOT,
        notice=_notice(LEGACY_2026_04_22, "2026-10-23", "gpt-5.6-sol"),
    ),
    _model("gpt-4o-2024-11-20", GPT_4O, "2024-11-20", SNAPSHOT, notice=_GPT_4_SERIES_SHUTDOWN),
    _model(
        "gpt-4o-mini",
        GPT_4O,
        "2024-07-18",
        SNAPSHOT,
        "gpt-4o-mini-2024-07-18",
        _GPT_4_SERIES_SHUTDOWN,
    ),
    _model(
        "gpt-4.1", GPT_4_1, "2025-04-14", SNAPSHOT, "gpt-4.1-2025-04-14", _GPT_4_SERIES_SHUTDOWN
    ),
    _model(
        "gpt-4.1-mini",
        GPT_4_1,
        "2025-04-14",
        SNAPSHOT,
        "gpt-4.1-mini-2025-04-14",
        _GPT_4_SERIES_SHUTDOWN,
    ),
    _model(
        "gpt-4.1-nano",
        GPT_4_1,
        "2025-04-14",
        SNAPSHOT,
        "gpt-4.1-nano-2025-04-14",
        _notice(LEGACY_2026_04_22, "2026-10-23", "gpt-5.6-luna"),
    ),
    _model(
        "o3",
        O_SERIES,
        "2025-04-16",
        SNAPSHOT,
        "o3-2025-04-16",
        _notice(GPT_5_AND_O3, "2026-12-11", "gpt-6.1-sol"),
    ),
    _model(
        "o4-mini",
        O_SERIES,
        "2025-04-16",
        SNAPSHOT,
        "o4-mini-2025-04-16",
        _notice(LEGACY_2026_04_22, "2026-10-23", "gpt-5.6-terra"),
    ),
    _model(
        "gpt-5",
        GPT_5,
        "2025-08-07",
        SNAPSHOT,
        "gpt-5-2025-08-07",
        _notice(GPT_5_AND_O3, "2026-12-11", "gpt-6.1-sol"),
    ),
    _model(
        "gpt-5-mini",
        GPT_5,
        "2025-08-07",
        SNAPSHOT,
        "gpt-5-mini-2025-08-07",
        _notice(GPT_5_AND_O3, "2026-12-11", "gpt-6.1-terra"),
    ),
    _model(
        "gpt-5-nano",
        GPT_5,
        "2025-08-07",
        SNAPSHOT,
        "gpt-5-nano-2025-08-07",
        _notice(GPT_5_AND_O3, "2026-12-11", "gpt-6-luna"),
    ),
    _model(
        "gpt-5.1",
        GPT_5_X,
        "2025-11-13",
        SNAPSHOT,
        "gpt-5.1-2025-11-13",
        _notice(GPT_5_1_AND_5_4_NANO, "2027-04-01", "gpt-6-sol"),
    ),
    _model("gpt-5.2", GPT_5_X, "2025-12-11", SNAPSHOT, "gpt-5.2-2025-12-11"),
    _model("gpt-5.4", GPT_5_X, "2026-03-05", RECORDED, "gpt-5.4-2026-03-05"),
    _model("gpt-5.4-mini", GPT_5_X, "2026-03-17", SNAPSHOT, "gpt-5.4-mini-2026-03-17"),
    _model(
        "gpt-5.4-nano",
        GPT_5_X,
        "2026-03-17",
        SNAPSHOT,
        "gpt-5.4-nano-2026-03-17",
        _notice(GPT_5_1_AND_5_4_NANO, "2027-04-01", "gpt-6-luna"),
    ),
    # The SDK listed gpt-5.5 on 2026-08-03; its snapshot names 2026-04-23.
    _model("gpt-5.5", GPT_5_5, "2026-04-23", SNAPSHOT, "gpt-5.5-2026-04-23"),
    _model("gpt-5.6-sol", GPT_5_5, "2026-07-09"),  # SDK 2.45.0
    _model("gpt-5.6-terra", GPT_5_5, "2026-07-09"),  # SDK 2.45.0
    _model("gpt-5.6-luna", GPT_5_5, "2026-07-09"),  # SDK 2.45.0
    _model("gpt-6-astra", GPT_6, "2026-09-03"),  # SDK 3.8.0
    _model("gpt-6-sol", GPT_6, "2026-09-22"),  # SDK 3.18.0
    _model("gpt-6-luna", GPT_6, "2026-09-22"),  # SDK 3.18.0
    _model("gpt-6.1-sol", GPT_6, "2026-09-29"),  # SDK 3.21.0
    _model("gpt-6.1-terra", GPT_6, "2026-10-26"),  # SDK 3.39.0
    _model("gpt-6.2-sol", GPT_6, "2026-11-17"),  # SDK 3.53.0
    _model("gpt-6.2-astra", GPT_6, "2026-11-17"),  # SDK 3.53.0
)


def by_name(models: Iterable[TextModel]) -> Mapping[str, TextModel]:
    """Every name a model answers to (its id and its snapshot) to its record."""
    return MappingProxyType({name: model for model in models for name in model.names})


TEXT_MODELS: Mapping[str, TextModel] = by_name(TEXT_MODEL_LIST)

# A text model the tests and the docs' examples use: served for the foreseeable future (no
# shutdown announced), so that nothing depends on the day it runs.
STEADY_TEXT_MODEL = "gpt-5.4"


def text_model(
    name: str, day: datetime.date | None, models: Mapping[str, TextModel] = TEXT_MODELS
) -> TextModel | None:
    """The text model ``name`` stands for on ``day`` (its id or its snapshot), or None."""
    found = models.get(name)
    if found is None or not found.served_on(day):
        return None
    return found
