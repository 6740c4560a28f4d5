"""生产用的 waitress 设置：按 CPU 核数定，环境变量可改（docs/operations.md）。

waitress 的默认值（8 个线程、100 个连接）撑不住一个省的用户：第 101 个连接起直接排不上。
这里：线程 = 4 × 核数 + 4（至少 8，至多 64；请求大多在等数据库，多几个线程不白占 CPU）；
连接上限 1000（超出的在内核队列里等，不拒）；内核等待队列 2048；用 poll 而不是 select（select
最多 1024 个描述符）。一个进程只用得上一个核（GIL）：核多的机器上起几个 `shouhu serve`
（不同端口、--no-worker），前面 nginx 轮流派请求，另起一个 `shouhu worker`。
"""

from __future__ import annotations

import os
from dataclasses import dataclass


@dataclass(frozen=True)
class ServerSettings:
    threads: int
    connection_limit: int
    backlog: int
    channel_timeout: int

    def waitress(self) -> dict[str, object]:
        return {
            "threads": self.threads,
            "connection_limit": self.connection_limit,
            "backlog": self.backlog,
            "channel_timeout": self.channel_timeout,
            "asyncore_use_poll": True,
            "ident": "shouhu",
        }


def server_settings(threads: int = 0) -> ServerSettings:
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    derived = min(64, max(8, 4 * (cores or 1) + 4))
    return ServerSettings(
        threads=threads or int(os.environ.get("SHOUHU_SERVE_THREADS", derived)),
        connection_limit=int(os.environ.get("SHOUHU_SERVE_CONNECTIONS", "1000")),
        backlog=int(os.environ.get("SHOUHU_SERVE_BACKLOG", "2048")),
        channel_timeout=int(os.environ.get("SHOUHU_SERVE_TIMEOUT", "120")),
    )
