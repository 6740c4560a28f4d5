"""Benchmark: the whole malformed-file corpus through the platform (issue 12 item 7).

    .venv/bin/python bench/fuzz/bench_fuzz.py [--seed 2026] [--count 2000] [--cli-sample 100]
        [--dir /tmp/shouhu-fuzz] [--postgres postgresql://postgres@127.0.0.1:5432/postgres]

Three passes over one fresh database (SQLite in --dir, or a database `bench_shouhu_fuzz` created
and dropped on the --postgres server), each for its own month so none is a duplicate of another:

1. in process, `submission_ingest` (the CLI's code path) for every file, then its receipt CSV and
   error report; every table counted before and after each file;
2. the web upload page ("直接报送": POST /submissions/new/ as the department's submitter, the
   background job run at once, then the receipt page, receipt CSV and error report downloads);
3. the real CLI, `shouhu submission import`, one process per file, for every heavy file and a
   seeded random --cli-sample of the others, each with an 8 GiB address-space limit and a 300 s
   timeout: exit code 0 or 2, no traceback, no personal data on stdout or stderr.

Every log record of passes 1 and 2 is kept and searched for the corpus's names and for runs of
ID-number digits. Figures go to --dir/results.json and are printed as the README's table.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import random
import resource
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse, urlunparse

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path[:0] = [str(HERE), str(ROOT)]

from fuzz_corpus import HEAVY, NAMES, Case, cases  # noqa: E402

PG_DATABASE = "bench_shouhu_fuzz"
PERIODS = {"ingest": "2025-09", "web": "2025-08", "cli": "2025-07"}


def setup_database(url: str, data_dir: Path) -> None:
    os.environ["SHOUHU_DATABASE_URL"] = url
    os.environ["SHOUHU_DATA_DIR"] = str(data_dir)
    from shouhu.web import django_setup

    django_setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def region() -> dict[str, object]:
    """临河区 with one department (and its submitter) per agency type of the catalog."""
    from fuzz_corpus import ITEMS
    from tests.web import factories as f

    province = f.division("150000", "内蒙古自治区")
    city = f.division("150800", "巴彦淖尔市", province)
    county = f.division("150802", "临河区", city)
    agencies = {}
    for kind in sorted({item.agency_type for item in ITEMS}):
        agency = f.agency(kind, county, f"临河区{kind}")
        agencies[kind] = (agency, f.user(f"fuzz_{kind}", "data_submitter", county, agency))
    return agencies


def pass_ingest(corpus: list[Case], agencies: dict, period: str) -> list:
    from datetime import date

    from fuzz_check import ingest_case

    from shouhu.core.catalog import catalog_load

    catalog = catalog_load("150802")
    month = date.fromisoformat(period + "-01")

    def agency_for(code: str) -> object:
        return agencies[catalog.item(code).agency_type][0]

    return [ingest_case(case, agency_for=agency_for, period=month) for case in corpus]


def pass_web(corpus: list[Case], agencies: dict, period: str) -> list:
    from django.test import Client
    from fuzz_check import upload_case

    from shouhu.core.catalog import catalog_load
    from shouhu.web.jobs.worker import job_run_next

    catalog = catalog_load("150802")
    clients = {}
    for kind, (_, user) in agencies.items():
        clients[kind] = Client(REMOTE_ADDR="127.0.0.1", SERVER_NAME="localhost")
        clients[kind].force_login(user)

    def run_jobs() -> None:
        while job_run_next(worker="bench"):
            pass

    outcomes = []
    for case in corpus:
        client = clients[catalog.item(case.item_code).agency_type]
        outcomes.append(upload_case(case, client=client, item_period=period, run_jobs=run_jobs))
    return outcomes


def _limit_memory() -> None:
    limit = 8 * 1024**3
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def _os_name(name: str, number: int) -> str:
    """The case's file name as the file system allows it (no NUL or '/', at most 250 bytes)."""
    cleaned = name.replace("\x00", "_").replace("/", "_") or "_"
    while len(cleaned.encode()) > 250:
        cleaned = cleaned[1:]
    return cleaned if cleaned not in (".", "..") else f"_{number}"


def pass_cli(corpus: list[Case], agencies: dict, period: str, work: Path) -> list[dict]:
    from fuzz_check import ID_RUN

    from shouhu.core.catalog import catalog_load

    catalog = catalog_load("150802")
    shouhu = ROOT / ".venv" / "bin" / "shouhu"
    results = []
    for case in corpus:
        folder = work / "cli" / f"{case.number:04d}"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / _os_name(case.filename, case.number)
        path.write_bytes(case.data)
        kind = catalog.item(case.item_code).agency_type
        args = [str(shouhu), "submission", "import", str(path), "--agency", f"150802:{kind}"]
        args += ["--item", case.item_code, "--period", period]
        began = time.perf_counter()
        try:
            done = subprocess.run(
                args, capture_output=True, timeout=300, preexec_fn=_limit_memory, env=os.environ
            )
            code, output = done.returncode, (done.stdout + done.stderr).decode(errors="replace")
        except subprocess.TimeoutExpired:
            code, output = -1, "timeout"
        seconds = time.perf_counter() - began
        leaked = bool(ID_RUN.search(output)) or any(n in output for n in NAMES)
        results.append(
            {
                "number": case.number,
                "family": case.family,
                "exit": code,
                "traceback": "Traceback" in output,
                "personal_data": leaked,
                "seconds": round(seconds, 2),
            }
        )
    return results


def summary(outcomes: list) -> dict[str, object]:
    kinds = collections.Counter(o.kind for o in outcomes)
    reasons = collections.Counter(o.reason for o in outcomes if o.kind == "refused")
    slow = max(outcomes, key=lambda o: o.seconds)
    return {
        "files": len(outcomes),
        "outcomes": dict(kinds),
        "crashes": [(o.number, o.family, o.reason) for o in outcomes if o.kind == "crash"],
        "partial": [
            (o.number, o.family, o.reason, o.changed) for o in outcomes if o.kind == "partial"
        ],
        "refusals_by_reason": dict(reasons.most_common()),
        "seconds_total": round(sum(o.seconds for o in outcomes), 1),
        "slowest": [slow.number, slow.family, round(slow.seconds, 2)],
    }


def cli_summary(results: list[dict]) -> dict[str, object]:
    return {
        "files": len(results),
        "exit_codes": dict(collections.Counter(r["exit"] for r in results)),
        "tracebacks": [r["number"] for r in results if r["traceback"]],
        "personal_data": [r["number"] for r in results if r["personal_data"]],
        "timeouts": [r["number"] for r in results if r["exit"] == -1],
        "seconds_total": round(sum(r["seconds"] for r in results), 1),
        "slowest": max(([r["seconds"], r["number"], r["family"]] for r in results), default=[]),
    }


def database_url(args: argparse.Namespace, work: Path) -> str:
    if not args.postgres:
        db = work / "fuzz.sqlite3"
        db.unlink(missing_ok=True)
        return f"sqlite:///{db}"
    import psycopg

    with psycopg.connect(args.postgres, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {PG_DATABASE}")
        conn.execute(f"CREATE DATABASE {PG_DATABASE}")
    return urlunparse(urlparse(args.postgres)._replace(path=f"/{PG_DATABASE}"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--cli-sample", type=int, default=100)
    parser.add_argument("--dir", type=Path, default=Path("/tmp/shouhu-fuzz"))
    parser.add_argument("--postgres", default="")
    parser.add_argument("--skip", default="", help="passes to skip: ingest,web,cli")
    args = parser.parse_args()
    work: Path = args.dir
    work.mkdir(parents=True, exist_ok=True)
    began = time.perf_counter()
    corpus = list(cases(args.seed, args.count))
    generated = time.perf_counter() - began
    print(f"{len(corpus)} files generated in {generated:.1f} s", file=sys.stderr)
    setup_database(database_url(args, work), work / "data")
    agencies = region()
    from fuzz_check import LogTrap

    results: dict[str, object] = {"seed": args.seed, "generated_seconds": round(generated, 1)}
    skip = set(args.skip.split(","))
    with LogTrap() as logs:
        if "ingest" not in skip:
            results["ingest"] = summary(pass_ingest(corpus, agencies, PERIODS["ingest"]))
            print("pass 1 done", file=sys.stderr)
        if "web" not in skip:
            results["web"] = summary(pass_web(corpus, agencies, PERIODS["web"]))
            print("pass 2 done", file=sys.stderr)
    results["log_lines"] = len(logs.lines)
    results["log_lines_with_personal_data"] = logs.personal_data()[:20]
    if "cli" not in skip:
        heavy_names = {h.__name__ for h in HEAVY}
        light = [c for c in corpus if c.family not in heavy_names]
        chosen = [c for c in corpus if c.family in heavy_names]
        chosen += random.Random(args.seed).sample(light, min(args.cli_sample, len(light)))
        results["cli"] = cli_summary(pass_cli(chosen, agencies, PERIODS["cli"], work))
    results["seconds"] = round(time.perf_counter() - began, 1)
    (work / "results.json").write_text(json.dumps(results, ensure_ascii=False, indent=1))
    print(json.dumps(results, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
