"""Load benchmark (issue 18 item 1): signed-in caseworkers in a closed loop against `shouhu serve`.

    .venv/bin/python bench/load/bench_load.py --clients 50 --seconds 30
    .venv/bin/python bench/load/bench_load.py --clients 200 --seconds 30 \
        --postgres postgresql://postgres@127.0.0.1:5432/postgres

A fresh demo region in a temporary data directory (SQLite, or a new PostgreSQL database), one
caseworker account per client (county 临河区, enrolled with a known authenticator secret so that
each signs in with its own code), the production server (`shouhu serve --no-worker` with the
settings of `shouhu.web.ops.serving`, plus a `shouhu worker` process) on loopback. Each client is
a thread with its own keep-alive connection and session, and sends the report's mix: 25 %
dashboard, 25 % person search (POST, as the page does), 35 % a child's page, 15 % the findings
list. The generator runs on the same machine and takes CPU from the server: the figures are a
floor. Prints one JSON object: throughput, latency percentiles, errors, per page.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

PASSWORD = "bench-load-password-2026"
MIX = (("dashboard", 25), ("search", 25), ("child", 35), ("findings", 15))
SETUP = """
import json, sys
from shouhu.web import django_setup
django_setup()
from shouhu.web.accounts.models import User
from shouhu.web.accounts.second_factor import second_factor_enrol_known
from shouhu.web.registry.models import Person
model = User.objects.get(username="demo_caseworker")
secrets = {}
for i in range(int(sys.argv[1])):
    name = f"bench_cw_{i:03d}"
    user = User.objects.filter(username=name).first() or User(
        username=name, role=model.role, division=model.division, agency=model.agency,
        full_name=f"压测{i}")
    user.set_password(sys.argv[2])
    user.must_change_password = False
    user.save()
    secret = "JBSWY3DPEHPK3PXP" + format(i, "016b").replace("0", "A").replace("1", "B")
    second_factor_enrol_known(user=user, secret=secret)
    secrets[name] = secret
persons = list(Person.objects.filter(division__code__startswith="150802")
               .order_by("-birth_date").values_list("id", "name")[:300])
print(json.dumps({"secrets": secrets, "persons": persons}))
"""


def _run(args: list[str], env: dict[str, str]) -> str:
    done = subprocess.run(args, env=env, capture_output=True, text=True, check=False)
    if done.returncode:
        raise RuntimeError(done.stderr[-3000:])
    return done.stdout


def prepare(
    clients: int, postgres: str, persons: int, settings: list[str]
) -> tuple[dict[str, str], dict]:
    root = Path(tempfile.mkdtemp(prefix="shouhu-load-"))
    inherited = {k: v for k, v in os.environ.items() if not k.startswith("SHOUHU_")}
    env = {**inherited, "SHOUHU_DATA_DIR": str(root / "var"), "SHOUHU_LOG_LEVEL": "WARNING"}
    # 测试用户不受人员查询限额（防批量采集）的限制：50 个客户端时每人每分钟查询远超 20 次
    env |= {"SHOUHU_SEARCH_LIMIT_PER_MINUTE": "100000", "SHOUHU_SEARCH_LIMIT_PER_DAY": "10000000"}
    env |= dict(setting.split("=", 1) for setting in settings)  # --set SHOUHU_…=…
    if postgres:
        name = f"shouhu_load_{os.getpid()}"
        admin = postgres.rsplit("/", 1)[0]
        subprocess.run(["psql", f"{admin}/postgres", "-qc", f"CREATE DATABASE {name}"], check=True)
        env["SHOUHU_DATABASE_URL"] = f"{admin}/{name}"
    _run([sys.executable, "-m", "shouhu.cli", "demo", "--persons", str(persons)], env)
    setup = json.loads(_run([sys.executable, "-c", SETUP, str(clients), PASSWORD], env))
    return env, setup


class Client:
    def __init__(self, port: int) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.cookies: dict[str, str] = {}

    def request(
        self, method: str, path: str, form: dict[str, str] | None = None
    ) -> tuple[int, str]:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if form is not None:
            form = {**form, "csrfmiddlewaretoken": self.cookies.get("csrftoken", "")}
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = "http://127.0.0.1/"
        for attempt in range(2):
            try:
                self.conn.request(method, path, body=body, headers=headers)
                response = self.conn.getresponse()
                text = response.read().decode("utf-8", "replace")
                break
            except (http.client.HTTPException, OSError):
                self.conn.close()
                if attempt:
                    raise
        for value in response.headers.get_all("Set-Cookie") or []:
            key, _, rest = value.partition("=")
            self.cookies[key.strip()] = rest.split(";", 1)[0]
        return response.status, text

    def sign_in(self, username: str, secret: str) -> None:
        import pyotp

        self.request("GET", "/login/")
        status, _ = self.request("POST", "/login/", {"username": username, "password": PASSWORD})
        assert status == 302, f"sign-in {username}: {status}"
        self.request("GET", "/login/code/")
        status, _ = self.request("POST", "/login/code/", {"code": pyotp.TOTP(secret).now()})
        assert status == 302, f"code {username}: {status}"


def serve(
    env: dict[str, str], port: int, server: str, tuning: list[str]
) -> list[subprocess.Popen[bytes]]:
    """`production`: gunicorn + worker under `shouhu production`; `serve`: waitress + a worker."""
    quiet = {"env": env, "stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    shouhu = [sys.executable, "-m", "shouhu.cli"]
    if server == "production":
        command = [*shouhu, "production", "--port", str(port), *tuning]
        started = [subprocess.Popen(command, **quiet)]
    else:
        started = [
            subprocess.Popen([*shouhu, "serve", "--port", str(port), "--no-worker"], **quiet),
            subprocess.Popen([*shouhu, "worker"], **quiet),
        ]
    for _ in range(120):
        try:
            probe = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            probe.request("GET", "/healthz")
            if probe.getresponse().status == 200:
                return started
        except OSError:
            time.sleep(0.5)
    raise RuntimeError("server did not start")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--persons", type=int, default=20_000)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--postgres", default="")
    parser.add_argument("--server", choices=("production", "serve"), default="production")
    parser.add_argument("--set", action="append", default=[], help="SHOUHU_NAME=value")
    parser.add_argument("--web-workers", type=int, default=0, help="production: processes")
    parser.add_argument("--threads", type=int, default=0, help="production: threads each")
    args = parser.parse_args()
    env, setup = prepare(args.clients, args.postgres, args.persons, args.set)
    tuning = [f"--web-workers={args.web_workers}"] if args.web_workers else []
    tuning += [f"--threads={args.threads}"] if args.threads else []
    processes = serve(env, args.port, args.server, tuning)
    persons = setup["persons"]
    results: list[tuple[str, int, float]] = []
    served = [0] * args.clients  # 每个客户端成功的请求数：200 个都要有
    lock = threading.Lock()
    clients = [Client(args.port) for _ in range(args.clients)]
    for client, (username, secret) in zip(clients, setup["secrets"].items(), strict=True):
        client.sign_in(username, secret)
    start = threading.Barrier(args.clients + 1)
    stop_at = [0.0]

    def loop(client: Client, seed: int) -> None:
        rng = random.Random(seed)
        pages, weights = zip(*MIX, strict=True)
        start.wait()
        while time.monotonic() < stop_at[0]:
            page = rng.choices(pages, weights)[0]
            began = time.perf_counter()
            try:
                if page == "dashboard":
                    status, _ = client.request("GET", "/")
                elif page == "search":
                    name = rng.choice(persons)[1]
                    status, _ = client.request("POST", "/persons/", {"q": name})
                elif page == "child":
                    status, _ = client.request("GET", f"/persons/{rng.choice(persons)[0]}/")
                else:
                    status, _ = client.request("GET", "/comparison/findings/")
            except (OSError, http.client.HTTPException):
                status = 0
            with lock:
                results.append((page, status, time.perf_counter() - began))
                served[seed] += status == 200

    threads = [
        threading.Thread(target=loop, args=(c, i), daemon=True) for i, c in enumerate(clients)
    ]
    for thread in threads:
        thread.start()
    stop_at[0] = time.monotonic() + args.seconds
    began = time.monotonic()
    start.wait()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - began
    for process in processes:
        process.terminate()
    for process in processes:
        process.wait(timeout=60)
    if args.postgres:  # 压测库用完即删
        url = env["SHOUHU_DATABASE_URL"]
        drop = f"DROP DATABASE IF EXISTS {url.rsplit('/', 1)[1]} WITH (FORCE)"
        subprocess.run(["psql", f"{url.rsplit('/', 1)[0]}/postgres", "-qc", drop], check=False)
    latencies = [r[2] for r in results]
    report = {
        "database": "postgresql" if args.postgres else "sqlite",
        "server": " ".join([args.server, *tuning, *args.set]),
        "clients": args.clients,
        "seconds": round(elapsed, 1),
        "requests": len(results),
        "per_second": round(len(results) / elapsed, 1),
        "errors": sum(1 for r in results if r[1] != 200),
        "clients_served": sum(1 for n in served if n),
        "fewest_per_client": min(served),
        "statuses": dict(sorted(_count(r[1] for r in results).items())),
        "p50_ms": round(percentile(latencies, 0.5) * 1000),
        "p95_ms": round(percentile(latencies, 0.95) * 1000),
        "p99_ms": round(percentile(latencies, 0.99) * 1000),
        "load_average": os.getloadavg()[0],
        "pages": {
            page: {
                "n": len(ms := [r[2] for r in results if r[0] == page]),
                "median_ms": round(statistics.median(ms) * 1000) if ms else None,
                "p95_ms": round(percentile(ms, 0.95) * 1000),
            }
            for page, _ in MIX
        },
    }
    print(json.dumps(report, ensure_ascii=False, indent=1))


def _count(values: object) -> dict[int, int]:
    out: dict[int, int] = {}
    for value in values:  # type: ignore[attr-defined]
        out[value] = out.get(value, 0) + 1
    return out


if __name__ == "__main__":
    main()
