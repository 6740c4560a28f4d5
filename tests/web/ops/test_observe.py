"""Observable while running: /healthz and /readyz answer without sign-in and without personal
data; /metrics only to this machine or with the token; every request has an id (offered or made)
and one JSON log line that names the view, never the query string."""

from __future__ import annotations

import json
import logging
import os
import time

import pytest
from django.test import Client

from shouhu.web.jobs.worker import heartbeat_path, heartbeat_touch
from shouhu.web.ops.observe import JsonFormatter

ID_NUMBER = "150802201501011234"


@pytest.fixture
def client() -> Client:
    return Client(REMOTE_ADDR="127.0.0.1")


def test_liveness_and_readiness_say_what_is_wrong(db: None, client: Client) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    heartbeat_path().unlink(missing_ok=True)
    missing = client.get("/readyz")
    assert missing.status_code == 503
    assert missing.json()["checks"]["worker"] == {"ok": False, "error": "no_heartbeat"}
    heartbeat_touch()
    ready = client.get("/readyz")
    assert ready.status_code == 200
    checks = ready.json()["checks"]
    assert checks["database"] == {"ok": True}
    assert checks["worker"]["ok"]
    assert checks["disk"]["ok"]
    old = time.time() - 600
    os.utime(heartbeat_path(), (old, old))
    assert client.get("/readyz").json()["checks"]["worker"]["ok"] is False


def test_metrics_answer_this_machine_or_the_token_only(db: None, client: Client, settings) -> None:
    client.get("/healthz")
    text = client.get("/metrics").content.decode()
    assert 'shouhu_http_requests_total{method="GET",status="200",view="healthz"}' in text
    assert "shouhu_http_request_duration_seconds_bucket" in text
    assert "shouhu_jobs_stalled 0.0" in text
    outside = Client(REMOTE_ADDR="10.1.2.3")
    assert outside.get("/metrics").status_code == 404
    assert client.get("/metrics", HTTP_X_FORWARDED_FOR="10.1.2.3").status_code == 404  # 经代理
    settings.METRICS_TOKEN = "t0ken-for-prometheus"
    assert outside.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 404
    good = outside.get("/metrics", HTTP_AUTHORIZATION="Bearer t0ken-for-prometheus")
    assert good.status_code == 200


def test_each_request_has_an_id_and_a_log_line_without_personal_data(
    db: None, client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="shouhu.request"):
        offered = client.get(f"/persons/?q={ID_NUMBER}", HTTP_X_REQUEST_ID="probe-1")
        made = client.get("/healthz", HTTP_X_REQUEST_ID="bad id with spaces")
    assert offered.headers["X-Request-ID"] == "probe-1"
    assert len(made.headers["X-Request-ID"]) == 32
    lines = [json.loads(JsonFormatter().format(r)) for r in caplog.records]
    assert lines[0]["request_id"] == "probe-1"
    assert lines[0]["view"] == "person_list"
    assert lines[0]["status"] == 302
    assert ID_NUMBER not in caplog.text
    assert all(ID_NUMBER not in json.dumps(line) for line in lines)
