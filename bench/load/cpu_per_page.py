"""CPU per request of each page of the load mix, in this process, for one caseworker.

    SHOUHU_DATA_DIR=/tmp/shouhu-load-…/var .venv/bin/python bench/load/cpu_per_page.py \
        [--requests 50] [--profile 25]

Runs each page of the mix (`query_counts.PAGES`) `--requests` times through Django's test client
(no server, no network: only what the web process itself spends, database client included) and
prints, per page, the process CPU time per request (`time.process_time`, so other processes on a
loaded machine count less than in wall time) and the wall time. With `--profile N`, a cProfile of
the whole mix in CPU time, its N most expensive functions by cumulative time.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import time

from query_counts import mix_pages  # type: ignore[import-not-found]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--profile", type=int, default=0, metavar="N")
    args = parser.parse_args()
    pages = mix_pages()
    for call in pages.values():
        call()  # warm: templates, caches, connections
    for label, call in pages.items():
        cpu, wall = time.process_time(), time.perf_counter()
        for _ in range(args.requests):
            call()
        cpu_ms = (time.process_time() - cpu) * 1000 / args.requests
        wall_ms = (time.perf_counter() - wall) * 1000 / args.requests
        print(f"{label}: {cpu_ms:.1f} ms CPU, {wall_ms:.1f} ms wall per request")
    if args.profile:
        profiler = cProfile.Profile(time.process_time)
        profiler.enable()
        for _ in range(args.requests):
            for call in pages.values():
                call()
        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(args.profile)


if __name__ == "__main__":
    main()
