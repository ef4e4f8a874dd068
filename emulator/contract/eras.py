"""The API as it was on a given date: one table of dated changes, and the catalog as of a day.

Today's catalog (``catalog``) describes every model with its latest behaviour. Each change
below says how the API differed before its date (``before``) or what it changed from its
date on (``after``), as an edit of the catalog; the catalog as of a day is today's with
every change applied on the right side of that day. Model releases and shutdowns are the
catalog entries' own dates. Nothing else in the emulator compares dates: handlers read the
dated catalog they are given.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace

from . import errors
from .dates import AsOf, parse_as_of, resolved
from .params import SingleImage
from .rules import opaque_only
from .specs import (
    BatchRules,
    Catalog,
    Endpoint,
    EndpointRules,
    EndpointSpec,
    ModelSpec,
    ResponsesRules,
    _frozen,
)

HEADER = "x-emulator-as-of"


@dataclass
class Draft:
    """A catalog being edited into its state on some day."""

    models: dict[str, ModelSpec]
    endpoints: dict[Endpoint, EndpointSpec]
    responses: ResponsesRules = field(default_factory=ResponsesRules)
    batches: BatchRules = field(default_factory=BatchRules)

    def update_responses(self, **fields: object) -> None:
        self.responses = replace(self.responses, **fields)  # type: ignore[arg-type]

    def responses_unsent(self, *keys: str) -> None:
        """The Responses answer did not send these top-level keys yet."""
        self.update_responses(unsent_keys=self.responses.unsent_keys | frozenset(keys))

    def update_model(self, model_id: str, edit: Callable[[ModelSpec], ModelSpec]) -> None:
        edited: dict[int, ModelSpec] = {}  # a model and its snapshots are one entry
        for name, spec in self.models.items():
            if spec.id == model_id:
                self.models[name] = edited.setdefault(id(spec), edit(spec))

    def update_rules(
        self,
        model_ids: Iterable[str] | None,
        endpoints: Iterable[Endpoint],
        edit: Callable[[EndpointRules], EndpointRules],
    ) -> None:
        ids = {spec.id for spec in self.models.values()} if model_ids is None else set(model_ids)
        for model_id in ids:

            def edit_model(spec: ModelSpec) -> ModelSpec:
                rules = dict(spec.endpoints)
                for endpoint in endpoints:
                    if endpoint in rules:
                        rules[endpoint] = edit(rules[endpoint])
                return replace(spec, endpoints=_frozen(rules))

            self.update_model(model_id, edit_model)

    def update_endpoint(self, endpoint: Endpoint, **fields: object) -> None:
        self.endpoints[endpoint] = replace(self.endpoints[endpoint], **fields)  # type: ignore[arg-type]


Edit = Callable[[Draft], None]


@dataclass(frozen=True)
class Change:
    date: datetime.date
    what: str
    source: str
    before: Edit | None = None  # how the API was before ``date``
    after: Edit | None = None  # what changed from ``date`` on, where today's catalog differs


def _day(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)


# --- edits ----------------------------------------------------------------------------------


def _without(
    params: tuple[str, ...], endpoints: tuple[Endpoint, ...], models: tuple[str, ...] | None
) -> Edit:
    """The parameters did not exist yet: unknown parameters, as any other."""

    def drop(rules: EndpointRules) -> EndpointRules:
        return replace(
            rules,
            params=_frozen({k: v for k, v in rules.params.items() if k not in params}),
            defaults=_frozen({k: v for k, v in rules.defaults.items() if k not in params}),
        )

    return lambda draft: draft.update_rules(models, endpoints, drop)


def _dall_e_3_single_image(draft: Draft) -> None:
    def edit(rules: EndpointRules) -> EndpointRules:
        return replace(rules, params=_frozen({**rules.params, "n": SingleImage()}))

    draft.update_rules(("dall-e-3",), ("generations",), edit)


def _octet_stream_sniffed(draft: Draft) -> None:
    def edit(rules: EndpointRules) -> EndpointRules:
        if rules.uploads is None:
            return rules
        sniffed = replace(rules.uploads, sniffed_types=("application/octet-stream",))
        return replace(rules, uploads=sniffed)

    draft.update_rules(("dall-e-2",), ("edits", "variations"), edit)


def _no_settings_fields(draft: Draft) -> None:
    draft.update_model("gpt-image-1", lambda spec: replace(spec, reports_settings=False))


def _no_inferred_model(draft: Draft) -> None:
    for endpoint in ("generations", "edits"):
        draft.update_endpoint(endpoint, inferred_model=None)


def _edits_default_gpt_image_1_5(draft: Draft) -> None:
    draft.update_endpoint("edits", default_model="gpt-image-1.5", inferred_model=None)


def _forms_only(draft: Draft) -> None:
    draft.update_endpoint("edits", json_body=False)


def _opaque_gpt_image_2(draft: Draft) -> None:
    def edit(rules: EndpointRules) -> EndpointRules:
        return replace(rules, rules=(*rules.rules, opaque_only))

    draft.update_rules(("gpt-image-2",), ("generations", "edits"), edit)


def _variations_retired(draft: Draft) -> None:
    draft.update_endpoint("variations", available=False)


def _edits_default_after_december_2026(draft: Draft) -> None:
    # No source names the default once gpt-image-1.5 is gone: the first replacement the
    # deprecations page recommends (also the beta Responses tool's default family).
    draft.update_endpoint(
        "edits", default_model="gpt-image-2.6-sunburst", json_default_model="gpt-image-2.6-sunburst"
    )


def _every_gpt_image_model_details_output(draft: Draft) -> None:
    for name, spec in draft.models.items():
        if spec.response_style == "gpt-image":
            draft.models[name] = replace(spec, output_token_details=True)


def _listed_unknown_models(*names: str) -> Callable[[Draft], None]:
    """The unknown-model error lists ``names`` in this order, as real answers did."""

    def edit(draft: Draft) -> None:
        draft.update_endpoint("generations", listed_models=names)

    return edit


def _unknown_model_does_not_exist(draft: Draft) -> None:
    for endpoint in ("generations", "edits"):
        draft.update_endpoint(endpoint, unknown_model_wording="does_not_exist")


def _mask_octet_stream_sniffed(draft: Draft) -> None:
    def edit(rules: EndpointRules) -> EndpointRules:
        if rules.mask is None:
            return rules
        return replace(rules, mask=replace(rules.mask, sniffed_types=("application/octet-stream",)))

    draft.update_rules(("dall-e-2",), ("edits",), edit)


def _responses_before_2025_11_10(draft: Draft) -> None:
    draft.responses_unsent("prompt_cache_retention")
    draft.update_responses(tool_echo_names_model=False)


def _no_batch_image_endpoints(draft: Draft) -> None:
    draft.batches = replace(draft.batches, image_endpoints=False)


def _responses_before_2026_09(draft: Draft) -> None:
    draft.responses_unsent("moderation", "tool_usage")
    draft.update_responses(cache_write_tokens=False, sorted_event_keys=False)


# The day the Batch API took image lines (its refusal before names it).
BATCH_IMAGE_ENDPOINTS_FROM = _day("2026-02-10")


# The Responses API's answer as recorded exchanges show it by date (docs/responses-api.md):
# the first recorded day of each shape, the cut-over at it inferred.
def _without_moderation_details(draft: Draft) -> None:
    for spec in {id(s): s for s in draft.models.values()}.values():
        draft.update_model(spec.id, lambda model: replace(model, moderation_details=False))


RESPONSES_SOURCE = "recorded Responses exchanges of public projects' suites (docs/responses-api.md)"

# --- the table ------------------------------------------------------------------------------

CHANGES: tuple[Change, ...] = (
    Change(
        _day("2025-11-10"),
        "Responses answers carry prompt_cache_retention; the tools echo names the image model",
        RESPONSES_SOURCE,
        before=_responses_before_2025_11_10,
    ),
    Change(
        _day("2026-01-30"),
        "Responses image_generation_call items carry action (generate or edit)",
        RESPONSES_SOURCE,
        before=lambda draft: draft.update_responses(call_has_action=False),
    ),
    Change(
        BATCH_IMAGE_ENDPOINTS_FROM,
        "The Batch API takes /v1/images/generations and /v1/images/edits lines",
        "docs/batches.md (the Batch API's image endpoints, from the SDK's batch endpoint list)",
        before=lambda draft: setattr(
            draft, "batches", replace(draft.batches, image_endpoints=False)
        ),
    ),
    Change(
        _day("2026-03-01"),
        "Responses answers carry completed_at, frequency_penalty and presence_penalty",
        RESPONSES_SOURCE,
        before=lambda draft: draft.responses_unsent(
            "completed_at", "frequency_penalty", "presence_penalty"
        ),
    ),
    Change(
        _day("2026-04-27"),
        "Responses answers name the prompt cache retention used (in_memory; 24h for gpt-5.5) "
        "where they said null",
        "pydantic-ai's cassettes: null to 2026-04-16, named from 2026-04-27 "
        "(docs/responses-api.md)",
        before=lambda draft: draft.update_responses(cache_retention_named=False),
    ),
    Change(
        _day("2026-06-09"),
        "Responses answers' reasoning carries context (current_turn or all_turns) and mode",
        "pydantic-ai's cassettes: absent to 2026-05-19, sent from 2026-06-09 "
        "(docs/responses-api.md)",
        before=lambda draft: draft.update_responses(reasoning_context=False),
    ),
    Change(
        _day("2026-06-30"),
        "gpt-5.1, 5.2 and 5.4 keep the prompt cache 24h (in_memory before)",
        "pydantic-ai's cassettes: gpt-5.4 in_memory to 2026-05-11, gpt-5.2 24h on 2026-06-30, "
        "gpt-5.4 24h from 2026-07-20 (docs/responses-api.md)",
        before=lambda draft: draft.update_responses(day_long_cache=frozenset({"gpt-5.5"})),
    ),
    Change(
        _day("2026-09-20"),
        "A GPT image model's moderation_blocked refusal carries moderation_details "
        "{moderation_stage, categories}",
        "docs/contract.md §9.1 and §9.2 row 21 (the capture in ucx0204/CarrotMangaTranslator#123, "
        "2026-09-20; the first day it was sent is inferred)",
        before=_without_moderation_details,
    ),
    Change(
        _day("2026-09-01"),
        "Responses answers carry moderation and tool_usage; cache_write_tokens first in "
        "input_tokens_details; stream events' keys sorted (type first, sequence_number last)",
        RESPONSES_SOURCE,
        before=_responses_before_2026_09,
    ),
    Change(
        _day("2025-01-01"),
        "dall-e-3 with n > 1: the generic integer bound replaces 'You must provide n=1 for "
        "this model.'",
        "contract §9.2 row 8 (2023-24 captures; the cut-over date is inferred)",
        before=_dall_e_3_single_image,
    ),
    Change(
        _day("2025-04-23"),
        "Upload part types are checked: an explicit application/octet-stream part is refused "
        "(DALL·E 2 judged it by its bytes before)",
        "contract §14.5 (refusals recorded from 2025-04 on; the cut-over at gpt-image-1's "
        "launch is inferred)",
        before=_octet_stream_sniffed,
    ),
    Change(
        _day("2023-06-01"),
        "A DALL·E 2 edit's mask part typed application/octet-stream is judged by its bytes",
        "recorded answers of May 2023 (python client 0.27; the cut-over at the month's end is "
        "inferred); the image part's rule is the 2025-04-23 row",
        before=_mask_octet_stream_sniffed,
    ),
    Change(
        _day("2025-04-23"),
        "No model with a gpt-image-1 parameter means gpt-image-1",
        "contract §3.3 (S-0429)",
        before=_no_inferred_model,
    ),
    Change(
        _day("2025-05-02"),
        "Edits take background (gpt-image-1)",
        "contract §1 (SDK 1.77)",
        before=_without(("background",), ("edits",), ("gpt-image-1",)),
    ),
    Change(
        _day("2025-06-03"),
        "gpt-image-1 answers carry background, output_format, quality and size at the top",
        "contract §14.3 (recordings)",
        before=_no_settings_fields,
    ),
    Change(
        _day("2025-06-16"),
        "Edits take output_format and output_compression (gpt-image-1)",
        "contract §1 (SDK 1.87)",
        before=_without(("output_format", "output_compression"), ("edits",), ("gpt-image-1",)),
    ),
    Change(
        _day("2025-07-16"),
        "Streaming (stream, partial_images) on generations and edits; input_fidelity on edits",
        "contract §1 (SDK 1.97)",
        before=_without(
            ("stream", "partial_images", "input_fidelity"),
            ("generations", "edits"),
            ("gpt-image-1",),
        ),
    ),
    Change(
        _day("2025-07-25"),
        "The unknown-model error lists 'gpt-image-0721-mini-alpha' after gpt-image-1",
        "recorded answers of 2025-07-23 (without) and 2025-07-25 (with)",
        after=_listed_unknown_models(
            "gpt-image-1", "gpt-image-0721-mini-alpha", "dall-e-2", "dall-e-3"
        ),
    ),
    Change(
        _day("2025-08-23"),
        "The unknown-model error lists 'gpt-image-1-io' as well",
        "recorded answers from 2025-08-23 on (contract §9.2 row 26)",
        after=_listed_unknown_models(
            "gpt-image-1", "gpt-image-1-io", "gpt-image-0721-mini-alpha", "dall-e-2", "dall-e-3"
        ),
    ),
    Change(
        _day("2025-10-06"),
        "The unknown-model error lists the served models again (gpt-image-1-mini among them)",
        "contract §9.2 row 26 (a 2025-10 capture); the cut-over at gpt-image-1-mini's release "
        "is inferred",
        after=lambda draft: draft.update_endpoint("generations", listed_models=None),
    ),
    Change(
        _day("2025-12-16"),
        "usage.output_tokens_details, from gpt-image-1.5 on",
        "contract §1, §6 (SDK 2.13)",
    ),
    Change(
        _day("2026-02-10"),
        "The edits default model becomes gpt-image-1.5",
        "contract §1, §11.3 (S-2605)",
        after=_edits_default_gpt_image_1_5,
    ),
    Change(
        _day("2026-03-31"),
        "dall-e-2 generations refuse quality ('Unknown parameter')",
        "a recorded answer of 2026-03-31 (quality 'standard'); earlier recordings took it, the "
        "cut-over at that recording is inferred",
        after=_without(("quality",), ("generations",), ("dall-e-2",)),
    ),
    Change(
        _day("2026-04-17"),
        "usage.output_tokens_details on every GPT image model (gpt-image-1 and -mini too)",
        "recorded answers of 2026-04-17 (23 recordings; the cut-over at the first is inferred)",
        after=_every_gpt_image_model_details_output,
    ),
    Change(
        _day("2026-04-17"),
        "An unknown model is 'The model 'x' does not exist.' (image_generation_user_error)",
        "recorded answers of 2026-04-17 (6 recordings; the cut-over at the first is inferred)",
        after=_unknown_model_does_not_exist,
    ),
    Change(
        _day("2026-05-13"),
        "Edits take a JSON body with image references (image_url or file_id)",
        "contract §1, §11.3 (S-2605)",
        before=_forms_only,
    ),
    Change(
        _day("2026-08-20"),
        "Transparent backgrounds on gpt-image-2 (in preview)",
        "contract §11.1 (S-HEAD; refused at launch)",
        before=_opaque_gpt_image_2,
    ),
    Change(
        _day("2026-09-08"),
        "safety_identifier on every GPT image model, echoed in answers",
        "contract §1, §11.3 (SDK 3.54)",
        before=_without(("safety_identifier",), ("generations", "edits"), None),
    ),
    Change(
        _day("2026-10-23"),
        "The variations endpoint is retired",
        "contract §1 (SDK 3.54: 'This endpoint no longer accepts requests'); the answer, "
        "the API's unknown-route 404, is inferred",
        after=_variations_retired,
    ),
    Change(
        _day("2026-12-01"),
        "The edits default model (form and JSON) becomes gpt-image-2.6-sunburst",
        "inferred: gpt-image-1.5 shuts down; the deprecations page's first recommended replacement",
        after=_edits_default_after_december_2026,
    ),
)


def model_changes(catalog: Catalog) -> list[Change]:
    """Releases and shutdowns, from the catalog's own dates, as rows of the same table."""
    rows = []
    seen: set[str] = set()
    for spec in catalog.models.values():
        if spec.id in seen:
            continue
        seen.add(spec.id)
        names = ", ".join(spec.names)
        source = spec.lifecycle_source
        if spec.released:
            rows.append(Change(_day(spec.released), f"{names} released", "contract §1, §11.1"))
        if spec.deprecated and spec.shutdown:
            what = f"{names} deprecated: shutdown on {spec.shutdown}"
            rows.append(Change(_day(spec.deprecated), what, source))
        if spec.shutdown:
            rows.append(Change(_day(spec.shutdown), f"{names} shut down", source))
    return rows


def table(catalog: Catalog) -> list[Change]:
    return sorted([*CHANGES, *model_changes(catalog)], key=lambda change: change.date)


# --- the catalog as of a day ----------------------------------------------------------------


def _served(spec: ModelSpec, day: datetime.date) -> bool:
    released = spec.released is None or _day(spec.released) <= day
    return released and not _retired(spec, day)


def _retired(spec: ModelSpec, day: datetime.date) -> bool:
    return spec.shutdown is not None and _day(spec.shutdown) <= day


def catalog_at(catalog: Catalog, day: datetime.date) -> Catalog:
    draft = Draft(dict(catalog.models), dict(catalog.endpoints), catalog.responses, catalog.batches)
    # What came after a change, earliest first (a later change wins); then what stood before
    # the changes still to come, latest first (an earlier state wins).
    for change in sorted(CHANGES, key=lambda c: c.date):
        if change.date <= day and change.after is not None:
            change.after(draft)
    for change in sorted(CHANGES, key=lambda c: c.date, reverse=True):
        if change.date > day and change.before is not None:
            change.before(draft)
    for name, endpoint in draft.endpoints.items():
        specs = [(model, draft.models[model]) for model in endpoint.models]
        draft.endpoints[name] = replace(
            endpoint,
            models=tuple(model for model, spec in specs if _served(spec, day)),
            retired=tuple(model for model, spec in specs if _retired(spec, day)),
        )
    return Catalog(
        models=_frozen(draft.models),
        endpoints=_frozen(draft.endpoints),
        responses=draft.responses,
        batches=draft.batches,
    )


def requested_day(header: str | None, default: AsOf) -> datetime.date | None:
    """The day a request is answered as of: its header, else the emulator's setting (today
    unless pinned); None for ``latest``."""
    if header is None:
        return resolved(default)
    try:
        return resolved(parse_as_of(header, HEADER))
    except ValueError as error:
        raise errors.invalid_as_of(str(error)) from None
