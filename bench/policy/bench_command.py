"""命令行基准：`shouhu assess FILE` 处理一个含 N 个个案（默认 100,000）的文件，每秒多少个。

    .venv/bin/python bench/policy/bench_command.py [--children 100000]

计时包括启动 Python、读 JSON、校验、认定、写出 JSON（输出到 /dev/null）。
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from generate import random_cases


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--children", type=int, default=100_000)
    args = parser.parse_args()
    shouhu = Path(sys.executable).with_name("shouhu")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "cases.json"
        path.write_text(
            json.dumps(random_cases(args.children), ensure_ascii=False), encoding="utf-8"
        )
        size = path.stat().st_size / 1e6
        t0 = time.perf_counter()
        with open("/dev/null", "w") as sink:
            subprocess.run([str(shouhu), "assess", str(path)], check=True, stdout=sink)
        seconds = time.perf_counter() - t0
    n = args.children
    print(
        f"shouhu assess：{n:,} 个个案（{size:.0f} MB）{seconds:.1f} 秒 = {n / seconds:,.0f} 个/秒"
    )


if __name__ == "__main__":
    main()
