"""读取：安全审计员的工作台（谁在何时、从哪里、为何目的查看、查询、导出或修改了什么；异常使用的
提示；链的校验结果），和给监护人的“谁查看过孩子的信息”。

审计日志本身不含个人信息（只有对象编号）；这里也只把编号翻成“人员#123”一类的说法。
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Final

from django.db.models import Q, QuerySet
from django.utils import timezone

from shouhu.core.catalog import AGENCY_LABELS
from shouhu.core.identity import division_prefix, normalize_id_number
from shouhu.web.accounts.models import Agency, User
from shouhu.web.accounts.permissions import ROLE_PURPOSES, role_label
from shouhu.web.audit.models import (
    AccessSuppression,
    Action,
    AuditEntry,
    ChainCheck,
    ObjectType,
    Purpose,
)

PAGE_ROWS: Final = 50
BURST_PER_HOUR: Final = 30  # 一小时内查看超过这么多名不同的人：批量浏览的迹象
LARGE_EXPORT: Final = 1000  # 一次导出这么多行以上的，提示审计员留意
OFF_HOURS: Final = (22, 7)  # 北京时间 22 点至次日 7 点
PERSONAL: Final = frozenset(
    {ObjectType.PERSON, ObjectType.FACT, ObjectType.CASE, ObjectType.FINDING,
     ObjectType.FINDING_LIST, ObjectType.COMPARISON_FINDINGS}
)  # fmt: skip
READS: Final = frozenset({Action.VIEW, Action.SEARCH, Action.EXPORT})


@dataclass(frozen=True)
class EntryFilter:
    username: str = ""
    person_id: int | None = None
    action: str = ""
    since: date | None = None
    until: date | None = None
    before: int | None = None  # 翻页：只看序号小于它的


@dataclass(frozen=True)
class EntryLine:
    seq: int
    at: datetime
    who: str
    role: str
    agency: str
    action: str
    what: str
    purpose: str
    client_ip: str
    flags: tuple[str, ...]


def entries_for_auditor(auditor: User) -> QuerySet[AuditEntry]:
    """审计员辖区内的用户留下的记录（和命令行、系统的记录）。"""
    prefix = division_prefix(auditor.division_id)
    return AuditEntry.objects.filter(Q(division_code__startswith=prefix) | Q(division_code=""))


def entries_filtered(entries: QuerySet[AuditEntry], f: EntryFilter) -> QuerySet[AuditEntry]:
    if f.username:
        entries = entries.filter(actor_username=f.username)
    if f.action:
        entries = entries.filter(action=f.action)
    if f.since:
        entries = entries.filter(at__date__gte=f.since)
    if f.until:
        entries = entries.filter(at__date__lte=f.until)
    if f.person_id is not None:
        entries = entries.filter(_about_person(f.person_id))
    if f.before is not None:
        entries = entries.filter(seq__lt=f.before)
    return entries.order_by("-seq")


def _about_person(pk: int) -> Q:
    """直接关于这个人的记录（查看其页面、其个案、事实、比对发现）。查询结果列表另算。"""
    from shouhu.web.cases.models import Case
    from shouhu.web.comparison.models import Finding
    from shouhu.web.exchange.models import Fact

    def ids(model: type, **where: object) -> list[str]:
        return [str(v) for v in model.objects.filter(**where).values_list("pk", flat=True)]  # type: ignore[attr-defined]

    return (
        Q(object_type=ObjectType.PERSON, object_id=str(pk))
        | Q(object_type=ObjectType.CASE, object_id__in=ids(Case, child_id=pk))
        | Q(object_type=ObjectType.FACT, object_id__in=ids(Fact, person_id=pk))
        | Q(object_type=ObjectType.FINDING, object_id__in=ids(Finding, person_id=pk))
    )


def entry_lines(entries: Iterable[AuditEntry]) -> list[EntryLine]:
    rows = list(entries)
    burst = _burst_users(rows)
    actions, objects, purposes = (
        dict(Action.choices),
        dict(ObjectType.choices),
        dict(Purpose.choices),
    )
    out = []
    for e in rows:
        local = timezone.localtime(e.at)
        out.append(
            EntryLine(
                seq=e.seq,
                at=local,
                who=e.actor_username or "系统",
                role=role_label(e.role) if e.role else "—",
                agency=e.agency,
                action=actions.get(e.action, "其他操作"),
                what=_what(e, objects),
                purpose=purposes.get(e.purpose, "未说明"),
                client_ip=e.client_ip,
                flags=_flags(e, local, burst),
            )
        )
    return out


def _what(e: AuditEntry, objects: dict[str, str]) -> str:
    kind = objects.get(e.object_type, "")
    if not kind:
        return "—"
    return f"{kind}#{e.object_id}" if e.object_id else kind


def _burst_users(rows: list[AuditEntry]) -> set[tuple[str, datetime]]:
    """（用户, 小时）：这一小时内查看了太多不同的人。"""
    seen: dict[tuple[str, datetime], set[str]] = defaultdict(set)
    for e in rows:
        if e.object_type == ObjectType.PERSON and e.action == Action.VIEW:
            hour = timezone.localtime(e.at).replace(minute=0, second=0, microsecond=0)
            seen[(e.actor_username, hour)].add(e.object_id)
    return {key for key, persons in seen.items() if len(persons) > BURST_PER_HOUR}


def _flags(e: AuditEntry, local: datetime, burst: set[tuple[str, datetime]]) -> tuple[str, ...]:
    flags = []
    hour = local.replace(minute=0, second=0, microsecond=0)
    if (e.actor_username, hour) in burst:
        flags.append(f"一小时内查看逾 {BURST_PER_HOUR} 人")
    personal = e.object_type in PERSONAL and e.action in READS
    if personal and (local.hour >= OFF_HOURS[0] or local.hour < OFF_HOURS[1]):
        flags.append("非工作时间")
    if e.action == Action.EXPORT and int(e.detail.get("rows", 0) or 0) >= LARGE_EXPORT:
        flags.append("大量导出")
    allowed = ROLE_PURPOSES.get(e.role) if e.role else None
    if allowed is not None and e.purpose and e.purpose not in allowed:
        flags.append("用途与角色不符")
    return tuple(flags)


def flag_summary(lines: list[EntryLine]) -> list[tuple[str, int]]:
    counts = Counter(
        flag.split(" ")[0] if "逾" in flag else flag for line in lines for flag in line.flags
    )
    return sorted(counts.items(), key=lambda item: -item[1])


# ---------------------------------------------------------------- 给监护人的查看记录


@dataclass(frozen=True)
class AccessLine:
    at: datetime
    who: str  # 角色和单位，不写个人姓名以外的账号信息
    action: str
    purpose: str


@dataclass(frozen=True)
class AccessReport:
    lines: tuple[AccessLine, ...]
    since: date
    suppressed: bool  # 有记录按规定未列出（不说是哪些、有几条）


def person_access_report(*, person_pk: int, county_prefix: str, since: date) -> AccessReport:
    """这个孩子的信息被谁、为何目的查看过：页面、个案、事实、比对发现，和列出过他的查询。

    设定为“不告知”的机关（侦查中的公安、检察机关等）在截止日期前的查看不列出。
    """
    about = AuditEntry.objects.filter(_about_person(person_pk), at__date__gte=since)
    searches = AuditEntry.objects.filter(
        action=Action.SEARCH,
        object_type=ObjectType.PERSON,
        at__date__gte=since,
        # 本县、本市和本省的用户可能在查询结果里看到过这名儿童
        division_code__in=_searchers(county_prefix),
    )
    shown = [
        e for e in searches.iterator(chunk_size=2000) if person_pk in e.detail.get("shown", [])
    ]
    hidden_types = suppressed_agency_types(timezone.localdate())
    agency_types = dict(Agency.objects.values_list("name", "agency_type"))
    lines, suppressed = [], False
    for e in sorted([*about.filter(action__in=READS | {Action.UPDATE, Action.CREATE}), *shown],
                    key=lambda e: e.seq):  # fmt: skip
        if agency_types.get(e.agency) in hidden_types:
            suppressed = True
            continue
        lines.append(_access_line(e))
    return AccessReport(tuple(lines), since, suppressed)


def _searchers(county: str) -> list[str]:
    from shouhu.web.accounts.models import User

    codes = User.objects.filter(
        Q(division__code__startswith=county)
        | Q(division_id__in=[county[:4] + "00", county[:2] + "0000"])
    ).values_list("division_id", flat=True)
    return sorted(set(codes))


def _access_line(e: AuditEntry) -> AccessLine:
    role = role_label(e.role) if e.role else "系统"
    return AccessLine(
        at=timezone.localtime(e.at),
        who=f"{e.agency or '平台'} {role}（{e.actor_username or '系统'}）",
        action=dict(Action.choices).get(e.action, "其他操作"),
        purpose=dict(Purpose.choices).get(e.purpose, "未说明"),
    )


def suppressed_agency_types(today: date) -> frozenset[str]:
    active = AccessSuppression.objects.filter(revoked_at__isnull=True, until__gte=today)
    return frozenset(active.values_list("agency_type", flat=True))


def suppressions_list() -> list[tuple[int, str, date, str, bool]]:
    today = timezone.localdate()
    return [
        (s.pk, AGENCY_LABELS.get(s.agency_type, "其他机关"), s.until, s.reason,
         s.revoked_at is None and s.until >= today)
        for s in AccessSuppression.objects.order_by("-pk")[:50]
    ]  # fmt: skip


def report_since(today: date) -> date:
    return today - timedelta(days=365)


@dataclass(frozen=True)
class CheckLine:
    at: datetime
    ok: bool
    checked: int
    message: str


def latest_check() -> CheckLine | None:
    check = ChainCheck.objects.order_by("-pk").first()
    if check is None:
        return None
    return CheckLine(timezone.localtime(check.at), check.ok, check.checked, check.message)


def person_pk_for_id_number(raw: str) -> int | None:
    """审计员按身份证号查某个孩子的记录：只换成人员编号（现用号码或曾用号码）。"""
    from shouhu.web.registry.models import FormerNumber, Person

    number = normalize_id_number(raw)
    found = Person.objects.filter(id_number=number).values_list("pk", flat=True).first()
    if found is None:
        found = (
            FormerNumber.objects.filter(id_number=number)
            .values_list("person_id", flat=True)
            .first()
        )
    return found
