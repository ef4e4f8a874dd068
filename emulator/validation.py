"""Turn a decoded request body into checked values, in the API's order (contract §9.3).

The order: the body is an object; every name is a parameter the endpoint knows; the model
is known (or inferred); every name is one that model takes; required ones are present;
each value passes its kind; then the model's cross-parameter rules. JSON ``null`` counts as
omitted for a known parameter.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from . import errors
from .catalog import Catalog, Endpoint, EndpointSpec, ModelSpec
from .params import Text

_MODEL_NAME = Text()


@dataclass(frozen=True)
class CheckedRequest:
    model: ModelSpec
    # Every parameter the model takes on the endpoint: the sent value or the default.
    # ``auto`` is kept as sent; resolving it is the job's concern.
    values: Mapping[str, object]

    def resolved(self, name: str) -> object:
        value = self.values.get(name)
        if value == "auto" and name in self.model.auto:
            return self.model.auto[name]
        return value

    def text(self, name: str, default: str) -> str:
        """A string value (``auto`` resolved), or ``default`` when the model has no such one."""
        return self.optional_text(name) or default

    def optional_text(self, name: str) -> str | None:
        value = self.resolved(name)
        return value if isinstance(value, str) else None

    def integer(self, name: str, default: int) -> int:
        value = self.values.get(name)
        return value if isinstance(value, int) and not isinstance(value, bool) else default

    def flag(self, name: str) -> bool:
        return self.values.get(name) is True


def check_request(
    body: object, endpoint: Endpoint, catalog: Catalog, *, form: bool = False
) -> CheckedRequest:
    """``form``: the values are multipart text (``"2"``, ``"true"``; ``""`` is omitted)."""
    if not isinstance(body, dict):
        raise errors.invalid_json()
    spec = catalog.endpoints[endpoint]

    known = catalog.known_params(endpoint)
    unknown = [name for name in body if name not in known]
    if unknown and spec.legacy_errors:
        raise errors.additional_properties(unknown)
    if unknown:
        raise errors.unknown_parameter(unknown[0])
    args = {name: value for name, value in body.items() if value is not None}
    if form:  # the SDKs send an explicit None as an empty field
        args = {name: value for name, value in args.items() if value != ""}

    model = _choose_model(args, spec, catalog)
    rules = model.endpoints[endpoint]
    for name in args:
        if name != "model" and name not in rules.params:
            raise errors.unknown_parameter(name)
    for name in rules.required:
        if name not in args:
            raise errors.missing_required_parameter(name)

    values = dict(rules.defaults)
    for name, kind in rules.params.items():
        if name in args:
            value = args[name]
            if form and isinstance(value, str):
                value = kind.from_form(value)
            values[name] = kind.check(name, value)
    for rule in rules.rules:
        rule(values)
    return CheckedRequest(model=model, values=values)


def _choose_model(args: Mapping[str, object], spec: EndpointSpec, catalog: Catalog) -> ModelSpec:
    if "model" not in args:
        return catalog.models[spec.default_for(args)]
    if spec.legacy_errors:
        if args["model"] not in spec.models:
            raise errors.variation_model(str(args["model"]))
        return catalog.models[str(args["model"])]
    name = _MODEL_NAME.check("model", args["model"])
    if name not in spec.models:
        raise errors.invalid_value("model", name, spec.models)
    return catalog.models[name]
