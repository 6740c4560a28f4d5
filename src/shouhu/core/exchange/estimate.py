"""文件大约有多少行：只用于进度条，从不用于任何判断；坏文件给 0，绝不抛异常（安全测试 M2）。"""

from __future__ import annotations

import io
import re
import zipfile

_DIMENSION = re.compile(rb'<dimension ref="[A-Z]+\d+:[A-Z]+(\d+)"')


def rows_estimate(data: bytes, filename: str) -> int:
    """About how many rows a file has, for the progress bar (never for a decision)."""
    if data[:4] == b"PK\x03\x04":
        return _xlsx_rows(data) or 1
    return max(data.count(b"\n"), 1)


def _xlsx_rows(data: bytes) -> int:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = sorted(n for n in archive.namelist() if n.startswith("xl/worksheets/sheet"))
            if not names:
                return 0
            with archive.open(names[0]) as sheet:
                head = sheet.read(4096)
    except Exception:  # 只为进度条：坏文件（如压缩流损坏抛 zlib.error）由 read_table 拒收
        return 0
    found = _DIMENSION.search(head)
    return int(found.group(1)) if found else 0


def read_percent(rows: int, estimate: int, share: int = 100) -> int:
    """已读 rows 行时的进度（0 至 share−1）：读完之前不报满，满格留给读完之后的那一步。"""
    return min(share - 1, rows * share // max(estimate, 1))
