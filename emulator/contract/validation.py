"""Turn a decoded request body into checked values, in the API's order (contract §9.3).

The order: the body is an object; every name is a parameter the endpoint knows; the model
is known (or inferred); every name is one that model takes; required ones are present;
each value passes its kind; then the model's cross-parameter rules. JSON ``null`` counts as
omitted for a known parameter.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from dataclasses import dataclass

from . import errors
from .catalog import IMPLIED_SETTINGS
from .params import Files, Param, Text
from .specs import Catalog, Endpoint, EndpointSpec, ModelSpec

_MODEL_NAME = Text()


@dataclass(frozen=True)
class CheckedRequest:
    model: ModelSpec
    # Every parameter the model takes on the endpoint: the sent value or the default.
    # ``auto`` is kept as sent; resolving it is the job's concern.
    values: Mapping[str, object]
    # The model's name as asked (a dated snapshot names the same entry); the id if unset.
    model_name: str = ""

    @property
    def asked_model(self) -> str:
        return self.model_name or self.model.id

    def resolved(self, name: str) -> object:
        value = self.values.get(name)
        if value == "auto" and name in self.model.auto:
            return self.model.auto[name]
        return value

    def text(self, name: str) -> str:
        """A string value (``auto`` resolved), or the catalog's implied setting when the model
        has no such one."""
        return self.optional_text(name) or str(IMPLIED_SETTINGS[name])

    def optional_text(self, name: str) -> str | None:
        value = self.resolved(name)
        return value if isinstance(value, str) else None

    def integer(self, name: str) -> int:
        """An integer value, or the catalog's implied setting when the model has none."""
        value = self.values.get(name)
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        implied = IMPLIED_SETTINGS[name]
        assert isinstance(implied, int)
        return implied

    def flag(self, name: str) -> bool:
        return self.values.get(name) is True


def check_request(
    body: object,
    endpoint: Endpoint,
    catalog: Catalog,
    *,
    form: bool = False,
    lenient: bool = False,
) -> CheckedRequest:
    """``form``: the values are multipart text (``"2"``, ``"true"``; ``""`` is omitted).
    ``lenient``: accept what the OpenAPI schema allows (see ``_check_leniently``)."""
    if not isinstance(body, dict):
        raise errors.invalid_json()
    spec = catalog.endpoints[endpoint]

    known = catalog.known_params(endpoint)
    unknown = [name for name in body if name not in known]
    if unknown and lenient:
        body = {name: value for name, value in body.items() if name in known}
    elif unknown and spec.legacy_errors:
        raise errors.additional_properties(unknown)
    elif unknown:
        raise errors.unknown_parameter(unknown[0])
    args = {name: value for name, value in body.items() if value is not None}
    if form:  # the SDKs send an explicit None as an empty field
        args = {name: value for name, value in args.items() if value != ""}
    if lenient:
        return _check_leniently(args, endpoint, catalog, form)

    model_name = _choose_model(args, spec, catalog)
    model = catalog.models[model_name]
    rules = model.endpoints[endpoint]
    for name in args:
        if name in rules.refused:
            raise rules.refused[name](model_name)
        if name != "model" and name not in rules.params:
            raise errors.unknown_parameter(name)
    for name in rules.required:
        if name not in args:
            raise errors.missing_required_parameter(name)

    values = dict(rules.defaults)
    for name, kind in rules.params.items():
        if name in args:
            values[name] = kind.check(name, _value(kind, args[name], form))
    for rule in rules.rules:
        rule(values)
    return CheckedRequest(model=model, values=values, model_name=model_name)


def check_params(
    body: object,
    params: Mapping[str, Param],
    *,
    required: tuple[str, ...] = (),
    lenient: bool = False,
) -> dict[str, object]:
    """A JSON body checked against one table of parameter kinds (an endpoint whose
    parameters do not depend on the model, like the Responses API's top level): an object,
    no unknown name (dropped when ``lenient``), the required ones present, each value
    passing its kind. ``null`` stands for omitted except for a required parameter."""
    if not isinstance(body, dict):
        raise errors.invalid_json()
    unknown = [name for name in body if name not in params]
    if unknown and not lenient:
        raise errors.unknown_parameter(unknown[0])
    checked = {name: value for name, value in body.items() if name in params}
    for name in required:
        if name not in checked:
            raise errors.missing_required_parameter(name)
    for name, value in checked.items():
        if value is not None or name in required:
            checked[name] = params[name].check(name, value)
    return checked


def _value(kind: Param, value: object, form: bool) -> object:
    return kind.from_form(value) if form and isinstance(value, str) else value


def _check_leniently(
    args: dict[str, object], endpoint: Endpoint, catalog: Catalog, form: bool
) -> CheckedRequest:
    """Lenient mode, for SDK test suites that use the emulator as their mock server: a
    value the schema allows is taken even if the model does not (the model's default is used
    instead), an unknown model answers as the endpoint's first model, and parameters the
    model does not take are ignored. Values outside the schema are still refused."""
    spec = catalog.endpoints[endpoint]
    name = args.get("model")
    if "model" not in args:
        name = spec.default_for(args)
    elif not (isinstance(name, str) and name in spec.models):
        name = spec.models[0] if spec.models else name  # unknown: the first model answers
    if not isinstance(name, str) or name not in spec.models:  # nothing served (retired)
        raise errors.model_not_found(str(name))
    model = catalog.models[name]
    rules = model.endpoints[endpoint]
    schema = catalog.schema_params(endpoint)
    for required in rules.required:
        if required not in args:
            raise errors.missing_required_parameter(required)
    values = dict(rules.defaults)
    for param, value in args.items():
        if param == "model" or param not in schema:
            continue
        allowed = schema[param].check(param, _value(schema[param], value, form))
        kind = rules.params.get(param)
        if kind is None:
            continue
        if isinstance(kind, Files):  # any number of files the schema allows
            values[param] = allowed
            continue
        with contextlib.suppress(errors.APIError):  # if the model refuses, its default stands
            values[param] = kind.check(param, allowed)
    return CheckedRequest(model=model, values=values, model_name=name)


def _choose_model(args: Mapping[str, object], spec: EndpointSpec, catalog: Catalog) -> str:
    """The name of the model the request is for (its snapshot name if it asked for one).
    A model retired on the date the request is answered as of gets the retired answer."""
    if "model" not in args:
        name = spec.default_for(args)
        if name in spec.retired:
            raise errors.model_not_found(name)
        return name
    if args["model"] in spec.retired:
        raise errors.model_not_found(str(args["model"]))
    if spec.legacy_errors:
        if args["model"] not in spec.models:
            raise errors.variation_model(str(args["model"]))
        return str(args["model"])
    name = _MODEL_NAME.check("model", args["model"])
    if name not in spec.models:
        if spec.unknown_model_wording == "does_not_exist":
            raise errors.model_does_not_exist(name)
        raise errors.invalid_value("model", name, spec.listed_models or spec.models)
    return name
