"""schemathesis against the running app (in-process WSGI), from the OpenAPI document it serves.

Every operation, positive and negative cases, with a valid bearer token (and a signed-in session
with a CSRF token, so that the session-authenticated operations are reached too): no request may
get a 5xx. The departments' operations must also answer as their documented schemas say.
"""

from __future__ import annotations

import itertools

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from shouhu.core.catalog import catalog_load
from shouhu.web.wsgi import application
from tests.web.api.conftest import ITEM, judgment

pytestmark = pytest.mark.django_db
EXAMPLES = 25
CSRF = "k" * 32  # an unmasked CSRF secret: Django accepts it as both cookie and header
OURS = ("/api/v1/items", "/api/v1/submissions")  # the departments' router, whose schemas we own


@pytest.fixture
def schema(_keep_the_test_connection):
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)


@pytest.fixture
def _keep_the_test_connection():
    """Requests go through the real WSGI handler, whose request signals close the database
    connection (and with it the test's transaction on PostgreSQL). Django's own test client
    unhooks them the same way for the length of a request; here, for the length of the test."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def auth(court_credential, family, personas) -> dict[str, dict[str, str]]:
    browser = Client()
    browser.force_login(personas.caseworker_a)
    session = browser.cookies["sessionid"].value
    return {
        "headers": {"Authorization": f"Bearer {court_credential.token}", "X-CSRFToken": CSRF},
        "cookies": {"sessionid": session, "csrftoken": CSRF},
    }


def test_the_served_document_lists_the_departments_operations(schema):
    paths = {op.ok().path for op in schema.get_all_operations()}
    assert {"/api/v1/items", "/api/v1/submissions", "/api/v1/submissions/{submission_id}"} <= paths
    assert (
        schema.raw_schema["components"]["securitySchemes"]["CredentialAuth"]["scheme"] == "bearer"
    )


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_no_generated_request_gets_a_server_error(schema, auth, mode):
    for result in schema.get_all_operations():
        operation = result.ok()
        checks = [not_a_server_error]
        if mode is GenerationMode.POSITIVE and operation.path.startswith(OURS):
            checks.append(response_schema_conformance)
        _run(operation.as_strategy(generation_mode=mode), auth, checks)


def _run(strategy, auth, checks) -> None:
    @given(case=strategy)
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    def check(case) -> None:
        case.call_and_validate(checks=checks, **auth)

    check()


ROW_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=30),
    st.sampled_from(["2025-02-10", "宣告失踪", "150802", "（2025）蒙0802民特1号"]),
)


def test_batches_of_the_right_item_with_any_cell_values_get_a_receipt_never_a_5xx(
    schema, auth, family
):
    """Valid judgments with a few cells replaced by anything: some rows pass, some fail."""
    keys = [spec.key for spec in catalog_load("150802").item(ITEM).fields]
    changes = st.dictionaries(st.sampled_from(keys), ROW_VALUES, max_size=2)
    row = st.builds(
        lambda n, c: {**judgment(family.father, number=n), **c}, st.integers(1, 30), changes
    )
    rows = st.lists(row, max_size=5)
    operation = schema["/api/v1/submissions"]["POST"]
    bodies = st.builds(lambda r: {"item_code": ITEM, "period": "2025-03", "rows": r}, rows)
    strategy = bodies.flatmap(lambda body: operation.as_strategy(body=body))
    batches = itertools.count(1)

    @given(case=strategy)
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    def check(case) -> None:
        headers = {**auth["headers"], "Idempotency-Key": f"batch-{next(batches)}"}
        response = case.call_and_validate(
            checks=[not_a_server_error, response_schema_conformance],
            headers=headers,
            cookies=auth["cookies"],
        )
        assert response.status_code in (200, 201), response.text
        receipt = response.json()
        assert receipt["rows_total"] == receipt["rows_accepted"] + receipt["rows_rejected"]

    check()
