"""`shouhu production` starts the platform supervised: gunicorn answers /healthz, /readyz sees
the worker's heartbeat, /metrics adds up the web processes; a backup taken while it runs restores
into a fresh directory with the audit chain intact; a worker that dies is started again; SIGTERM
stops everything."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.web.conftest import once_on_postgres
from tests.web.ops.platforms import Platform, platform, postgres_drop

pytestmark = [pytest.mark.xdist_group("backup"), once_on_postgres]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def _until(check, seconds: float = 60.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            result = check()
        except OSError:
            result = None
        if result:
            return result
        time.sleep(0.3)
    raise AssertionError("timed out")


def _workers(parent: int) -> list[int]:
    out = subprocess.run(["ps", "-eo", "pid,ppid,args"], capture_output=True, text=True).stdout
    return [
        int(line.split()[0])
        for line in out.splitlines()[1:]
        if line.split()[1] == str(parent) and "shouhu.cli worker" in line
    ]


def _backup_while_running(site: Platform, tmp_path: Path) -> None:
    phrases = {
        "SHOUHU_BACKUP_PASSPHRASE": "data-pass-while-up",
        "SHOUHU_BACKUP_KEYS_PASSPHRASE": "keys-pass-while-up",
    }
    site.env |= phrases
    site.run("backup", "--out", str(tmp_path / "data"))
    site.run("backup", "--keys", "--out", str(tmp_path / "keys"))
    (data,), (keys,) = (tmp_path / "data").glob("*.sbk"), (tmp_path / "keys").glob("*.sbk")
    copy = platform(tmp_path / "copy", "prod_copy")
    copy.env |= phrases
    assert "审计日志哈希链校验通过" in copy.run("restore", str(data), "--keys", str(keys)).stdout


def test_production_runs_supervised_and_stops_on_sigterm(tmp_path: Path) -> None:
    site = platform(tmp_path / "p", "prod")
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    supervisor = subprocess.Popen(
        [sys.executable, "-m", "shouhu.cli", "production", "--port", str(port),
         "--web-workers", "2", "--threads", "2"],
        env=site.env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )  # fmt: skip
    try:
        _until(lambda: _get(f"{base}/healthz")[0] == 200)
        ready = _until(lambda: (r := _get(f"{base}/readyz"))[0] == 200 and r)
        assert json.loads(ready[1])["checks"]["worker"]["ok"]
        _get(f"{base}/login/")
        metrics = _get(f"{base}/metrics")[1]
        assert 'shouhu_http_requests_total{method="GET",status="200",view="login"}' in metrics
        assert "shouhu_jobs_stalled" in metrics
        _backup_while_running(site, tmp_path)
        (first,) = _until(lambda: _workers(supervisor.pid))
        subprocess.run(["kill", str(first)], check=True)
        (second,) = _until(lambda: [p for p in _workers(supervisor.pid) if p != first] or None)
        assert second != first
    finally:
        supervisor.send_signal(signal.SIGTERM)
        output, _ = supervisor.communicate(timeout=60)
        postgres_drop("prod", "prod_copy")
    assert supervisor.returncode == 0
    assert "已退出" in output
    assert "已停止" in output
