"""读取：比对运行列表、比对发现队列、一条发现的详情。

只读；人员和发现都来自 access.py 给出的查询集。身份证号按角色脱敏。一条发现的中文说明在打开
时按比对基准日和当前事实重新生成（determination_view），发现里只存原因代码。
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime

from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from shouhu.core.findings import CHECK_OUTCOMES_CHOSEN
from shouhu.web import access
from shouhu.web.access.disclosure import (
    NONE,
    Disclosure,
    category_text,
    disclosure_for,
    fact_level,
)
from shouhu.web.accounts.models import User
from shouhu.web.comparison.candidates import Candidate, record_candidates
from shouhu.web.comparison.labels import finding_status_label, link_display, reason_label
from shouhu.web.comparison.models import (
    ComparisonRun,
    Finding,
    FindingKind,
    FindingStatus,
    RunStatus,
)
from shouhu.web.determination.selectors import DeterminationView, determination_view
from shouhu.web.exchange.models import Fact, FactType
from shouhu.web.pages import Paged
from shouhu.web.registry.models import Division, DivisionLevel, Gender, ParentLink
from shouhu.web.registry.selectors import age_on, division_path_names, id_number_display
from shouhu.web.registry.timeline import FactEntry, fact_entry

COMPARISON = "comparison"  # 比对发现页面上事实按这个用途的授权显示
PAGE_SIZE = 25
RUN_LIST_SIZE = 20
KINDS = tuple(FindingKind.choices)
STATUSES = (("open", "待处理"), ("resolved", "已处理"), ("all", "全部"))


# ---------------------------------------------------------------- 运行


@dataclass(frozen=True)
class KindCount:
    kind: str
    label: str
    count: int


@dataclass(frozen=True)
class RunRow:
    pk: int
    division_name: str
    as_of: date
    status: str
    status_label: str
    progress: int
    message: str
    started_by: str
    created_at: datetime  # 北京时间
    seconds: str  # 用时，如 "3.2"；未完成为空
    counts: tuple[KindCount, ...]
    records: int | None
    linked: int | None
    simulation: bool = False
    carried: int = 0  # 沿用上一次决定的发现数


def _seconds(millis: int | None) -> str:
    if millis is None:
        return ""
    whole, tenths = divmod(millis // 100, 10)
    return f"{whole}.{tenths}"


def _who(user: User | None, default: str = "") -> str:
    return (user.full_name or user.username) if user else default


def run_row(run: ComparisonRun) -> RunRow:
    counts = run.counts or {}
    return RunRow(
        pk=run.pk,
        division_name=run.division.name,
        as_of=run.as_of,
        status=run.status,
        status_label=RunStatus(run.status).label,
        progress=run.progress,
        message=run.message,
        started_by=_who(run.started_by, "命令行"),
        created_at=timezone.localtime(run.created_at),
        seconds=_seconds(run.duration_ms),
        counts=tuple(KindCount(k, label, int(counts.get(k, 0))) for k, label in KINDS),
        records=counts.get("records"),
        linked=counts.get("linked"),
        simulation=run.simulation,
        carried=int(counts.get("carried", 0)),
    )


def run_list(*, runs: QuerySet[ComparisonRun]) -> tuple[RunRow, ...]:
    """最近的运行（已经过 access.access_run_list）。运行记录只有数字，没有个人信息。"""
    latest = runs.select_related("division", "started_by").order_by("-created_at", "-pk")
    return tuple(run_row(run) for run in latest[:RUN_LIST_SIZE])


def division_choices(*, user: User) -> list[tuple[str, str]]:
    """可发起比对、可筛选的区划：本级及以下到乡镇一级（村太多，不列）。"""
    levels = [
        DivisionLevel.PROVINCE,
        DivisionLevel.CITY,
        DivisionLevel.COUNTY,
        DivisionLevel.TOWNSHIP,
    ]
    found = access.divisions_visible_to(user).filter(Q(level__in=levels) | Q(code=user.division_id))
    return [
        (d.code, d.name if d.code == user.division_id else f"　{d.name}")
        for d in found.order_by("path")
    ]


# ---------------------------------------------------------------- 发现队列


def queue_runs(*, user: User) -> QuerySet[ComparisonRun]:
    """可在队列里查看的运行：已完成、覆盖本辖区（本辖区或其下级，或上级发起的覆盖本辖区的）。"""
    ancestors = [code for code in user.division.path.split("/") if code]
    covering = Q(division__path__startswith=user.division.path) | Q(division_id__in=ancestors)
    return ComparisonRun.objects.filter(covering, status=RunStatus.DONE).order_by(
        "-created_at", "-pk"
    )


@dataclass(frozen=True)
class FindingRow:
    pk: int
    kind: str
    kind_label: str
    status: str
    status_label: str
    person_pk: int | None
    name: str
    id_display: str
    division_name: str
    category: str
    reasons: tuple[str, ...]
    records: int
    agencies: tuple[str, ...]
    link: str


@dataclass(frozen=True)
class FindingQueue(Paged):
    run: RunRow | None
    kind: str
    division: str
    status: str
    rows: tuple[FindingRow, ...]
    total: int
    page: int
    num_pages: int


def _filtered(
    findings: QuerySet[Finding], run: ComparisonRun, kind: str, division: str, status: str
) -> QuerySet[Finding]:
    found = findings.filter(run=run)
    if kind in FindingKind.values:
        found = found.filter(kind=kind)
    if division:
        found = found.filter(division__path__contains=f"/{division}/")
    if status == "open":
        found = found.filter(status=FindingStatus.OPEN)
    elif status == "resolved":
        found = found.exclude(status=FindingStatus.OPEN)
    return found


def _agency_names(fact_ids: set[int]) -> dict[int, str]:
    rows = Fact.objects.filter(pk__in=fact_ids).values_list("pk", "agency__name")
    return dict(rows)


def _lowest_link(finding: Finding) -> str:
    linked = [link for link in finding.links if link.get("method") != "unlinked"]
    if not linked:
        return link_display("unlinked", None) if finding.links else "—"
    worst = min(linked, key=lambda link: int(link.get("confidence", 0)))
    return link_display(str(worst["method"]), int(worst["confidence"]))


def _reason_text(reason: dict[str, object]) -> str:
    """原因的说法总是按代码现算（运行时存下的文字可能是旧的说法）。"""
    return reason_label(str(reason.get("code")))


def _finding_row(disclosure: Disclosure, finding: Finding, agencies: dict[int, str]) -> FindingRow:
    """类别按用户的授权（`category_text`：看不到感染情况的人，每条都是“保障对象”）。"""
    user, person = disclosure.user, finding.person
    names = sorted({agencies[f] for f in finding.fact_ids if f in agencies})
    return FindingRow(
        pk=finding.pk,
        kind=finding.kind,
        kind_label=FindingKind(finding.kind).label,
        status=finding.status,
        status_label=finding_status_label(
            finding.kind, finding.status, FindingStatus(finding.status).label
        ),
        person_pk=person.pk if person else None,
        name=person.name if person else "（未匹配到人员）",
        id_display=id_number_display(user=user, id_number=person.id_number) if person else "",
        division_name=finding.division.name,
        category=category_text(disclosure, finding.category, finding.orphan_type),
        reasons=tuple(_reason_text(r) for r in finding.reasons),
        records=len(finding.fact_ids),
        agencies=tuple(names),
        link=_lowest_link(finding),
    )


def _ordered(found: QuerySet[Finding]) -> QuerySet[Finding]:
    """队列和导出的同一顺序：类型、区划、编号。"""
    return found.select_related("person", "division").order_by("kind", "division_id", "pk")


def finding_queue(
    *,
    user: User,
    findings: QuerySet[Finding],
    run: ComparisonRun | None,
    kind: str,
    division: str,
    status: str,
    page: int,
) -> FindingQueue:
    """一次运行的发现，按类型、区划、处理状态筛选，每页 25 条（已经过 access_findings_queue）。"""
    if run is None:
        return FindingQueue(None, kind, division, status, (), 0, 1, 1)
    ordered = _ordered(_filtered(findings, run, kind, division, status))
    paginator = Paginator(ordered, PAGE_SIZE)
    current = paginator.get_page(page)
    items = list(current.object_list)
    agencies = _agency_names({f for item in items for f in item.fact_ids})
    disclosure = disclosure_for(user, purpose=COMPARISON)
    return FindingQueue(
        run=run_row(run),
        kind=kind,
        division=division,
        status=status,
        rows=tuple(_finding_row(disclosure, item, agencies) for item in items),
        total=paginator.count,
        page=current.number,
        num_pages=paginator.num_pages,
    )


EXPORT_HEADER = (
    "类型",
    "姓名",
    "身份证号",
    "区划",
    "类别",
    "原因",
    "记录数",
    "来源部门",
    "处理状态",
)


def finding_export_rows(
    *,
    user: User,
    findings: QuerySet[Finding],
    run: ComparisonRun | None,
    kind: str,
    division: str,
    status: str,
) -> list[tuple[object, ...]]:
    """与队列同样筛选、同样脱敏的全部发现（不分页），供导出。"""
    if run is None:
        return []
    items = list(_ordered(_filtered(findings, run, kind, division, status)))
    agencies = _agency_names({f for item in items for f in item.fact_ids})
    disclosure = disclosure_for(user, purpose=COMPARISON)
    rows = (_finding_row(disclosure, item, agencies) for item in items)
    return [
        (r.kind_label, r.name, r.id_display, r.division_name, r.category, "；".join(r.reasons),
         r.records, "、".join(r.agencies), r.status_label)
        for r in rows
    ]  # fmt: skip


# ---------------------------------------------------------------- 一条发现


@dataclass(frozen=True)
class RecordView:
    fact_pk: int
    subject: str  # 本人 / 父亲 / 母亲 / 未匹配
    entry: FactEntry
    written_name: str
    written_id: str
    link: str
    is_current: bool


@dataclass(frozen=True)
class FindingPage:
    pk: int
    kind: str
    kind_label: str
    status: str
    status_label: str
    run: RunRow
    person_pk: int | None
    name: str
    id_display: str
    age: int | None
    division_path: tuple[str, ...]
    category: str
    reasons: tuple[tuple[str, str], ...]  # (代码, 说明)
    decision: DeterminationView | None
    decision_changed: bool  # 按当前事实重新认定，结论已与比对时不同
    records: tuple[RecordView, ...]
    link: str
    case_pk: int | None
    case_label: str
    exit_codes: tuple[tuple[str, str], ...]
    check_outcomes: tuple[tuple[str, str], ...]  # 核查结果可选的几种
    resolved_by: str
    resolved_at: datetime | None
    resolution_code: str
    resolution_reason: str
    outcome_case_pk: int | None
    carried_from: str = ""  # “沿用 2026年11月5日 的决定”：证据未变
    previous: str = ""  # 上一次的决定（证据已变，重新待处理）
    changes: tuple[str, ...] = ()  # 上一次决定以来变了什么


def _subjects(finding: Finding) -> dict[int, str]:
    if finding.person is None:
        return {}
    found = {finding.person.pk: "本人"}
    for link in ParentLink.objects.filter(child=finding.person):
        found[link.parent_id] = link.get_relation_display()
    return found


def _written_id(user: User, fact: Fact, visible: bool) -> str:
    if not visible:
        return "（辖区外人员）"
    if not fact.subject_id_number:
        return "未填写"
    return id_number_display(user=user, id_number=fact.subject_id_number)


def _record(
    disclosure: Disclosure, fact: Fact, subjects: dict[int, str], link: dict[str, object]
) -> RecordView | None:
    """部门原样填写的姓名、号码只在当事人未关联或在用户辖区内时显示。来源里去掉入库时的
    关联方式，只显示本次比对的关联（两者可能不同，放在一起容易误读）。"""
    user = disclosure.user
    person = fact.person_id
    visible = person is None or access.persons_visible_to(user).filter(pk=person).exists()
    level = fact_level(disclosure, fact, in_scope=visible)
    if level == NONE:
        return None
    entry = fact_entry(fact=fact, level=level)
    if entry.provenance is not None:
        entry = replace(entry, provenance=replace(entry.provenance, link=""))
    method, confidence = str(link.get("method", "unlinked")), link.get("confidence")
    return RecordView(
        fact_pk=fact.pk,
        subject=subjects.get(person or -1, "未匹配" if person is None else "其他人员"),
        entry=entry,
        written_name=fact.subject_name if visible else "",
        written_id=_written_id(user, fact, visible),
        link=link_display(method, int(str(confidence)) if confidence is not None else None),
        is_current=fact.is_current,
    )


def _records(disclosure: Disclosure, finding: Finding) -> tuple[RecordView, ...]:
    facts = Fact.objects.filter(pk__in=finding.fact_ids).select_related(
        "agency__division", "submission"
    )
    by_pk = {fact.pk: fact for fact in facts}
    links = {int(str(link["fact_id"])): link for link in finding.links}
    subjects = _subjects(finding)
    records = (
        _record(disclosure, by_pk[pk], subjects, links.get(pk, {}))
        for pk in finding.fact_ids
        if pk in by_pk
    )
    return tuple(r for r in records if r is not None)


def _decision(finding: Finding, disclosure: Disclosure) -> tuple[DeterminationView | None, bool]:
    if finding.person is None:
        return None, False
    view = determination_view(
        child=finding.person, as_of=finding.run.as_of, today=timezone.localdate(),
        disclosure=disclosure,
    )  # fmt: skip
    expected = finding.decision or ("eligible" if finding.category else "")
    # 结论对这个用户读作“在保（保障对象）”时，不说“结论已有变化”（那就说出了真实结论）
    changed = bool(expected) and view.status != expected and not view.withheld
    return view, changed


def finding_page(*, user: User, finding: Finding) -> FindingPage:
    """一条发现的详情（已经过 access.access_finding）；事实按“数据比对”用途的授权显示。"""
    person = finding.person
    disclosure = disclosure_for(user, purpose=COMPARISON)
    decision, changed = _decision(finding, disclosure)
    case = finding.case
    return FindingPage(
        pk=finding.pk,
        kind=finding.kind,
        kind_label=FindingKind(finding.kind).label,
        status=finding.status,
        status_label=finding_status_label(
            finding.kind, finding.status, FindingStatus(finding.status).label
        ),
        run=run_row(finding.run),
        person_pk=person.pk if person else None,
        name=person.name if person else "（未匹配到人员）",
        id_display=id_number_display(user=user, id_number=person.id_number) if person else "",
        age=age_on(person.birth_date, timezone.localdate()) if person else None,
        division_path=division_path_names(person.division if person else finding.division),
        category=category_text(disclosure, finding.category, finding.orphan_type),
        reasons=tuple((str(r.get("code")), _reason_text(r)) for r in finding.reasons),
        decision=decision,
        decision_changed=changed,
        records=_records(disclosure, finding),
        link=_lowest_link(finding),
        case_pk=case.pk if case else None,
        case_label=category_text(disclosure, case.category, case.orphan_type) if case else "",
        exit_codes=tuple((code, reason_label(code)) for code in exit_reason_codes(finding)),
        check_outcomes=tuple((code, reason_label(code)) for code in CHECK_OUTCOMES_CHOSEN),
        resolved_by=_who(finding.resolved_by),
        resolved_at=timezone.localtime(finding.resolved_at) if finding.resolved_at else None,
        resolution_code=reason_label(finding.resolution_code) if finding.resolution_code else "",
        resolution_reason=finding.resolution_reason,
        outcome_case_pk=finding.outcome_case_id,
        carried_from=_decided_words(finding.carried_from) if finding.carried_from_id else "",
        previous=_decided_words(finding.previous) if finding.previous_id else "",
        changes=_changes_since(finding.previous, finding) if finding.previous_id else (),
    )


def _decided_words(earlier: Finding | None) -> str:
    if earlier is None or earlier.resolved_at is None:
        return ""
    when = timezone.localtime(earlier.resolved_at).date()
    what = finding_status_label(earlier.kind, earlier.status, FindingStatus(earlier.status).label)
    who = _who(earlier.resolved_by)
    return f"{when.year}年{when.month}月{when.day}日 {who} {what}：{earlier.resolution_reason}"


def _changes_since(earlier: Finding | None, now: Finding) -> tuple[str, ...]:
    """上一次决定以来，证据变了什么（说给经办人员听）。"""
    if earlier is None:
        return ()
    out = []
    added = set(now.fact_ids) - set(earlier.fact_ids)
    gone = set(earlier.fact_ids) - set(now.fact_ids)
    if added:
        out.append(f"新增或更正的部门记录 {len(added)} 条")
    if gone:
        out.append(f"不再使用的记录 {len(gone)} 条（已被更正或撤回）")
    if earlier.decision != now.decision or earlier.category != now.category:
        out.append("认定结论或类别有变化")
    before = {str(r.get("code")) for r in earlier.reasons}
    after = {str(r.get("code")) for r in now.reasons}
    if before != after:
        out.append(
            "认定理由有变化："
            + "、".join(_reason_text(r) for r in now.reasons if str(r.get("code")) not in before)
        )
    if not out:
        out.append("所依据记录的关联方式或规则参数有变化")
    return tuple(out)


# ---------------------------------------------------------------- 页面上的小结

CONFIRMED_MESSAGES = {
    FindingKind.ENROL: "已纳入保障，个案已建立。",
    FindingKind.EXIT: "已终止保障，理由已记入个案。",
    FindingKind.CHANGE: "已变更保障类别。",
    FindingKind.REVIEW: "已记录核查结果。",
    FindingKind.UNLINKED: "已记录核查结果。",
}


def confirmed_message(*, finding: Finding) -> str:
    """确认一条比对发现之后，页面上告诉经办人员做成了什么。"""
    return CONFIRMED_MESSAGES[FindingKind(finding.kind)]


def run_status(*, run: ComparisonRun) -> dict[str, object]:
    """运行的进度和计数（页面每秒轮询；只有数字，没有个人信息）。"""
    row = run_row(run)
    done = run.status == RunStatus.DONE
    return {
        "status": run.status,
        "status_label": row.status_label,
        "progress": run.progress,
        "message": run.message,
        "counts": {c.kind: c.count for c in row.counts},
        "seconds": row.seconds,
        "findings_url": f"{reverse('comparison_findings')}?run={run.pk}" if done else "",
    }


def queue_run_selected(*, user: User, raw: str) -> ComparisonRun | None:
    """发现队列所看的运行：网址里指定的（须在用户可见范围内），否则最近的一次。"""
    runs = queue_runs(user=user).select_related("division", "started_by")
    if raw.isdigit() and len(raw) < 19:
        return runs.filter(pk=int(raw)).first()
    return runs.filter(simulation=False).first()  # 默认看最近一次正式运行，模拟的要点名才看


def exit_reason_codes(finding: Finding) -> list[str]:
    """终止保障可选的原因代码：该发现的原因，外加“其他”。"""
    return [r["code"] for r in finding.reasons] + ["other"]


# ---------------------------------------------------------------- 一条记录：户籍中可能是谁


@dataclass(frozen=True)
class RecordMatchPage:
    finding: FindingPage
    fact_pk: int
    type_label: str
    agency: str
    written: tuple[tuple[str, str], ...]  # 部门所填：（项目，内容）
    unlinked: bool  # 还没有可靠关联（可以选人）
    candidates: tuple[Candidate, ...]


def record_match_page(*, user: User, finding: Finding, fact: Fact) -> RecordMatchPage:
    """为一条记录选人的页面（发现和记录都已经过 access）：部门所填的此人，与户籍中的候选人。"""
    written_id = _written_id(user, fact, visible=True)
    gender = Gender(fact.subject_gender).label if fact.subject_gender in Gender.values else "未填写"
    born = fact.subject_birth_date
    area = fact.subject_division_code
    written = (
        ("姓名", fact.subject_name or "未填写"),
        ("身份证号", written_id),
        ("性别", gender),
        ("出生日期", f"{born.year}年{born.month}月{born.day}日" if born else "未填写"),
        ("所填区划", _division_name(area) if area else "未填写"),
    )
    unlinked = fact.person_id is None
    return RecordMatchPage(
        finding=finding_page(user=user, finding=finding),
        fact_pk=fact.pk,
        type_label=FactType(fact.type).label,
        agency=fact.agency.name,
        written=written,
        unlinked=unlinked,
        candidates=record_candidates(user=user, fact=fact) if unlinked else (),
    )


def _division_name(code: str) -> str:
    found = Division.objects.filter(code=code).values_list("name", flat=True).first()
    return found or "（不在本平台的区划表中）"
