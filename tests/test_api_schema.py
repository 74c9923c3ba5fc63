"""The API's OpenAPI schema is complete and valid, and requests generated from it never make
the server fail."""

import json
import os

import pytest
import schemathesis
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis import checks
from schemathesis.specs.openapi import checks as openapi_checks

from counterpart.api.services import api_token_create

from .conftest import (
    agreed_commitment,
    make_pooled_round,
    raise_concern,
    record_flow,
    released_round,
)


def _schema(tmp_path):
    target = tmp_path / "schema.json"
    # Fails on any warning: a view whose types could not be worked out, a name collision...
    call_command("spectacular", "--validate", "--fail-on-warn", "--format", "openapi-json",
                 "--file", str(target))  # fmt: skip
    return json.loads(target.read_text())


def test_the_schema_is_valid_and_every_operation_states_its_request_and_answers(db, tmp_path):
    schema = _schema(tmp_path)
    operations = [
        (path, method, operation)
        for path, methods in schema["paths"].items()
        for method, operation in methods.items()
    ]
    assert len(operations) >= 25
    paths = set(schema["paths"])
    for expected in (
        "/api/organisations/",
        "/api/organisations/{id}/metrics/",
        "/api/partnerships/",
        "/api/rounds/",
        "/api/rounds/{id}/open/",
        "/api/rounds/{id}/close/",
        "/api/rounds/{id}/results/",
        "/api/commitments/",
        "/api/concerns/",
        "/api/flows/",
        "/api/framework-versions/{id}/xlsform/",
        "/api/tokens/{id}/",
    ):
        assert expected in paths, expected
    for path, method, operation in operations:
        answers = operation["responses"]
        success = [code for code in answers if code.startswith("2")]
        assert success, f"{method} {path} names no success answer"
        for code in success:
            if code != "204":
                assert answers[code].get("content"), f"{method} {path} {code} has no body schema"
        assert "401" in answers, f"{method} {path} does not say what a missing token gives"
        if method == "post" and not path.endswith(("/open/", "/close/")):
            assert "requestBody" in operation, f"{method} {path} has no request schema"
        if path.endswith("/") and "{id}" not in path and method == "get":
            listing = answers["200"]["content"]["application/json"]["schema"]["$ref"]
            assert listing.split("/")[-1].startswith("Paginated"), path
    assert schema["components"]["securitySchemes"]["apiToken"]["scheme"] == "bearer"


def test_the_schema_and_its_docs_are_served(client, db):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    assert response.json()["info"]["title"] == "Counterpart API"
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    html = docs.content.decode()
    # Served from this site: no third-party requests, no inline script or style.
    assert "swagger-ui-bundle.js" in html and "https://" not in html
    assert "<script>" not in html and "<style>" not in html


@pytest.fixture
def api_schema(world):
    released = released_round(
        world,
        {"international": [{"respect_advice_intl": "4"}], "local": [{"respect_advice_local": "2"}]},
    )
    agreed_commitment(world, released)
    make_pooled_round(world, people=3, threshold=3)
    raise_concern(world)
    record_flow(world, "2025-03-01", "1000")
    # Called straight through WSGI, the end of each request would close the database
    # connection, and with it the test's transaction; the test client keeps it open the same way.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application())
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


# A fixed, small exploration by default, so that the suite gives the same answer each run; set
# COUNTERPART_FUZZ_EXAMPLES to explore more widely, with fresh random values.
EXAMPLES = int(os.environ.get("COUNTERPART_FUZZ_EXAMPLES", "0"))

CHECKS = [
    checks.not_a_server_error,
    openapi_checks.status_code_conformance,
    openapi_checks.content_type_conformance,
    openapi_checks.response_schema_conformance,
]


def test_generated_requests_never_make_the_server_fail(api_schema, world):
    """Every operation, with values generated from its schema: valid ones and wrong ones. No
    answer may be a server error, and every answer must match what the schema says."""
    key = api_token_create(actor=world.intl_editor, name="Generated requests")[1]
    headers = {"Authorization": f"Bearer {key}"}
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 25
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES or 12,
            derandomize=not EXAMPLES,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def check(case):
            case.call_and_validate(headers=headers, checks=CHECKS)

        check()
