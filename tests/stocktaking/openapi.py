"""Check API responses against the app's own OpenAPI schema (OpenAPI 3.1, whose
schemas are JSON Schema 2020-12, so plain ``jsonschema`` validates them)."""

from __future__ import annotations

import functools
import re

from drf_spectacular.generators import SchemaGenerator
from jsonschema import Draft202012Validator


@functools.cache
def api_schema() -> dict:
    return SchemaGenerator().get_schema(request=None, public=True)


def _operation(path: str, method: str) -> dict:
    for template, operations in api_schema()["paths"].items():
        pattern = "^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template)) + "$"
        if re.match(pattern, path):
            return operations[method.lower()]
    raise AssertionError(f"{method} {path} is not in the OpenAPI schema")


def assert_matches_schema(response, *, method: str = "GET") -> None:
    """The response's status is documented for its operation and its JSON body
    validates against the documented schema."""
    operation = _operation(response.request["PATH_INFO"], method)
    documented = operation["responses"]
    assert str(response.status_code) in documented, (response.status_code, sorted(documented))
    schema = documented[str(response.status_code)]["content"]["application/json"]["schema"]
    validator = Draft202012Validator(
        {**schema, "components": api_schema()["components"]}, format_checker=Draft202012Validator.FORMAT_CHECKER
    )
    errors = [f"{list(error.absolute_path)}: {error.message}" for error in validator.iter_errors(response.json())]
    assert errors == [], errors
