"""省级规模的报送文件（CSV、Parquet，上千万行）：流式分批读取，内存只随批大小增长。

每批先由 DuckDB 判断哪些行已是规范写法（`canonical.canonical_select`，由字段定义生成），这些
行直接得到规范值；其余的行交给逐行校验 `RowValidator`（与网页上传、`submission import` 同一个
定义），得到同样的记录、同样的中文错误和提示。输出是 Arrow 表：__row（文件中的行号，表头为
第 1 行）、每个字段一列（规范值；日期为 date）、身份证号列另有 `<列>__valid`（号码合格）。

只读 UTF-8 的 CSV（可带 BOM）和 Parquet；Parquet 的列名可以是表头，也可以是字段键（如
shouhu synth 写的 id_number）。空行不计行号（Arrow 的 CSV 读取跳过空行）。
"""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Final

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from shouhu.core.catalog import DataItem, FieldType
from shouhu.core.exchange import CellError, example_values
from shouhu.core.exchange.headers import ColumnMap, match_headers
from shouhu.core.exchange.messages import cell_error
from shouhu.core.exchange.records import RowValidator
from shouhu.core.exchange.table import row_is_blank
from shouhu.core.identity import is_valid_id_number
from shouhu.engine.exchange.canonical import SourceColumn, canonical_select

BATCH_ROWS: Final = 200_000
_CSV_BLOCK: Final = 16 << 20


class BulkUnreadable(Exception):
    """整份文件读不了或不是本数据项的模板；message 是给报送人员看的中文说明。"""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class CheckedBatch:
    records: pa.Table
    rows: int  # 本批的非空数据行
    errors: list[CellError] = field(default_factory=list)
    warnings: list[CellError] = field(default_factory=list)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


class BulkReader:
    """按数据项读取并校验一个大文件：`columns` 是识别出的表头，`batches()` 逐批给出结果。"""

    def __init__(
        self,
        path: Path,
        item: DataItem,
        *,
        filename: str = "",
        batch_rows: int = BATCH_ROWS,
        today: date | None = None,
    ) -> None:
        self.path = path
        self.item = item
        self.filename = filename or path.name
        self.batch_rows = batch_rows
        self.parquet = path.suffix.lower() == ".parquet"
        self.names = self.column_names()
        headers = [self.header_text(name) for name in self.names]
        try:
            self.columns: ColumnMap = match_headers(list(headers), item)
        except Exception as exc:  # HeaderMismatch：不是本项模板
            raise BulkUnreadable(f"文件「{self.filename}」{getattr(exc, 'message', exc)}") from None
        example = example_values(item)
        self.validator = RowValidator(item, self.columns, self.filename, example)
        sources = [SourceColumn(f"c{index}", spec) for index, spec in self.columns.columns]
        self.sql = canonical_select(item, sources, example, today or date.today())
        self.duck = duckdb.connect()
        self.duck.execute("SET threads TO 2")

    def header_text(self, name: str) -> str:
        """列名是字段键（synth 的 Parquet）时当作该字段的表头。"""
        spec = next((s for s in self.item.fields if s.key == name), None)
        return spec.header if spec is not None else name

    def column_names(self) -> list[str]:
        if self.parquet:
            return list(pq.ParquetFile(self.path).schema_arrow.names)
        try:
            with self.path.open(encoding="utf-8-sig", newline="") as handle:
                first = handle.readline()
        except UnicodeDecodeError:
            raise BulkUnreadable(
                f"文件「{self.filename}」不是 UTF-8 编码：请另存为 UTF-8 编码的 CSV"
            ) from None
        self.delimiter = "\t" if first.count("\t") > first.count(",") else ","
        return next(csv.reader([first], delimiter=self.delimiter))

    def warnings(self) -> list[CellError]:
        if not self.columns.unknown:
            return []
        names = "".join(f"「{name[:30]}」" for name in self.columns.unknown[:20])
        message = f"无法识别的列{names}不是本数据项的列，其中的内容未读取"
        return [cell_error(self.filename, 1, "", "", message)]

    def batches(self) -> Iterator[CheckedBatch]:
        first_row = 2
        for raw in self.raw_batches():
            yield self.check(raw, first_row)
            first_row += raw.num_rows

    def raw_batches(self) -> Iterator[pa.RecordBatch]:
        """各列一律为文本（与逐行校验看到的 CSV 单元格一样），列名为 c0、c1……"""
        names = [f"c{index}" for index in range(len(self.names))]
        if self.parquet:
            for batch in pq.ParquetFile(self.path).iter_batches(batch_size=self.batch_rows):
                columns = [pc.cast(column, pa.string()) for column in batch.columns]
                yield pa.RecordBatch.from_arrays(columns, names=names)
            return
        read = pacsv.ReadOptions(column_names=names, skip_rows=1, block_size=_CSV_BLOCK)
        parse = pacsv.ParseOptions(delimiter=self.delimiter)
        convert = pacsv.ConvertOptions(column_types=dict.fromkeys(names, pa.string()))
        try:
            reader = pacsv.open_csv(self.path, read, parse, convert)
            pending: list[pa.RecordBatch] = []
            size = 0
            for batch in reader:
                pending.append(batch)
                size += batch.num_rows
                if size >= self.batch_rows:
                    yield from pa.Table.from_batches(pending).to_batches()
                    pending, size = [], 0
            if pending:
                yield from pa.Table.from_batches(pending).to_batches()
        except (pa.ArrowInvalid, UnicodeDecodeError) as exc:
            raise BulkUnreadable(f"文件「{self.filename}」不是有效的 UTF-8 CSV：{exc}") from None

    def check(self, raw: pa.RecordBatch, first_row: int) -> CheckedBatch:
        numbers = pa.array(range(first_row, first_row + raw.num_rows), pa.int64())
        batch = pa.Table.from_batches([raw]).append_column("__row", numbers)
        self.duck.register("batch", batch)
        checked = self.duck.sql(self.sql).to_arrow_table()
        self.duck.unregister("batch")
        ok = checked.column("__ok").fill_null(False)
        fast = checked.filter(ok).drop_columns(["__ok"])
        slow = batch.filter(pc.invert(ok))
        out = CheckedBatch(fast, fast.num_rows)
        if slow.num_rows:
            rows = self.slow_rows(slow, out)
            slow_table = pa.Table.from_pylist(rows, schema=fast.schema)
            out.records = pa.concat_tables([fast, slow_table])
        return out

    def slow_rows(self, slow: pa.Table, out: CheckedBatch) -> list[dict[str, Any]]:
        """不是规范写法的行：逐行校验，合格的转成与快速路径一样的列。"""
        cells_of = [slow.column(f"c{i}").to_pylist() for i in range(len(self.names))]
        numbers = slow.column("__row").to_pylist()
        rows = []
        for index, number in enumerate(numbers):
            cells: list[object] = [column[index] for column in cells_of]
            if row_is_blank(cells):
                continue
            out.rows += 1
            outcome = self.validator.check(number, cells, {})
            if outcome.record is None:
                out.errors.extend(outcome.errors)
                continue
            out.warnings.extend(outcome.warnings)
            rows.append(self.record_row(number, outcome.record.subject, outcome.record.extra))
        return rows

    def record_row(
        self, number: int, subject: dict[str, object], extra: dict[str, object]
    ) -> dict[str, Any]:
        row: dict[str, Any] = {"__row": number}
        for spec in self.item.fields:
            values = subject if spec.target_kind == "subject" else extra
            name = spec.target_name if spec.target_kind == "subject" else spec.key
            value = values.get(name)
            row[spec.key] = value
            if spec.type is FieldType.ID_NUMBER:
                row[spec.key + "__valid"] = isinstance(value, str) and is_valid_id_number(value)
        return row
