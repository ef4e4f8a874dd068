"""Models a user adds past the catalog's horizon, each as a copy of one the catalog knows.

The real API adds models every few weeks; an SDK newer than this catalog names models the
emulator has never heard of. ``--model gpt-6.3-sol=gpt-6.2-sol`` (also the environment, the
pytest plugin's options and ``POST /_emulator/models``) serves the new name with the rules of
the known one: its parameters, sizes, token counts and prices for an image model; its family's
answer shape for a text model. An added model is served on every day (no release, no notice)
and the journal marks it with the model it copies.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from types import MappingProxyType

from .specs import Catalog, ModelSpec
from .text_models import TEXT_MODELS, TextModel

# A model name as the API spells them: letters, digits, dots, dashes, underscores, colons.
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}")


@dataclass(frozen=True)
class AddedModel:
    name: str
    copy_of: str

    def as_dict(self) -> dict[str, str]:
        return {"model": self.name, "copy_of": self.copy_of}


def parse_pairs(text: str, where: str) -> tuple[AddedModel, ...]:
    """``NEW=KNOWN`` pairs, comma-separated; a ValueError names ``where`` and what is wrong."""
    added = []
    for pair in (part.strip() for part in text.split(",")):
        if not pair:
            continue
        name, sep, known = (side.strip() for side in pair.partition("="))
        if not sep or not name or not known:
            raise ValueError(
                f"{where} takes NEW=KNOWN (e.g. gpt-6.3-sol=gpt-6.2-sol), got {pair!r}"
            )
        added.append(AddedModel(name, known))
    return tuple(added)


def checked(
    model: AddedModel,
    catalog: Catalog,
    added: Iterable[AddedModel] = (),
    text_models: Mapping[str, TextModel] = TEXT_MODELS,
) -> AddedModel:
    """``model`` if it can be added; a ValueError says why not."""
    if not _NAME.fullmatch(model.name):
        raise ValueError(f"{model.name!r} is not a model name (letters, digits, . _ : -)")
    if model.name in catalog.models or model.name in text_models:
        raise ValueError(f"{model.name!r} is a model the catalog knows already")
    if any(other.name == model.name for other in added):
        raise ValueError(f"{model.name!r} is added already")
    if model.copy_of not in catalog.models and model.copy_of not in text_models:
        raise ValueError(
            f"{model.copy_of!r} is not a model the catalog knows: copy an image model (e.g. "
            "gpt-image-2) or a text model (e.g. gpt-6.2-sol)"
        )
    return model


def image_copy(original: ModelSpec, name: str) -> ModelSpec:
    """The image model ``name``, as ``original`` is on the day: no dates, no other names."""
    return replace(
        original,
        id=name,
        aliases=(),
        released=None,
        shutdown=None,
        deprecated=None,
        replacements=(),
        note=f"added by the user as a copy of {original.id}",
        copy_of=original.copy_of or original.id,
    )


def with_image_copies(catalog: Catalog, added: Iterable[AddedModel]) -> Catalog:
    """``catalog`` (as of a day) with each added image model listed on the endpoints that
    list its original on that day."""
    copies = [model for model in added if model.copy_of in catalog.models]
    if not copies:
        return catalog
    models = dict(catalog.models)
    endpoints = dict(catalog.endpoints)
    for model in copies:
        original = catalog.models[model.copy_of]
        models[model.name] = image_copy(original, model.name)
        for name, endpoint in endpoints.items():
            if any(alias in endpoint.models for alias in original.names):
                endpoints[name] = replace(endpoint, models=(*endpoint.models, model.name))
    return replace(catalog, models=MappingProxyType(models), endpoints=MappingProxyType(endpoints))


def with_text_copies(
    text_models: Mapping[str, TextModel], added: Iterable[AddedModel]
) -> Mapping[str, TextModel]:
    """The text models with each added text model as a copy of its original."""
    found = dict(text_models)
    for model in added:
        if model.copy_of in text_models:
            found[model.name] = text_models[model.copy_of].copied_as(model.name)
    return MappingProxyType(found)
