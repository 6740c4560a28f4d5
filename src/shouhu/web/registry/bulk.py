"""户籍名单的批量载入（省级规模）：`shouhu registry load FILE …`。

结果与报送通道（`submission_ingest` → `registry_load_apply`）对同一文件的结果相同：一份带回执的
报送（渠道 cli）、一次 RegistryLoad（同样的统计）、同样的人员、父母关系、版本、曾用号码、问题
和挂起的移出人员；同一文件报送两次只载入一次；辖区外的行使整份拒收。不同的是做法：

- 读取：`engine.exchange.bulk_read` 流式分批，DuckDB 判断规范写法，其余逐行校验；
- 写入：合格行进临时表，之后全是集合式 SQL（`bulk_sql`、`bulk_links`），一个事务；
- 错误：写成 CSV 错误报告（文件、行、列、值、说明），省级的文件放不进 XLSX。

SubmissionErrors 只存前 ReadLimits.max_errors 处错误，不存原文件（省级文件不进数据库）。
"""

from __future__ import annotations

import csv
import io
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Final

import duckdb
import pyarrow as pa
import pyarrow.csv as pacsv
from django.db import connection, transaction
from django.utils import timezone

from shouhu.core.exchange import CellError, ReadLimits
from shouhu.core.exchange.messages import cell_error
from shouhu.core.identity import division_table, name_pinyin_key
from shouhu.core.identity.registry import REGISTRY_ITEM
from shouhu.engine.exchange.bulk_read import BATCH_ROWS, BulkReader, BulkUnreadable, file_sha256
from shouhu.web.accounts.models import Agency
from shouhu.web.audit.context import RequestContext
from shouhu.web.audit.models import Action, ObjectType
from shouhu.web.audit.services import audit_record
from shouhu.web.cases.transfers import transfers_from_registry
from shouhu.web.exchange.errorlists import errors_pack, invalid_id_count
from shouhu.web.exchange.items import item_for_agency, month_of
from shouhu.web.exchange.models import Submission, SubmissionErrors
from shouhu.web.exchange.services import receipt_number
from shouhu.web.registry import bulk_links as links
from shouhu.web.registry import bulk_rebuild as rebuild
from shouhu.web.registry import bulk_sql as sql
from shouhu.web.registry.baseline import Divisions, absent_hold_share
from shouhu.web.registry.models import (
    ChangeKind,
    Division,
    LoadMode,
    LoadStatus,
    RegistryLoad,
)

Echo = Callable[[str], None]
MAX_ERRORS: Final = ReadLimits().max_errors
REPORT_HEADER: Final = ("文件", "行", "列", "值", "说明")
_STAGE_SELECT: Final = """SELECT __row AS row, id_number, name, gender,
    coalesce(birth_date, CAST(try_strptime(substr(id_number, 7, 8), '%Y%m%d') AS DATE)) AS birth,
    division_code, coalesce(household_number, '') AS household,
    coalesce(registry_status, 'registered') AS status, former_id_number AS former,
    father_id_number AS father_id, mother_id_number AS mother_id,
    CASE WHEN father_id_number IS NOT NULL AND NOT father_id_number__valid THEN 1 ELSE 0 END
    + CASE WHEN mother_id_number IS NOT NULL AND NOT mother_id_number__valid THEN 2 ELSE 0 END
    + CASE WHEN former_id_number IS NOT NULL AND NOT former_id_number__valid THEN 4 ELSE 0 END
      AS bad,
    coalesce(father_name, '') AS father_name, coalesce(mother_name, '') AS mother_name
    FROM records"""


@dataclass
class BulkResult:
    submission: Submission | None
    duplicate: bool = False
    rows_total: int = 0
    rows_accepted: int = 0
    errors: int = 0
    warnings: int = 0
    rejected_whole: str | None = None
    load: RegistryLoad | None = None
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def rows_rejected(self) -> int:
        return self.rows_total - self.rows_accepted


class _RejectWhole(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def registry_bulk_load(
    *,
    ctx: RequestContext,
    agency: Agency,
    period: date,
    path: Path,
    full_snapshot: bool,
    error_report: Path | None = None,
    batch_rows: int = BATCH_ROWS,
    echo: Echo | None = None,
) -> BulkResult:
    """载入一份（可能上千万行的）户籍名单，一个事务；失败时什么也不留。"""
    job = _BulkLoad(ctx, agency, month_of(period), path, full_snapshot, error_report, echo)
    item = item_for_agency(agency, REGISTRY_ITEM)
    with job.step("hash"):
        job.sha256 = file_sha256(path)
    existing = job.existing()
    if existing is not None:
        with transaction.atomic():
            job.audit(existing, "duplicate", {})
        return BulkResult(existing, True, existing.rows_total, existing.rows_accepted)
    try:
        reader = BulkReader(path, item, batch_rows=batch_rows)
        with transaction.atomic():
            return job.run(reader)
    except (BulkUnreadable, _RejectWhole) as exc:
        job.audit_rejected()
        return BulkResult(None, rejected_whole=exc.message, timings=job.timings)


@dataclass
class _BulkLoad:
    ctx: RequestContext
    agency: Agency
    period: date
    path: Path
    full: bool
    error_report: Path | None
    echo: Echo | None
    sha256: str = ""
    timings: dict[str, float] = field(default_factory=dict)
    errors: list[CellError] = field(default_factory=list)
    warnings: list[CellError] = field(default_factory=list)
    error_total: int = 0
    id_errors: int = 0  # 错误里不合格的身份证号（错误清单只存前 MAX_ERRORS 处，这里数全部）
    rows_total: int = 0

    @contextmanager
    def step(self, name: str) -> Iterator[None]:
        start = time.perf_counter()
        yield
        self.timings[name] = self.timings.get(name, 0.0) + time.perf_counter() - start
        if self.echo is not None:
            self.echo(f"{name}: {self.timings[name]:.1f} s")

    def existing(self) -> Submission | None:
        return Submission.objects.filter(
            agency=self.agency, item_code=REGISTRY_ITEM, period=self.period,
            content_sha256=self.sha256,
        ).order_by("pk").first()  # fmt: skip

    def run(self, reader: BulkReader) -> BulkResult:
        dialect = sql.Dialect(connection.vendor)
        with connection.cursor() as cursor, self.report() as report:
            sql.memory_raise(cursor, dialect)
            sql.stage_create(cursor)
            self.warnings += reader.warnings()
            with self.step("read_check_stage"):
                self.stage(cursor, reader, report)
            with self.step("duplicates_divisions"):
                self.duplicates(cursor, reader.filename, report)
                scope = self.divisions(cursor, reader.filename)
                sql.stage_index(cursor, dialect)
            accepted = int(sql.scalar(cursor, "SELECT count(*) FROM rb_stage"))
            submission = self.submission_create(reader.filename, accepted)
            mode = LoadMode.FULL if self.full else LoadMode.DELTA
            load = RegistryLoad.objects.create(
                submission=submission, scope=scope, mode=mode, status=LoadStatus.APPLIED
            )
            self.apply(cursor, dialect, load)
            sql.temp_tables_drop(cursor)
        # 户籍已迁出个案所在地的保障儿童：提出迁移（cases.transfers；不悄悄改个案）
        transfers_from_registry(ctx=self.ctx, load=load)
        self.finish(submission)
        self.audit(submission, "stored", {"registry": load.counts, "registry_status": load.status})
        return BulkResult(
            submission, False, self.rows_total, accepted, self.error_total,
            len(self.warnings), None, load, self.timings,
        )  # fmt: skip

    # ------------------------------------------------------------ reading and staging

    @contextmanager
    def report(self) -> Iterator[Any]:
        if self.error_report is None:
            yield None
            return
        with self.error_report.open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(REPORT_HEADER)
            yield writer

    def add_errors(self, errors: list[CellError], filename: str, report: Any) -> None:
        self.error_total += len(errors)
        self.id_errors += invalid_id_count(errors)
        room = MAX_ERRORS - len(self.errors)
        self.errors.extend(errors[: max(room, 0)])
        if report is not None:
            report.writerows((filename, e.row, e.column, e.value, e.message) for e in errors)

    def stage(self, cursor: Any, reader: BulkReader, report: Any) -> None:
        duck = duckdb.connect()
        for batch in reader.batches():
            self.rows_total += batch.rows
            self.add_errors(batch.errors, reader.filename, report)
            self.warnings += batch.warnings
            duck.register("records", batch.records)
            staged = duck.sql(_STAGE_SELECT).to_arrow_table()
            duck.unregister("records")
            _stage_insert(cursor, staged)
            if self.echo is not None:
                self.echo(f"已读 {self.rows_total:,} 行")

    def duplicates(self, cursor: Any, filename: str, report: Any) -> None:
        found = sql.duplicate_records(cursor)
        problem = "与第{}行是同一人、同一类型、同一日期的重复记录"
        errors = [cell_error(filename, row, "", "", problem.format(first)) for row, first in found]
        self.add_errors(errors, filename, report)
        self.errors.sort(key=lambda e: e.row)

    def divisions(self, cursor: Any, filename: str) -> Division:
        """区划代码对到区划表；有一行在报送部门辖区外，整份拒收（同 registry_rows_within）。"""
        scope = Division.objects.get(code=self.agency.division_id)
        lookup, table = Divisions(scope), division_table()
        rows = []
        for code in sql.division_codes(cursor):
            found = lookup.lookup(code)
            exact = int(found is not None and found.code == code)
            outside = int(not table.is_within(code, self.agency.division_id))
            rows.append((code, found.code if found else None, exact, outside))
        sql.divisions_stage(cursor, rows)
        first = sql.first_row_outside(cursor)
        if first is not None:
            area = table.get(self.agency.division_id)
            where = area.name if area is not None else self.agency.division_id
            raise _RejectWhole(
                f"{filename or '文件'}第{first[0]}行：户籍地区划代码 {first[1]} 不在本部门辖区"
                f"（{where}）内。户籍名单只能报送本辖区的人员，整份文件未接收。"
            )
        return scope

    # ------------------------------------------------------------ the set-based load

    def apply(self, cursor: Any, dialect: sql.Dialect, load: RegistryLoad) -> None:
        now, scope, pk = timezone.now(), load.scope_id, load.pk
        counts: Counter[str] = Counter()
        sql.run(cursor, "CREATE TEMP TABLE rb_names (name text, pinyin text)")
        with self.step("classify"):
            sql.classify(cursor, dialect)
        with self.step("pinyin"):
            _pinyin_stage(cursor, sql.names_needed(cursor, sql.NEW_OR_RENAMED))
        relaxed = None
        if dialect.vendor == "postgresql" and rebuild.worth_it(cursor, sql.new_count(cursor)):
            with self.step("indexes_drop"):
                relaxed = rebuild.relax(cursor)
        with self.step("persons"):
            sql.persons_create(cursor, scope=scope, now=now)
            if relaxed is not None:
                relaxed.person_number_restore(cursor)
            sql.changes_stage(cursor, dialect, scope=scope)
            sql.former_numbers_create(cursor, load=pk)
            sql.persons_update(cursor)
            counts.update(dict(sql.change_counts(cursor)))
        with self.step("parents"):
            links.wanted_stage(cursor, dialect)
            _pinyin_stage(cursor, sql.names_needed(cursor, links.STUB_NAMES))
            counts["not_local"] += links.stubs_create(cursor, dialect, scope=scope, now=now)
            links.links_stage(cursor, dialect)
            added, changed = links.links_write(cursor)
            if relaxed is not None:  # 没有索引的新表：版本的连接按统计选计划
                sql.run(cursor, dialect.analyze(sql.L))
            found = {"links_added": added, "links_changed": changed}
            counts.update({key: n for key, n in found.items() if n})
        with self.step("versions"):
            links.versions_write(cursor, dialect, load=pk, period=self.period, now=now)
        if self.full:
            with self.step("absent"):
                self.absent(cursor, dialect, load, counts, now)
        with self.step("issues"):
            links.issues_stage(cursor)
            counts.update(dict(links.issues_write(cursor, load=pk)))
        if relaxed is not None:
            with self.step("indexes_rebuild"):
                relaxed.restore(cursor)
        load.counts = dict(counts)
        load.save(update_fields=["counts", "status"])

    def absent(
        self, cursor: Any, dialect: sql.Dialect, load: RegistryLoad, counts: Counter[str], now: Any
    ) -> None:
        registered, missing = links.absent_stage(cursor, scope_path=load.scope.path)
        counts[ChangeKind.ABSENT] += missing
        if not missing:
            return
        if missing > absent_hold_share() * max(registered, 1):
            load.status = LoadStatus.HELD
            links.absent_hold(cursor, load=load.pk)
            return
        links.absent_apply(cursor, dialect, load=load.pk, period=self.period, now=now)

    # ------------------------------------------------------------ receipt and audit

    def submission_create(self, filename: str, accepted: int) -> Submission:
        rejected = self.rows_total - accepted
        status = "accepted" if rejected == 0 else "partial" if accepted else "rejected"
        if self.error_total > MAX_ERRORS:
            message = f"错误超过{MAX_ERRORS}处，只列出前{MAX_ERRORS}处"
            self.warnings.append(cell_error(filename, 1, "", "", message))
        if self.rows_total == 0:
            self.warnings.append(cell_error(filename, 1, "", "", "只有表头，没有数据行"))
        return Submission.objects.create(
            agency=self.agency, item_code=REGISTRY_ITEM, period=self.period, channel="cli",
            filename=filename[:255], content_sha256=self.sha256, received_by=self.ctx.user,
            submitted_at=timezone.now(), encoding="parquet" if filename.endswith(".parquet")
            else "utf-8", rows_total=self.rows_total, rows_accepted=accepted,
            rows_rejected=rejected, status=status, nil_return=self.rows_total == 0,
            error_count=len(self.errors), warning_count=len(self.warnings),
            invalid_ids=self.id_errors + invalid_id_count(self.warnings),
        )  # fmt: skip

    def finish(self, submission: Submission) -> None:
        submission.receipt_number = receipt_number(submission)
        submission.save(update_fields=["receipt_number"])
        if self.errors or self.warnings:
            SubmissionErrors.objects.create(
                submission=submission,
                errors=errors_pack(self.errors),
                warnings=errors_pack(self.warnings),
            )

    def detail(self) -> dict[str, Any]:
        """审计：什么、多少，不含是谁（没有姓名、号码和文件名）。"""
        return {
            "item": REGISTRY_ITEM, "period": self.period.strftime("%Y-%m"), "channel": "cli",
            "sha256": self.sha256, "rows": self.rows_total, "bulk": True,
        }  # fmt: skip

    def audit(self, submission: Submission, outcome: str, loaded: dict[str, Any]) -> None:
        detail = loaded | self.detail() | {
            "outcome": outcome, "receipt": submission.receipt_number,
            "accepted": submission.rows_accepted, "rejected": submission.rows_rejected,
        }  # fmt: skip
        audit_record(
            ctx=self.ctx, action=Action.CREATE, object_type=ObjectType.SUBMISSION,
            object_id=submission.pk, detail=detail,
        )  # fmt: skip

    def audit_rejected(self) -> None:
        detail = self.detail() | {"outcome": "rejected_whole"}
        audit_record(
            ctx=self.ctx, action=Action.CREATE, object_type=ObjectType.SUBMISSION_ATTEMPT,
            object_id=self.agency.pk, detail=detail,
        )  # fmt: skip


def _stage_insert(cursor: Any, staged: pa.Table) -> None:
    if staged.num_rows == 0:
        return
    if connection.vendor == "postgresql":
        buffer = io.BytesIO()
        pacsv.write_csv(staged, buffer, pacsv.WriteOptions(include_header=False))
        with cursor.cursor.copy("COPY rb_stage FROM STDIN (FORMAT csv)") as copy:
            copy.write(buffer.getbuffer())
        return
    columns = [
        column.cast(pa.string()).to_pylist() if name == "birth" else column.to_pylist()
        for name, column in zip(staged.column_names, staged.columns, strict=True)
    ]
    marks = ", ".join(["%s"] * len(columns))
    cursor.executemany(f"INSERT INTO rb_stage VALUES ({marks})", list(zip(*columns, strict=True)))


def _pinyin_stage(cursor: Any, names: list[str]) -> None:
    rows = [(name, name_pinyin_key(name) if name else "") for name in names]
    if connection.vendor == "postgresql":
        with cursor.cursor.copy("COPY rb_names (name, pinyin) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
    else:
        cursor.executemany("INSERT INTO rb_names VALUES (%s, %s)", rows)
