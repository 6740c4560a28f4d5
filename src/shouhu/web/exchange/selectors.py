"""Reads of the exchange: receipts, the submitter's page, the preview, timeliness.

Every query starts from a queryset the access layer (`exchange/access.py`) gave; nothing here
decides who may see what. Receipts hold counts, hashes and times — no personal data.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import date, datetime
from typing import Any

from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.utils import timezone

from shouhu.core.catalog import DataItem
from shouhu.core.errors import NotFound
from shouhu.core.exchange import CellError
from shouhu.core.exchange.safe_cells import csv_row
from shouhu.web.access.exchange import NOT_FOUND_UPLOAD
from shouhu.web.accounts.models import Agency, AgencyType
from shouhu.web.exchange.deadlines import (
    Delivery,
    Obligation,
    ObligationStatus,
    due_date,
    is_obliged,
    obligation_status,
    recent_periods,
    worst,
)
from shouhu.web.exchange.errorlists import error_report_build, errors_unpack
from shouhu.web.exchange.items import agency_items, catalog_for, item_name
from shouhu.web.exchange.models import (
    Channel,
    Submission,
    SubmissionErrors,
    SubmissionStatus,
    Upload,
    UploadStatus,
)

PAGE_SIZE = 50
PLATFORM = "守护平台"

# ---------------------------------------------------------------- receipts (回执)


@dataclass(frozen=True)
class Receipt:
    pk: int
    receipt_number: str
    agency: str
    item_code: str
    item_name: str
    period: date
    channel: str
    filename: str
    content_sha256: str
    status: str
    status_label: str
    nil_return: bool
    rows_total: int
    rows_accepted: int
    rows_rejected: int
    facts_created: int
    facts_superseded: int
    facts_unchanged: int
    facts_held: int
    error_count: int
    warning_count: int
    submitted_at: datetime
    received_at: datetime
    submitted_by: str
    receiver: str
    encoding: str


def item_name_of(agency: Agency, item_code: str) -> str:
    return item_name(item_code, agency.division_id)


def receiver_of(agency: Agency) -> str:
    """The civil-affairs bureau that receives this department's data: the nearest one up."""
    codes = [code for code in agency.division.path.split("/") if code]
    bureau = (
        Agency.objects.filter(agency_type=AgencyType.CIVIL_AFFAIRS, division_id__in=codes)
        .order_by("-division__path")
        .first()
    )
    return f"{bureau.name}（{PLATFORM}）" if bureau else PLATFORM


def receipt_get(*, submission: Submission) -> Receipt:
    user = submission.received_by
    submitted = submission.submitted_at or submission.received_at
    return Receipt(
        pk=submission.pk,
        receipt_number=submission.receipt_number,
        agency=submission.agency.name,
        item_code=submission.item_code,
        item_name=item_name_of(submission.agency, submission.item_code),
        period=submission.period,
        channel=_label(Channel, submission.channel),
        filename=submission.filename,
        content_sha256=submission.content_sha256,
        status=submission.status,
        status_label=_status_label(submission),
        nil_return=submission.nil_return,
        rows_total=submission.rows_total,
        rows_accepted=submission.rows_accepted,
        rows_rejected=submission.rows_rejected,
        facts_created=submission.facts_created,
        facts_superseded=submission.facts_superseded,
        facts_unchanged=submission.facts_unchanged,
        facts_held=submission.facts_held,
        error_count=submission.error_count,
        warning_count=submission.warning_count,
        submitted_at=timezone.localtime(submitted),
        received_at=timezone.localtime(submission.received_at),
        submitted_by=(user.full_name or user.username) if user else "",
        receiver=receiver_of(submission.agency),
        encoding=submission.encoding,
    )


def _label(choices: Any, value: str) -> str:
    return str(choices(value).label) if value in choices.values else value


def _status_label(submission: Submission) -> str:
    if submission.nil_return:
        return "零报告"
    return _label(SubmissionStatus, submission.status)


def receipt_as_dict(receipt: Receipt) -> dict[str, Any]:
    """The receipt as JSON: English keys, ISO dates and times (with the +08:00 offset)."""
    data = asdict(receipt)
    data.pop("pk")
    for key in ("period",):
        data[key] = receipt.period.strftime("%Y-%m")
    for key in ("submitted_at", "received_at"):
        data[key] = getattr(receipt, key).isoformat(timespec="seconds")
    return data


RECEIPT_CSV_ROWS = (
    ("回执编号", "receipt_number"),
    ("报送单位", "agency"),
    ("数据项", "item_name"),
    ("数据项代码", "item_code"),
    ("所属月份", "period"),
    ("报送方式", "channel"),
    ("文件名", "filename"),
    ("内容哈希（SHA-256）", "content_sha256"),
    ("接收情况", "status_label"),
    ("总行数", "rows_total"),
    ("接收行数", "rows_accepted"),
    ("退回行数", "rows_rejected"),
    ("新增记录", "facts_created"),
    ("更正记录", "facts_superseded"),
    ("未变记录", "facts_unchanged"),
    ("待当地民政接收的记录", "facts_held"),
    ("错误数", "error_count"),
    ("提交时间", "submitted_at"),
    ("接收时间", "received_at"),
    ("提交人", "submitted_by"),
    ("接收方", "receiver"),
)


def receipt_csv(receipt: Receipt) -> bytes:
    data = receipt_as_dict(receipt)
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(["项目", "内容"])
    for label, key in RECEIPT_CSV_ROWS:
        writer.writerow(csv_row([label, data[key]]))  # 文件名等可能以 = 开头（安全测试 L1）
    return buffer.getvalue().encode("utf-8-sig")


@dataclass(frozen=True)
class ReceiptPage:
    rows: list[Receipt]
    page: int
    num_pages: int
    total: int


def _newest_first(submissions: QuerySet[Submission]) -> QuerySet[Submission]:
    """回执列表和它的导出的同一顺序：最近收到的在前。"""
    related = submissions.select_related("agency", "agency__division", "received_by")
    return related.order_by("-received_at", "-pk")


def receipt_list(*, submissions: QuerySet[Submission], page: int = 1) -> ReceiptPage:
    paginator = Paginator(_newest_first(submissions), PAGE_SIZE)
    current = paginator.get_page(page)
    rows = [receipt_get(submission=s) for s in current.object_list]
    return ReceiptPage(rows, current.number, paginator.num_pages, paginator.count)


RECEIPT_EXPORT_HEADER = (
    "回执编号", "报送单位", "数据项", "月份", "方式", "接收情况", "总行数", "接收行数", "退回行数",
    "新增事实", "更正事实", "未变事实", "待受理", "提交时间", "接收时间", "文件 SHA-256",
)  # fmt: skip


def receipt_export_rows(*, submissions: QuerySet[Submission]) -> list[tuple[object, ...]]:
    """全部回执（不分页）：只有数量、哈希和时间，没有个人信息，供部门对账。"""
    rows = (receipt_get(submission=s) for s in _newest_first(submissions))
    return [
        (r.receipt_number, r.agency, r.item_name, f"{r.period:%Y-%m}", r.channel, r.status_label,
         r.rows_total, r.rows_accepted, r.rows_rejected, r.facts_created, r.facts_superseded,
         r.facts_unchanged, r.facts_held, timezone.localtime(r.submitted_at).replace(tzinfo=None),
         timezone.localtime(r.received_at).replace(tzinfo=None), r.content_sha256)
        for r in rows
    ]  # fmt: skip


# ---------------------------------------------------------------- error reports


def submission_errors(*, submission: Submission) -> tuple[list[CellError], bytes]:
    stored = SubmissionErrors.objects.filter(submission=submission).first()
    if stored is None:
        return [], b""
    return errors_unpack(stored.errors), bytes(stored.source)


def submission_error_report(*, submission: Submission) -> bytes:
    item = catalog_for(submission.agency).item(submission.item_code)  # 收窄前的回执照样能看
    errors, source = submission_errors(submission=submission)
    return error_report_build(item=item, filename=submission.filename, source=source, errors=errors)


def upload_stored_submission_id(*, upload: Upload) -> int | None:
    """已入库的上传文件所得的报送批次（页面转去它的回执）；未入库为 None。"""
    return upload.submission_id if upload.status == UploadStatus.STORED else None


def upload_error_report(*, upload: Upload) -> bytes:
    """校验后待确认的上传文件的错误报告；其他状态的上传没有错误报告（NotFound）。"""
    if upload.status != UploadStatus.CHECKED:
        raise NotFound(NOT_FOUND_UPLOAD)
    item = catalog_for(upload.agency).item(upload.item_code)
    return error_report_build(
        item=item,
        filename=upload.filename,
        source=bytes(upload.content),
        errors=errors_unpack(upload.errors),
    )


def error_report_filename(filename: str) -> str:
    """下载或写盘用的文件名：控制字符（含换行）换成“_”，否则响应头写不出来。"""
    stem = filename.rsplit(".", 1)[0] if filename else "报送"
    stem = "".join("_" if ord(ch) < 32 or ord(ch) == 127 else ch for ch in stem)
    return f"{stem}-错误报告.xlsx"


# ---------------------------------------------------------------- deadlines


def _deliveries(
    agencies: Sequence[Agency], first: date, last: date
) -> dict[tuple[int, str, date], list[Delivery]]:
    """Submissions that count (rows accepted, or a nil return) per agency, item and month."""
    rows = Submission.objects.filter(
        Q(rows_accepted__gt=0) | Q(nil_return=True),
        agency__in=agencies,
        period__gte=first,
        period__lte=last,
    ).values_list("agency_id", "item_code", "period", "submitted_at", "received_at", "nil_return")
    found: dict[tuple[int, str, date], list[Delivery]] = defaultdict(list)
    for agency_id, item_code, period, submitted, received, nil in rows:
        day = timezone.localdate(submitted or received)
        found[(agency_id, item_code, period)].append(Delivery(day, nil))
    return found


def obligations_for(
    *, agencies: Sequence[Agency], periods: Sequence[date], today: date
) -> list[Obligation]:
    """Every (agency, item, month) that is owed, with its status, computed from submissions."""
    if not agencies or not periods:
        return []
    delivered = _deliveries(agencies, min(periods), max(periods))
    out: list[Obligation] = []
    for agency in agencies:
        for item in agency_items(agency):
            out.extend(_item_obligations(agency, item, periods, today, delivered))
    return out


def _item_obligations(
    agency: Agency,
    item: DataItem,
    periods: Iterable[date],
    today: date,
    delivered: dict[tuple[int, str, date], list[Delivery]],
) -> Iterable[Obligation]:
    for period in periods:
        if not is_obliged(item, period):
            continue
        due = due_date(item, period)
        status, first = obligation_status(
            due, today, delivered.get((agency.pk, item.code, period), [])
        )
        yield Obligation(agency.pk, item.code, item.name, period, due, status, first)


@dataclass(frozen=True)
class SubmitterHome:
    agency: str
    open: list[Obligation]  # due soon or overdue, oldest first
    recent: list[Receipt]
    items: list[DataItem]
    today: date


OPEN = (ObligationStatus.PENDING, ObligationStatus.MISSING)


def submitter_home(*, agency: Agency, today: date, months: int = 6) -> SubmitterHome:
    obligations = obligations_for(
        agencies=[agency], periods=recent_periods(today, months), today=today
    )
    recent = (
        Submission.objects.filter(agency=agency)
        .select_related("agency", "agency__division", "received_by")
        .order_by("-received_at", "-pk")[:5]
    )
    return SubmitterHome(
        agency=agency.name,
        open=sorted(
            (o for o in obligations if o.status in OPEN), key=lambda o: (o.due, o.item_code)
        ),
        recent=[receipt_get(submission=s) for s in recent],
        items=agency_items(agency),
        today=today,
    )


# ---------------------------------------------------------------- timeliness grid


@dataclass(frozen=True)
class GridCell:
    period: date
    status: str  # the most pressing status of the month ("" when nothing was owed)
    text: str
    detail: str  # one line per item, for the tooltip


@dataclass(frozen=True)
class GridRow:
    agency: str
    division: str
    cells: list[GridCell]
    owed: int  # obligations past their due date
    kept: int  # of those, delivered on time (incl. nil returns)

    @property
    def percent(self) -> int | None:
        return self.kept * 100 // self.owed if self.owed else None


PROBLEM_MONTHS = 3  # 明细只列最近几个月；更早的看表格


@dataclass(frozen=True)
class Grid:
    periods: list[date]
    rows: list[GridRow]
    problems: list[tuple[str, Obligation]]  # (agency, obligation) late or missing, recent months
    today: date


def timeliness_grid(*, agencies: QuerySet[Agency], today: date, months: int = 12) -> Grid:
    periods = recent_periods(today, months)
    listed = list(agencies.select_related("division").order_by("division__path", "agency_type"))
    by_agency: dict[int, list[Obligation]] = defaultdict(list)
    for obligation in obligations_for(agencies=listed, periods=periods, today=today):
        by_agency[obligation.agency_id].append(obligation)
    rows, problems = [], []
    for agency in listed:
        owed = by_agency.get(agency.pk)
        if not owed:
            continue  # 没有按月报送义务的部门（如财政）不列出
        rows.append(_grid_row(agency, owed, periods))
        bad = (ObligationStatus.LATE, ObligationStatus.MISSING)
        recent = periods[-PROBLEM_MONTHS:]
        problems.extend((agency.name, o) for o in owed if o.status in bad and o.period in recent)
    problems.sort(key=lambda p: (p[1].period, p[0]), reverse=True)
    return Grid(periods, rows, problems, today)


def _grid_row(agency: Agency, owed: list[Obligation], periods: list[date]) -> GridRow:
    by_period: dict[date, list[Obligation]] = defaultdict(list)
    for obligation in owed:
        by_period[obligation.period].append(obligation)
    cells = [_grid_cell(period, by_period.get(period, [])) for period in periods]
    due = [o for o in owed if o.status is not ObligationStatus.PENDING]
    kept = sum(o.status in (ObligationStatus.ON_TIME, ObligationStatus.NIL_RETURN) for o in due)
    return GridRow(agency.name, agency.division.name, cells, len(due), kept)


def _grid_cell(period: date, owed: list[Obligation]) -> GridCell:
    if not owed:
        return GridCell(period, "", "—", "本月无报送义务")
    statuses = [o.status for o in owed]
    status = worst(statuses)
    assert status is not None
    count = statuses.count(status)
    text = (
        STATUS_TEXT[status]
        if count == len(owed)
        else f"{STATUS_TEXT[status]} {count}/{len(owed)}项"
    )
    detail = "\n".join(_cell_line(o) for o in owed)
    return GridCell(period, status.value, text, detail)


def timeliness_export_header(grid: Grid) -> tuple[str, ...]:
    months = (f"{p.year}年{p.month}月" for p in grid.periods)
    return ("部门", "区划", "按时率（%）", "按时报送", "已到期", *months)


def timeliness_export_rows(grid: Grid) -> list[tuple[object, ...]]:
    """表格的每一行：按时率和逐月状态（同页面的文字）。"""
    return [
        (row.agency, row.division, "" if row.percent is None else row.percent, row.kept,
         row.owed, *(cell.text for cell in row.cells))
        for row in grid.rows
    ]  # fmt: skip


def _cell_line(obligation: Obligation) -> str:
    when = f"（{obligation.submitted_on:%m-%d}）" if obligation.submitted_on else ""
    return f"{obligation.item_name}：{obligation.label}{when}"


STATUS_TEXT = {
    ObligationStatus.ON_TIME: "按时",
    ObligationStatus.LATE: "逾期报送",
    ObligationStatus.MISSING: "未报",
    ObligationStatus.NIL_RETURN: "零报告",
    ObligationStatus.PENDING: "待报",
}


# ---------------------------------------------------------------- upload preview


@dataclass(frozen=True)
class UploadPreview:
    pk: int
    item_code: str
    item_name: str
    period: date
    filename: str
    size: int
    status: str
    status_label: str
    uploaded_at: datetime
    summary: dict[str, Any]
    submission_id: int | None


def upload_preview(*, upload: Upload) -> UploadPreview:
    return UploadPreview(
        pk=upload.pk,
        item_code=upload.item_code,
        item_name=item_name_of(upload.agency, upload.item_code),
        period=upload.period,
        filename=upload.filename,
        size=upload.size,
        status=upload.status,
        status_label=upload.get_status_display(),
        uploaded_at=timezone.localtime(upload.uploaded_at),
        summary=upload.summary,
        submission_id=upload.submission_id,
    )


def receipt_problems(*, submission: Submission) -> tuple[list[CellError], list[CellError]]:
    """回执附带的逐行错误和提示（入库时存下的），没有则为空。"""
    stored = SubmissionErrors.objects.filter(submission=submission).first()
    if stored is None:
        return [], []
    return errors_unpack(stored.errors), errors_unpack(stored.warnings)
