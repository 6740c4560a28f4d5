"""read_table：读取一份报送文件，逐行校验，给出通过的记录和每处错误。

坏文件不抛异常：读不了、拿错模板、超过上限的，整份拒收（rejected_whole），一条记录都不接收；
能读的，合格行接收、错误行逐格说明。调用方（web 层）负责幂等入库和回执。
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import chain

from shouhu.core.catalog import DataItem
from shouhu.core.exchange.encoding import decode_candidates
from shouhu.core.exchange.headers import ColumnMap, HeaderMismatch, match_headers
from shouhu.core.exchange.messages import cell_error, file_message
from shouhu.core.exchange.records import RowOutcome, RowValidator
from shouhu.core.exchange.results import CellError, ReadLimits, ReadResult, ValidRecord
from shouhu.core.exchange.sources import csv_table, file_kind, open_excel
from shouhu.core.exchange.table import FORMULA_PROBLEM, Table, Unreadable, row_is_blank
from shouhu.core.exchange.templates import example_values
from shouhu.core.exchange.values import cell_text

logger = logging.getLogger(__name__)
Progress = Callable[[int], None]
INTERNAL_ERROR = "读取时发生内部错误，未接收任何数据，请联系管理员"
_ENCODING_HINT = "（也可能是文件编码不对：请另存为 UTF-8 或 GBK 编码的 CSV，或直接上传 Excel 文件）"


class _ProgressFailed(Exception):
    """进度回调自己抛的异常：原样交还调用方（例如用它来取消读取），不当作坏文件。"""

    def __init__(self, original: BaseException) -> None:
        super().__init__("progress callback failed")
        self.original = original


def read_table(
    data: bytes,
    *,
    filename: str,
    item: DataItem,
    progress: Progress | None = None,
    limits: ReadLimits | None = None,
) -> ReadResult:
    """读取并校验一份文件（XLSX/XLS/ODS/CSV）。progress(已处理的数据行数) 定期回调。"""
    digest = hashlib.sha256(data).hexdigest()
    try:
        return _read(data, digest, filename, item, progress, limits or ReadLimits())
    except _ProgressFailed as exc:
        raise exc.original from None
    except Unreadable as exc:
        return rejected(digest, file_message(filename, exc.message))
    except HeaderMismatch as exc:
        return rejected(digest, file_message(filename, exc.message))
    except Exception as exc:  # 坏输入绝不能让调用方崩溃；日志只记异常类型，不记内容
        logger.error("读取报送文件时内部错误：%s", type(exc).__name__)
        return rejected(digest, file_message(filename, INTERNAL_ERROR))


def rejected(digest: str, message: str) -> ReadResult:
    return ReadResult(digest, 0, [], [], message)


def open_table(
    data: bytes, filename: str, item: DataItem, limits: ReadLimits
) -> tuple[Table, ColumnMap]:
    """打开文件并识别表头；读不了抛 Unreadable，不是本项模板抛 HeaderMismatch。"""
    if len(data) > limits.max_bytes:
        raise Unreadable(f"超过 {limits.max_bytes // (1024 * 1024)} MB 的大小上限，请拆分后上传")
    if file_kind(data, filename) == "excel":
        table = open_excel(data, limits)
        if table.template_code is not None and table.template_code != item.code:
            raise Unreadable(
                f"是数据项“{table.template_code}”的模板，不是「{item.name}」（{item.code}）的模板，"
                "请核对后重新选择"
            )
        return table, match_headers(table.header, item)
    return open_csv(data, item, limits)


def open_csv(data: bytes, item: DataItem, limits: ReadLimits) -> tuple[Table, ColumnMap]:
    """依次试各候选编码，取表头对得上的那个；都对不上时报告对上列最多的那次。"""
    best: HeaderMismatch | None = None
    unreadable: Unreadable | None = None
    for encoding, text in decode_candidates(data):
        try:
            table = csv_table(text, encoding, limits)
            return table, match_headers(table.header, item)
        except HeaderMismatch as exc:
            if best is None or exc.matched > best.matched:
                best = exc
        except Unreadable as exc:
            unreadable = unreadable or exc
    if best is not None:
        raise HeaderMismatch(best.message.rstrip("。") + _ENCODING_HINT, matched=best.matched)
    raise unreadable or Unreadable("无法识别文件编码，请另存为 UTF-8 或 GBK 编码的 CSV 后上传")


@dataclass
class _Collector:
    filename: str
    limits: ReadLimits
    records: list[ValidRecord] = field(default_factory=list)
    errors: list[CellError] = field(default_factory=list)
    warnings: list[CellError] = field(default_factory=list)
    seen: dict[str, int] = field(default_factory=dict)
    truncated: bool = False
    invalid_ids: int = 0

    def add_errors(self, errors: list[CellError]) -> None:
        room = self.limits.max_errors - len(self.errors)
        if len(errors) > room:
            self.truncated = True
        self.errors.extend(errors[: max(room, 0)])


def _read(
    data: bytes,
    digest: str,
    filename: str,
    item: DataItem,
    progress: Progress | None,
    limits: ReadLimits,
) -> ReadResult:
    table, columns = open_table(data, filename, item, limits)
    validator = RowValidator(item, columns, filename, example_values(item))
    out = _Collector(filename, limits)
    note_ignored_columns(out, table, columns)
    rows_total = 0
    width = len(columns.headers)
    loose_warned = False
    formula_rows = rows_with_formulas(table)
    for number, cells in with_formula_only_rows(table, formula_rows, width):
        if row_is_blank(cells) and number not in formula_rows:
            continue
        rows_total += 1
        if rows_total > limits.max_rows:
            raise Unreadable(f"的数据超过{limits.max_rows}行的上限，请拆分成多个文件上传")
        if not loose_warned and len(cells) > width and any(map(cell_text, cells[width:])):
            loose_warned = True
            out.warnings.append(loose_cells_warning(filename, number))
        flags = table.flags.for_row(number) if not table.flags.empty else {}
        collect(out, validator.check(number, cells, flags), columns, item)
        if progress is not None and rows_total % limits.progress_every == 0:
            report_progress(progress, rows_total)
    finish(out, table, rows_total)
    if progress is not None:
        report_progress(progress, rows_total)
    return ReadResult(
        digest, rows_total, out.records, out.errors, None, out.warnings, table.encoding,
        out.invalid_ids,
    )  # fmt: skip


def rows_with_formulas(table: Table) -> frozenset[int]:
    """含公式的行。没有缓存值的公式读出来是空串，这些行不能当空行跳过，否则数据会悄悄丢失。"""
    return frozenset(
        number for number, flags in table.flags.by_row.items() if FORMULA_PROBLEM in flags.values()
    )


def with_formula_only_rows(
    table: Table, formula_rows: frozenset[int], width: int
) -> Iterator[tuple[int, list[object]]]:
    """数据行，再补上表格末尾只有公式的行（calamine 不会给出这些行）。"""
    if not formula_rows:
        return table.rows
    return chain(table.rows, _trailing_formula_rows(table, formula_rows, width))


def _trailing_formula_rows(
    table: Table, formula_rows: frozenset[int], width: int
) -> Iterator[tuple[int, list[object]]]:
    last = table.header_row + table.height  # calamine 给出的最后一行
    for number in sorted(formula_rows):
        if number > last:
            yield number, [""] * width


def collect(out: _Collector, outcome: RowOutcome, columns: ColumnMap, item: DataItem) -> None:
    record = outcome.record
    out.invalid_ids += outcome.invalid_ids  # 被拒的行也数（它的提示不列出）
    if record is None:
        out.add_errors(outcome.errors)  # 被拒的行只报错误；提示只给接收的行
        return
    first = out.seen.get(record.record_id)
    if first is None:
        out.seen[record.record_id] = record.row
        out.records.append(record)
        out.warnings.extend(outcome.warnings)
        return
    spec = item.record_id_field
    column = columns.header_of(spec) if spec is not None and not record.record_id_derived else ""
    shown = record.record_id if column else ""
    problem = (
        f"与第{first}行的记录编号相同，是重复记录"
        if column
        else f"与第{first}行是同一人、同一类型、同一日期的重复记录"
    )
    out.add_errors([cell_error(out.filename, record.row, column, shown, problem)])


def note_ignored_columns(out: _Collector, table: Table, columns: ColumnMap) -> None:
    if columns.unknown:
        names = "".join(f"「{name[:30]}」" for name in columns.unknown[:20])
        message = f"无法识别的列{names}不是本数据项的列，其中的内容未读取"
        out.warnings.append(cell_error(out.filename, table.header_row, "", "", message))


def loose_cells_warning(filename: str, row: int) -> CellError:
    return cell_error(filename, row, "", "", "有单元格在没有列名的列中，其中的内容未读取")


def finish(out: _Collector, table: Table, rows_total: int) -> None:
    if rows_total == 0:
        message = "只有表头，没有数据行"
        out.warnings.append(cell_error(out.filename, table.header_row, "", "", message))
    if out.truncated:
        message = f"错误超过{out.limits.max_errors}处，只列出前{out.limits.max_errors}处"
        out.warnings.append(cell_error(out.filename, table.header_row, "", "", message))


def report_progress(progress: Progress, rows: int) -> None:
    try:
        progress(rows)
    except Exception as exc:
        raise _ProgressFailed(exc) from exc
