"""导出个人信息的唯一出口：按用途、限量、加水印、记审计。

bayannur §4(四)：“各类共享数据应基于应用场景明确数据的共享范围和使用用途，不得用于或变相用于
其他目的”；“建立完善的信息使用日志记录……可倒查”。所以每一份含个人信息的导出文件：

- 带一个用途（请求的用途），须是导出人角色的工作会用到的（`permissions.ROLE_PURPOSES`）；
- 限量：一个文件最多 `EXPORT_MAX_ROWS` 行（更多的分成几部分下载），一人一天最多
  `EXPORT_DAILY_ROWS` 行（按审计日志计，多个服务进程共用）；
- 加水印：每页页眉写导出人、单位、时间、用途和导出编号，另有一页“导出说明”；导出编号也在
  审计记录里，流出的文件能追到是谁、何时、为何导出的；
- 以公式开头的文本加前导撇号（防 CSV/Excel 公式注入）；
- 审计记录（Action.EXPORT）写明用途、行数、格式、导出编号，审计台可查。

导出什么、身份证号是否脱敏，由调用方按访问层的规则先办好；这里只管“怎么出去”。
"""

from __future__ import annotations

import csv
import io
import itertools
import secrets
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Final

from django.http import HttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header

from shouhu.core.errors import DomainError, ErrorCode, InvalidInput, PermissionDenied
from shouhu.core.exchange.xlsx_write import SheetSpec, xlsx_bytes
from shouhu.web.accounts.models import User
from shouhu.web.accounts.permissions import ROLE_PURPOSES, role_label
from shouhu.web.audit.context import RequestContext
from shouhu.web.audit.models import Action, AuditEntry, Purpose
from shouhu.web.audit.services import audit_record

EXPORT_MAX_ROWS: Final = 10_000
EXPORT_DAILY_ROWS: Final = 100_000
XLSX: Final = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_FORMULA_START: Final = ("=", "+", "-", "@", "\t", "\r")
_FORMULA_CHARS: Final = frozenset(_FORMULA_START)


@dataclass(frozen=True)
class Export:
    title: str  # 导出内容的中文名，也是文件名的开头
    header: Sequence[str]
    rows: Iterable[Sequence[object]]
    object_type: str
    object_id: object = ""


def export_part(raw: str | None) -> int:
    """网址里的 ?part=N（从 1 起）；不合法的当作第 1 部分。"""
    return int(raw) if raw and raw.isdigit() and 0 < int(raw) < 10_000 else 1


def export_xlsx(*, ctx: RequestContext, export: Export, part: int = 1) -> HttpResponse:
    """按上面的规则导出第 part 部分（每部分 EXPORT_MAX_ROWS 行）为带水印的 XLSX。"""
    issue = _issue(ctx, export, part)
    data = _workbook(export, issue.rows, issue.notice, part, issue.more)
    return _response(ctx, export, issue, data, "xlsx", XLSX)


@dataclass(frozen=True)
class TextLayout:
    """文本格式的批量文件（如银行代发文件）：分隔符、编码、扩展名、是否有表头行。"""

    delimiter: str = ","
    encoding: str = "utf-8"
    extension: str = "csv"
    header: bool = True


def export_text(
    *, ctx: RequestContext, export: Export, layout: TextLayout, part: int = 1
) -> HttpResponse:
    """同样的用途、限量、审计，导出为分隔符文本（银行等系统要读的文件）。

    银行的系统要逐字读这种文件，水印不能写进正文：导出编号写在文件名里，导出人、用途、时间
    和编号都在审计记录里，流出的文件照样能追到是谁、何时、为何导出的。"""
    issue = _issue(ctx, export, part)
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=layout.delimiter, lineterminator="\r\n")
    if layout.header:
        writer.writerow(export.header)
    writer.writerows(_cells(row) for row in issue.rows)
    try:
        data = buffer.getvalue().encode(layout.encoding)
    except UnicodeEncodeError:
        raise InvalidInput(
            f"有的字无法用 {layout.encoding} 编码写出，请改用 UTF-8 的格式。"
        ) from None
    kind = "text/csv" if layout.extension == "csv" else "text/plain"
    return _response(
        ctx, export, issue, data, layout.extension, f"{kind}; charset={layout.encoding}"
    )


PDF: Final = "application/pdf"


def export_document(
    *,
    ctx: RequestContext,
    title: str,
    object_type: str,
    object_id: object,
    render: Callable[[str], bytes],
    detail: dict[str, object] | None = None,
) -> HttpResponse:
    """一份文书（PDF）：同样的用途检查、导出编号和审计；水印（导出人、时间、用途、编号）由
    `render(notice)` 印在每页页脚。文书只含一个人，按 1 行计入每日限量。"""
    export = Export(title=title, header=(), rows=[()], object_type=object_type,
                    object_id=object_id)  # fmt: skip
    issue = _issue(ctx, export, 1)
    return _response(ctx, export, issue, render(issue.notice), "pdf", PDF, detail)


@dataclass(frozen=True)
class _Issue:
    part: int
    rows: list[Sequence[object]]
    more: bool
    mark: str
    notice: str


def _issue(ctx: RequestContext, export: Export, part: int) -> _Issue:
    user = _exporter(ctx)
    rows, more = _part(export.rows, part)
    _within_daily_limit(user, len(rows))
    mark = secrets.token_hex(4).upper()
    purpose = str(Purpose(ctx.purpose).label)
    notice = (
        f"导出人 {user.get_full_name() or user.username}（{role_label(user.role)}，"
        f"{user.agency.name if user.agency_id and user.agency else user.division.name}）"
        f"  {timezone.localtime():%Y-%m-%d %H:%M}  用途：{purpose}  导出编号 {mark}"
    )
    return _Issue(part, rows, more, mark, notice)


def _response(
    ctx: RequestContext,
    export: Export,
    issue: _Issue,
    data: bytes,
    fmt: str,
    content_type: str,
    extra: dict[str, object] | None = None,
) -> HttpResponse:
    part, more = issue.part, issue.more
    audit_record(
        ctx=ctx,
        action=Action.EXPORT,
        object_type=export.object_type,
        object_id=export.object_id,
        detail={"format": fmt, "rows": len(issue.rows), "part": part, "more": more,
                "mark": issue.mark, **(extra or {})},
    )  # fmt: skip
    now = timezone.localtime()
    suffix = f"-第{part}部分" if part > 1 or more else ""
    mark = f"-{issue.mark}" if fmt != "xlsx" else ""
    name = f"{export.title}{suffix}-{now:%Y%m%d}{mark}.{fmt}"
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, name)
    response["Cache-Control"] = "no-store"
    return response


def _exporter(ctx: RequestContext) -> User:
    user = ctx.user
    if user is None:
        raise PermissionDenied("请先登录。")
    if ctx.purpose not in ROLE_PURPOSES.get(user.role, frozenset()):
        raise PermissionDenied("这个用途不在您的工作范围内，不能导出。")
    return user


def _part(rows: Iterable[Sequence[object]], part: int) -> tuple[list[Sequence[object]], bool]:
    start, stop = (part - 1) * EXPORT_MAX_ROWS, part * EXPORT_MAX_ROWS
    taken: list[Sequence[object]] = []
    for index, row in enumerate(rows):
        if index >= stop:
            return taken, True
        if index >= start:
            taken.append(row)
    if part > 1 and not taken:
        raise InvalidInput("没有这一部分：数据已经全部导出了。")
    return taken, False


def _within_daily_limit(user: User, rows: int) -> None:
    since = timezone.now() - timedelta(days=1)
    today = AuditEntry.objects.filter(
        actor_id=user.pk, action=Action.EXPORT, at__gte=since
    ).values_list("detail", flat=True)
    done = sum(int(detail.get("rows", 0)) for detail in today if isinstance(detail, dict))
    if done + rows > EXPORT_DAILY_ROWS:
        raise DomainError(
            f"导出太多：一天内最多导出 {EXPORT_DAILY_ROWS:,} 行个人信息，请明天再导出，"
            "或请安全管理员核实需要。",
            code=ErrorCode.TOO_MANY,
        )


def _cell(value: object) -> object:
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _cells(row: Sequence[object]) -> Sequence[object]:
    """一行的 _cell；没有以公式开头的文本时原样返回（几十万行的名册，逐格调用要几秒）。"""
    for value in row:
        if isinstance(value, str) and value[:1] in _FORMULA_CHARS:
            return [_cell(v) for v in row]
    return row


def _workbook(
    export: Export, rows: list[Sequence[object]], notice: str, part: int, more: bool
) -> bytes:
    """数据页（首行表头、冻结，每页页眉是水印）和一页“导出说明”。"""
    footer = "本文件含个人信息，仅限所列用途使用，不得转发、公开；用毕删除。"
    data = SheetSpec(
        "数据",
        itertools.chain([list(export.header)], (_cells(row) for row in rows)),
        header=notice,
        footer=footer,
        freeze_first_row=True,
    )
    lines = [
        export.title,
        notice,
        f"本文件 {len(rows)} 行（第 {part} 部分{'，还有后续部分' if more else ''}）。",
        "本文件含个人信息，仅限所列用途使用，不得转发、公开；用毕删除。导出已记入安全审计日志。",
    ]
    about = SheetSpec("导出说明", [[line] for line in lines], widths=(100,))
    return xlsx_bytes([data, about], title=export.title, description=notice)
