"""财政的发放结果：导入 Excel（已发放 / 发放失败 / 账户有误），逐行对到名册，到分。

一个文件要么整份导入，要么一行不进：任何一行有问题，列出每一处（文件、行、列、值、应当怎样），
改正后重新上传。同一名册同一文件内容只导入一次（第二次答复“已导入过”，指向那一次）。
发放失败和账户有误的行进经办人员的待办；它们的月份算作未发，下个月的名册自动重发。
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Final

from django.db import transaction

from shouhu.core.errors import InvalidInput
from shouhu.core.exchange import CellError
from shouhu.core.exchange.messages import cell_error, shown_value
from shouhu.core.exchange.values import cell_text, folded
from shouhu.core.policy.roster import parse_yuan, yuan
from shouhu.web.audit.context import RequestContext
from shouhu.web.audit.models import Action, ObjectType
from shouhu.web.audit.services import audit_record
from shouhu.web.cases.register_files import sheet_read
from shouhu.web.subsidies.models import (
    PaymentResult,
    PaymentResultImport,
    PaymentStatus,
    RosterLine,
    RosterState,
    SubsidyRoster,
)

MAX_BYTES: Final = 10 * 2**20
COLUMNS: Final = {
    "ref": ("发放编号", "编号", "流水号", "业务编号"),
    "amount": ("金额（元）", "金额", "发放金额", "实发金额", "交易金额", "金额(元)"),
    "status": ("发放结果", "结果", "处理结果", "状态", "交易状态"),
    "reason": ("失败原因", "原因", "备注", "说明", "错误信息"),
}
LABELS: Final = {"ref": "发放编号", "amount": "金额（元）", "status": "发放结果"}
STATUS_WORDS: Final = {
    **dict.fromkeys(("成功", "已发放", "发放成功", "已支付", "支付成功", "已到账"), "paid"),
    **dict.fromkeys(("失败", "发放失败", "退回", "支付失败", "未发放"), "failed"),
    **dict.fromkeys(
        ("账户有误", "账号错误", "户名不符", "账户异常", "账户已销户", "账户冻结", "账号不存在"),
        "account_problem",
    ),
}


@dataclass(frozen=True)
class ResultsOutcome:
    result_import: PaymentResultImport
    earlier: bool  # 同一文件此前已导入过


class ResultsRefused(InvalidInput):
    """文件有问题，一行也没导入；problems 是逐处的中文说明。"""

    def __init__(self, problems: list[CellError]) -> None:
        super().__init__(
            f"发放结果文件有 {len(problems)} 处问题，一行也没有导入，请改正后重新上传。"
        )
        self.problems = problems


@dataclass(frozen=True)
class _Row:
    line: RosterLine
    status: str
    fen: int
    reason: str


def payment_results_import(
    *, ctx: RequestContext, roster: SubsidyRoster, filename: str, data: bytes
) -> ResultsOutcome:
    if roster.state != RosterState.APPROVED:
        raise InvalidInput("名册批准锁定、导出发放以后，才能导入发放结果。")
    if not data or len(data) > MAX_BYTES:
        raise InvalidInput(f"文件「{filename}」是空的或超过 {MAX_BYTES // 2**20} MB。")
    digest = hashlib.sha256(data).hexdigest()
    earlier = PaymentResultImport.objects.filter(roster=roster, content_sha256=digest).first()
    if earlier is not None:
        return ResultsOutcome(earlier, earlier=True)
    rows = _read(roster, filename, data)
    with transaction.atomic():
        done = _store(ctx, roster, filename, digest, rows)
    return ResultsOutcome(done, earlier=False)


def _read(roster: SubsidyRoster, filename: str, data: bytes) -> list[_Row]:
    sheet = sheet_read(data, filename, what="发放结果")
    columns = _columns(filename, sheet.headers)
    lines = {line.pk: line for line in roster.lines.select_related("result")}
    problems: list[CellError] = []
    rows: list[_Row] = []
    seen: set[int] = set()
    for number, cells in sheet.rows:
        row = _row(filename, number, cells, columns, roster, lines, seen, problems)
        if row is not None:
            rows.append(row)
    if problems:
        raise ResultsRefused(problems)
    if not rows:
        raise InvalidInput(f"文件「{filename}」没有数据行。")
    return rows


def _columns(filename: str, headers: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for index, header in enumerate(headers):
        for key, words in COLUMNS.items():
            if key not in found and _key(header) in {_key(w) for w in words}:
                found[key] = index
    missing = [LABELS[k] for k in LABELS if k not in found]
    if missing:
        raise InvalidInput(f"文件「{filename}」缺少列：{'、'.join(missing)}（第一行应为表头）。")
    return found


def _key(text: str) -> str:
    return "".join(folded(text).split())


def _row(
    filename: str,
    number: int,
    cells: list[object],
    columns: dict[str, int],
    roster: SubsidyRoster,
    lines: dict[int, RosterLine],
    seen: set[int],
    problems: list[CellError],
) -> _Row | None:
    def raw(key: str) -> str:
        index = columns.get(key)
        return cell_text(cells[index]) if index is not None and index < len(cells) else ""

    def fail(key: str, problem: str) -> None:
        value = shown_value(raw(key), is_id=False)
        problems.append(cell_error(filename, number, LABELS.get(key, key), value, problem))

    before = len(problems)
    ref = raw("ref").strip()
    prefix, _, line_id = ref.partition("-")
    line = lines.get(int(line_id)) if line_id.isdigit() and prefix == str(roster.pk) else None
    if line is None:
        fail(
            "ref", f"不是这份名册（{roster.month:%Y年%m月}）的发放编号，应原样带回导出文件里的编号"
        )
    elif line.pk in seen:
        fail("ref", "同一发放编号在文件里出现了两次")
    elif hasattr(line, "result"):
        fail("ref", "这一行此前已导入过发放结果；改正请进下一个月的名册")
    status = STATUS_WORDS.get(_key(raw("status")))
    if status is None:
        fail("status", "应为“已发放”“发放失败”或“账户有误”")
    fen = parse_yuan(folded(raw("amount")))
    if fen is None:
        fail("amount", "应为金额（元），最多两位小数，如 1400.00")
    elif line is not None and fen != line.net_fen:
        fail("amount", f"与名册的实发金额 {yuan(line.net_fen)} 元不符，对账须分毫不差")
    if len(problems) > before or line is None or status is None or fen is None:
        return None
    seen.add(line.pk)
    return _Row(line, status, fen, raw("reason")[:200])


def _store(
    ctx: RequestContext, roster: SubsidyRoster, filename: str, digest: str, rows: list[_Row]
) -> PaymentResultImport:
    paid = sum(r.fen for r in rows if r.status == PaymentStatus.PAID)
    done = PaymentResultImport.objects.create(
        roster=roster, filename=filename[:200], content_sha256=digest, rows=len(rows),
        paid_fen=paid, failed_fen=sum(r.fen for r in rows) - paid, imported_by=ctx.user,
    )  # fmt: skip
    PaymentResult.objects.bulk_create(
        PaymentResult(
            line=r.line,
            result_import=done,
            status=r.status,
            paid_fen=r.fen if r.status == PaymentStatus.PAID else 0,
            reason=r.reason,
        )
        for r in rows
    )
    failed = sum(1 for r in rows if r.status != PaymentStatus.PAID)
    audit_record(
        ctx=ctx,
        action=Action.CREATE,
        object_type=ObjectType.PAYMENT_RESULT,
        object_id=done.pk,
        detail={"roster": roster.pk, "rows": len(rows), "failed": failed, "paid_fen": paid},
    )
    return done
