"""读取：户籍数据载入的报告——统计、问题清单、变动清单（可下载），和一个人的户籍历史。

身份证号按角色显示（`selectors.id_number_display`）；只有对象编号和计数进审计日志。
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import QuerySet
from django.utils import timezone

from shouhu.core.policy.wording import date_text
from shouhu.web.accounts.models import User
from shouhu.web.exports import EXPORT_MAX_ROWS
from shouhu.web.registry.models import (
    ChangeKind,
    Division,
    IssueKind,
    LoadStatus,
    Person,
    PersonVersion,
    RegistryIssue,
    RegistryLoad,
    RegistryStatus,
)
from shouhu.web.registry.selectors import id_number_display

LIST_LIMIT = 200  # 页面上每张清单最多列这么多行；全部在下载的变动报告里
# 统计的显示顺序和中文：先名单，再各类变化，再父母关系，最后问题
COUNT_LABELS: dict[str, str] = {
    "rows": "名单中的人员",
    **{kind.value: kind.label for kind in ChangeKind if kind != ChangeKind.PARENTS},
    "unchanged": "没有变化",
    "links_added": "新增父母关系",
    "links_changed": "父母关系变更",
    "not_local": "新建的非本地户籍父母",
    **{f"issue:{kind.value}": kind.label for kind in IssueKind},
}


@dataclass(frozen=True)
class LoadSummary:
    pk: int
    agency: str
    receipt: str
    period: date
    received_at: datetime
    mode: str
    status: str
    held: bool
    counts: tuple[tuple[str, int], ...]
    issues_total: int
    pending: int

    @property
    def summary(self) -> str:
        """一句话：命令行和回执页面用。"""
        parts = [f"{label} {n:,}" for label, n in self.counts if n]
        text = "，".join(parts) or "没有变化"
        if self.held:
            text += f"。名单中缺少 {self.pending:,} 人，超过辖区在册人数的 5%，待民政经办人员确认"
        return text


@dataclass(frozen=True)
class IssueLine:
    row: int
    kind: str
    note: str
    person_id: int | None
    person_name: str
    id_number: str


@dataclass(frozen=True)
class LoadReport:
    load: LoadSummary
    issues: tuple[IssueLine, ...]
    may_decide: bool
    parts: tuple[int, ...]


def _summary(load: RegistryLoad) -> LoadSummary:
    counts = load.counts or {}
    submission = load.submission
    return LoadSummary(
        pk=load.pk,
        agency=submission.agency.name,
        receipt=submission.receipt_number,
        period=submission.period,
        received_at=timezone.localtime(submission.received_at),
        mode=load.get_mode_display(),
        status=load.get_status_display(),
        held=load.status == LoadStatus.HELD,
        counts=tuple((label, int(counts.get(key, 0))) for key, label in COUNT_LABELS.items()),
        issues_total=sum(int(n) for key, n in counts.items() if key.startswith("issue:")),
        pending=load.pending.count() if load.status == LoadStatus.HELD else 0,
    )


def registry_load_of(*, submission: object) -> LoadSummary | None:
    """报送批次对应的户籍载入（不是户籍名单的报送为 None）。"""
    load = (
        RegistryLoad.objects.filter(submission=submission)
        .select_related("submission__agency")
        .first()
    )
    return _summary(load) if load is not None else None


def _newest_first(loads: QuerySet[RegistryLoad]) -> QuerySet[RegistryLoad]:
    """载入列表和它的导出的同一顺序：最近的在前。"""
    return loads.select_related("submission__agency").order_by("-pk")


def registry_load_list(*, loads: QuerySet[RegistryLoad]) -> list[LoadSummary]:
    return [_summary(load) for load in _newest_first(loads)[:LIST_LIMIT]]


LOAD_EXPORT_HEADER = ("接收时间", "报送单位", "回执编号", "所属月份", "名单类型", "状态", "需核实",
                      *COUNT_LABELS.values())  # fmt: skip


def registry_load_export_rows(*, loads: QuerySet[RegistryLoad]) -> Iterator[tuple[object, ...]]:
    """全部载入（不限 LIST_LIMIT）：只有单位、时间和各项人数，没有个人信息。"""
    for load in _newest_first(loads).iterator(chunk_size=500):
        s = _summary(load)
        yield (s.received_at.replace(tzinfo=None), s.agency, s.receipt, f"{s.period:%Y-%m}",
               s.mode, s.status, s.issues_total, *(n for _, n in s.counts))  # fmt: skip


def registry_load_report(*, user: User, load: RegistryLoad, may_decide: bool) -> LoadReport:
    issues = load.issues.select_related("person").order_by("row", "pk")[:LIST_LIMIT]
    return LoadReport(
        load=_summary(load),
        issues=tuple(_issue_line(user, issue) for issue in issues),
        may_decide=may_decide and load.status == LoadStatus.HELD,
        parts=tuple(registry_report_parts(load)),
    )


def _issue_line(user: User, issue: RegistryIssue) -> IssueLine:
    person = issue.person
    return IssueLine(
        row=issue.row,
        kind=issue.get_kind_display(),
        note=_issue_note(issue),
        person_id=person.pk if person else None,
        person_name=person.name if person else "",
        id_number=id_number_display(user=user, id_number=person.id_number) if person else "",
    )


def _issue_note(issue: RegistryIssue) -> str:
    if issue.kind == IssueKind.PARENT_YOUNGER:
        return "父亲" if issue.note == "father" else "母亲"
    if issue.kind == IssueKind.DIVISION_UNKNOWN:
        return f"名单中的区划代码 {issue.note}"
    return issue.note


# ---------------------------------------------------------------- 下载：变动报告

REPORT_HEADER = ("类别", "名单行号", "姓名", "身份证号", "原身份证号", "户籍地", "户籍状态", "说明")


def registry_load_report_rows(*, user: User, load: RegistryLoad) -> Iterator[tuple[str, ...]]:
    """变动报告：每个变化的人一行（新登记、迁移、死亡、号码变更……），问题和待确认的人也在内。
    经 `shouhu.web.exports` 导出（限量、水印、审计）。"""
    return _report_rows(user, load)


def registry_report_parts(load: RegistryLoad) -> list[int]:
    """变动报告分几部分下载（每部分 EXPORT_MAX_ROWS 行）。"""
    total = PersonVersion.objects.filter(load=load).count() + load.issues.count()
    total += load.pending.count()
    return list(range(1, max(1, -(-total // EXPORT_MAX_ROWS)) + 1))


def _report_rows(user: User, load: RegistryLoad) -> Iterator[tuple[str, ...]]:
    names = dict(Division.objects.values_list("code", "name"))
    status = dict(RegistryStatus.choices)
    kinds = dict(ChangeKind.choices)
    versions = PersonVersion.objects.filter(load=load).order_by("pk")
    for v in versions.iterator(chunk_size=5000):
        changes = "、".join(kinds.get(c, c) for c in v.changes)
        shown = id_number_display(user=user, id_number=v.id_number)
        former = (
            id_number_display(user=user, id_number=v.former_id_number) if v.former_id_number else ""
        )
        place = names.get(v.division_code, v.division_code)
        yield (changes, "", v.name, shown, former, place, status.get(v.status, ""), "")
    for issue in load.issues.select_related("person").order_by("row", "pk").iterator():
        line = _issue_line(user, issue)
        yield (
            "需核实：" + line.kind,
            str(line.row),
            line.person_name,
            line.id_number,
            "",
            "",
            "",
            line.note,
        )
    pending = Person.objects.filter(pk__in=load.pending.values("person_id")).order_by("pk")
    for person in pending.iterator(chunk_size=5000):
        shown = id_number_display(user=user, id_number=person.id_number)
        place = names.get(person.division_id, person.division_id)
        yield (
            "待确认：不在全量名单中",
            "",
            person.name,
            shown,
            "",
            place,
            status.get(person.registry_status, ""),
            "",
        )


# ---------------------------------------------------------------- 一个人的户籍历史


@dataclass(frozen=True)
class HistoryLine:
    valid_from: str
    changes: str
    details: str
    source: str


def person_registry_history(*, user: User, person: Person) -> tuple[HistoryLine, ...]:
    """户籍历史：每个版本一行，新的在前（日期、变了什么、来源）。"""
    versions = list(
        PersonVersion.objects.filter(person=person)
        .select_related("load__submission__agency")
        .order_by("-pk")
    )
    names = dict(
        Division.objects.filter(code__in={v.division_code for v in versions}).values_list(
            "code", "name"
        )
    )
    kinds = dict(ChangeKind.choices)
    status = dict(RegistryStatus.choices)
    out = []
    for v in versions:
        details = [
            f"户籍地 {names.get(v.division_code, v.division_code)}",
            status.get(v.status, ""),
        ]
        if v.former_id_number:
            details.append(f"原号码 {id_number_display(user=user, id_number=v.former_id_number)}")
        source = ""
        if v.load is not None:
            sent = v.load.submission
            source = f"{sent.agency.name}（回执 {sent.receipt_number}）"
        out.append(
            HistoryLine(
                valid_from=date_text(v.valid_from),
                changes="、".join(kinds.get(c, c) for c in v.changes),
                details="；".join(d for d in details if d),
                source=source,
            )
        )
    return tuple(out)
