"""名单文件：导出给部门的名单（XLSX，最后几列留给反馈），和部门填好反馈后上传回来的名单。

上传的名单要么整份记入，要么一行不记：任何一行有问题，逐处列出（文件、行、列、值、应当怎样），
改正后重新上传。同一名单同一文件内容只记一次。“反馈”一列空着的行是还没办的，跳过。
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Final

from django.utils import timezone

from shouhu.core.errors import InvalidInput
from shouhu.core.exchange import CellError, ReadLimits
from shouhu.core.exchange.messages import cell_error, shown_value
from shouhu.core.exchange.sources import file_kind, open_excel
from shouhu.core.exchange.table import Unreadable, row_is_blank
from shouhu.core.exchange.values import BadValue, cell_text, folded, parse_date
from shouhu.web.audit.context import RequestContext
from shouhu.web.shares.fields import field_header
from shouhu.web.shares.models import Channel, Outcome, ShareFeedback, ShareList
from shouhu.web.shares.services import (
    BatchOutcome,
    FeedbackInput,
    feedback_batch_earlier,
    feedback_batch_store,
    feedback_problem,
)

MAX_BYTES: Final = 50 * 2**20
MAX_ROWS: Final = 200_000
REF: Final = "名单编号"
CHANGE: Final = "变动"
OUTCOME: Final = "反馈"
DONE_ON: Final = "办理日期"
REFERENCE: Final = "办理编号"
REASON: Final = "未能办理原因"
FEEDBACK_HEADERS: Final = (OUTCOME, DONE_ON, REFERENCE, REASON)
COLUMN_OF: Final = {"outcome": OUTCOME, "done_on": DONE_ON, "reference": REFERENCE,
                    "reason": REASON}  # fmt: skip
OUTCOME_WORDS: Final = {
    **dict.fromkeys(("已办理", "办理", "已办结", "办结", "完成", "已完成", "已参保", "已停办",
                     "已停止", "已落户", "已资助"), Outcome.DONE),
    **dict.fromkeys(("不适用", "无需办理", "不需办理"), Outcome.NOT_APPLICABLE),
    **dict.fromkeys(("未能办理", "无法办理", "不能办理", "未办理"), Outcome.COULD_NOT),
}  # fmt: skip
OUTCOME_LABELS: Final = dict(Outcome.choices)


def list_header(fields: Sequence[str]) -> list[str]:
    return [REF, CHANGE, *(field_header(code) for code in fields), *FEEDBACK_HEADERS]


def list_rows(share_list: ShareList, fields: Sequence[str]) -> Iterator[list[object]]:
    """名单的每一行：编号、变动、授权的字段，和已有的反馈（部门可在其上改）。"""
    entries = share_list.entries.select_related("feedback").order_by("pk")
    for entry in entries.iterator(chunk_size=2000):
        fb: ShareFeedback | None = getattr(entry, "feedback", None)
        given = (
            [str(OUTCOME_LABELS[fb.outcome]), fb.done_on.isoformat() if fb.done_on else "",
             fb.reference, fb.reason] if fb else ["", "", "", ""]
        )  # fmt: skip
        yield [entry.ref, entry.get_change_display(),
               *(entry.data.get(code, "") for code in fields), *given]  # fmt: skip


class FeedbackRefused(InvalidInput):
    """文件有问题，一行也没记；problems 是逐处的中文说明。"""

    def __init__(self, problems: list[CellError]) -> None:
        super().__init__(f"反馈文件有 {len(problems)} 处问题，一行也没有记入，请改正后重新上传。")
        self.problems = problems


@dataclass(frozen=True)
class _Columns:
    ref: int
    outcome: int
    optional: dict[str, int]


def feedback_file_import(
    *, ctx: RequestContext, share_list: ShareList, filename: str, data: bytes
) -> BatchOutcome:
    if not data or len(data) > MAX_BYTES:
        raise InvalidInput(f"文件「{filename}」是空的或超过 {MAX_BYTES // 2**20} MB。")
    digest = hashlib.sha256(data).hexdigest()
    earlier = feedback_batch_earlier(
        share_list, channel=Channel.FILE, content_sha256=digest, idempotency_key=""
    )
    if earlier is not None:
        return BatchOutcome(earlier, duplicate=True)
    rows = _read(share_list, filename, data)
    return feedback_batch_store(ctx=ctx, share_list=share_list, channel=Channel.FILE, rows=rows,
                                content_sha256=digest, filename=filename)  # fmt: skip


def _read(share_list: ShareList, filename: str, data: bytes) -> dict[int, FeedbackInput]:
    try:
        if file_kind(data, filename) != "excel":
            raise Unreadable("不是 Excel 文件，请上传从平台下载、填好反馈的 .xlsx 名单")
        table = open_excel(data, ReadLimits(max_rows=MAX_ROWS))
        headers = [cell_text(cell) for cell in table.header]
        columns = _columns(filename, headers)
        ids = set(share_list.entries.values_list("pk", flat=True))
        reader = _RowReader(filename, share_list.pk, ids, columns)
        for number, cells in table.rows:
            if not row_is_blank(cells):
                reader.row(number, list(cells))
    except Unreadable as problem:
        raise InvalidInput(f"文件「{filename}」{problem.message}") from None
    if reader.problems:
        raise FeedbackRefused(reader.problems)
    if not reader.rows:
        raise InvalidInput(f"文件「{filename}」没有填写反馈的行（“{OUTCOME}”一列都是空的）。")
    return reader.rows


def _key(text: str) -> str:
    return "".join(folded(text).split())


def _columns(filename: str, headers: list[str]) -> _Columns:
    found = {_key(h): i for i, h in reversed(list(enumerate(headers)))}
    missing = [h for h in (REF, OUTCOME) if _key(h) not in found]
    if missing:
        raise InvalidInput(
            f"文件「{filename}」缺少列：{'、'.join(missing)}（请用从平台下载的名单填写反馈，"
            "第一行是表头）。"
        )
    optional = {k: found[_key(h)] for k, h in COLUMN_OF.items() if _key(h) in found}
    return _Columns(found[_key(REF)], found[_key(OUTCOME)], optional)


class _RowReader:
    def __init__(self, filename: str, list_id: int, ids: set[int], columns: _Columns) -> None:
        self.filename, self.prefix, self.ids, self.columns = filename, f"{list_id}-", ids, columns
        self.today = timezone.localdate()
        self.rows: dict[int, FeedbackInput] = {}
        self.problems: list[CellError] = []

    def _cell(self, cells: list[object], index: int | None) -> object:
        return cells[index] if index is not None and index < len(cells) else None

    def _fail(self, number: int, column: str, value: object, problem: str) -> None:
        shown = shown_value(cell_text(value), is_id=False)
        self.problems.append(cell_error(self.filename, number, column, shown, problem))

    def row(self, number: int, cells: list[object]) -> None:
        text = {k: cell_text(self._cell(cells, i)) for k, i in self.columns.optional.items()}
        raw_ref = self._cell(cells, self.columns.ref)
        ref = cell_text(raw_ref)
        entry_id = int(ref[len(self.prefix) :]) if ref.startswith(self.prefix) and ref[
            len(self.prefix) :
        ].isdigit() else -1  # fmt: skip
        if entry_id not in self.ids:
            return self._fail(
                number, REF, raw_ref, "不是这份名单上的编号，应原样保留下载的名单里的编号"
            )
        if entry_id in self.rows:
            return self._fail(number, REF, raw_ref, "同一编号在文件里出现了两次")
        word = _key(cell_text(self._cell(cells, self.columns.outcome)))
        if not word:
            if any(text.get(k) for k in ("done_on", "reference", "reason")):
                self._fail(number, OUTCOME, "", "填了办理日期、编号或原因，却没有填反馈")
            return None
        outcome = OUTCOME_WORDS.get(word)
        if outcome is None:
            return self._fail(number, OUTCOME, word, "应为“已办理”“不适用”或“未能办理”")
        done_on = self._date(number, self._cell(cells, self.columns.optional.get("done_on")))
        if done_on is False:
            return None
        given = FeedbackInput(outcome, done_on or None, text.get("reference", ""),
                              text.get("reason", ""))  # fmt: skip
        problem = feedback_problem(given, today=self.today)
        if problem is not None:
            field, message = problem
            return self._fail(number, COLUMN_OF[field], text.get(field, ""), message)
        self.rows[entry_id] = given
        return None

    def _date(self, number: int, value: object) -> date | bool | None:
        if value is None or not cell_text(value):
            return None
        try:
            return parse_date(value)
        except BadValue as bad:
            self._fail(number, DONE_ON, value, bad.problem)
            return False
