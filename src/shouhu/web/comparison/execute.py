"""执行一次比对运行：导出辖区数据 → 比对引擎 → 写比对发现和运行记录。

可重复、可续跑：比对发现在引擎算完后一个事务里整批写入（先删该运行已有的），运行记录同时
改为“已完成”；中途被杀掉的运行没有写下任何发现，再跑一次得到同样的结果（数据按运行记录的
创建时刻读取，见 export.py）。进度（0–100）在事务外随时更新，页面轮询它。
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import time
from collections.abc import Callable
from datetime import date
from typing import Any

import pyarrow as pa
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from shouhu.core.errors import DomainError
from shouhu.engine.comparison import CompareResult, CompareSettings, compare_tables
from shouhu.engine.linkage import settings_default
from shouhu.web.accounts.models import User
from shouhu.web.audit.context import RequestContext
from shouhu.web.audit.models import Action, ObjectType, Purpose
from shouhu.web.audit.services import audit_record
from shouhu.web.comparison.export import ExportedTables, comparison_tables_get
from shouhu.web.comparison.labels import reasons_with_labels
from shouhu.web.comparison.models import (
    ComparisonRun,
    Finding,
    FindingKind,
    FindingStatus,
    RunStatus,
)
from shouhu.web.comparison.notices import findings_waiting_notify
from shouhu.web.comparison.services import comparison_run_start
from shouhu.web.comparison.stale import process_id
from shouhu.web.registry.models import Division, Person

logger = logging.getLogger(__name__)
Progress = Callable[[int, str], None]
# 进度的分段：导出 0–15，引擎 15–90，写入 90–100
EXPORT_DONE, ENGINE_DONE = 15, 90
EXPORTING, COMPARING, WRITING = "正在导出数据", "正在关联与认定", "正在写入比对发现"
FAILED_MESSAGE = "比对运行出错，系统将自动重试；如仍失败请联系管理员。"


def _progress_to(run: ComparisonRun, outer: Progress | None) -> Progress:
    last = [-1, ""]

    def report(percent: int, message: str = "") -> None:
        percent = max(0, min(99, percent))
        if [percent, message] == last:
            return
        last[:] = [percent, message]
        ComparisonRun.objects.filter(pk=run.pk).update(
            progress=percent, message=message[:200], heartbeat_at=timezone.now()
        )
        if outer is not None:
            outer(percent, message)

    return report


def _engine_progress(report: Progress) -> Callable[[str, int], None]:
    def engine(stage: str, percent: int) -> None:
        span = ENGINE_DONE - EXPORT_DONE
        report(EXPORT_DONE + span * max(0, min(100, percent)) // 100, stage or COMPARING)

    return engine


def _settings(run: ComparisonRun) -> CompareSettings:
    return CompareSettings(
        engine=str(run.settings.get("engine", "duckdb")), region=run.division.code[:6]
    )


def _settings_record(settings: CompareSettings) -> dict[str, Any]:
    link = settings.link or settings_default()
    return {"engine": settings.engine, "region": settings.region, "link": dataclasses.asdict(link)}


def comparison_run_execute(run_id: int, *, progress: Progress | None = None) -> ComparisonRun:
    """执行（或重新执行）一次运行，返回运行记录。已完成的运行直接返回，不再计算。

    引擎报告的输入错误（DomainError）使运行失败并说明原因；其他异常使运行失败后再抛出，
    由后台任务机制重试（重试会从头再跑一遍，结果相同）。
    """
    run = ComparisonRun.objects.select_related("division", "started_by").get(pk=run_id)
    if run.status == RunStatus.DONE:
        return run
    report = _progress_to(run, progress)
    ComparisonRun.objects.filter(pk=run.pk).update(
        status=RunStatus.RUNNING,
        started_at=run.started_at or timezone.now(),
        finished_at=None,
        worker=process_id(),
        heartbeat_at=timezone.now(),
    )
    began = time.monotonic()
    try:
        report(1, EXPORTING)
        tables = comparison_tables_get(division=run.division, snapshot_at=run.created_at)
        report(EXPORT_DONE, COMPARING)
        settings = _settings(run)
        result = compare_tables(
            registry=tables.registry,
            register=tables.register,
            facts=tables.facts,
            as_of=run.as_of,
            settings=settings,
            progress=_engine_progress(report),
        )
        report(ENGINE_DONE, WRITING)
        findings = findings_build(run=run, result=result, tables=tables)
        millis = int((time.monotonic() - began) * 1000)
        _findings_write(run, findings, result, tables, _settings_record(settings), millis)
    except DomainError as exc:
        _run_fail(run, exc.message)
    except Exception as exc:
        # 日志只记运行号和异常类型，不记内容（可能含个人信息）
        logger.error("比对运行 %s 出错：%s", run.pk, type(exc).__name__)
        _run_fail(run, FAILED_MESSAGE)
        raise
    run.refresh_from_db()
    return run


def _run_fail(run: ComparisonRun, message: str) -> None:
    ComparisonRun.objects.filter(pk=run.pk).exclude(status=RunStatus.DONE).update(
        status=RunStatus.FAILED, message=message[:200], finished_at=timezone.now()
    )


def _split(text: object) -> list[str]:
    return [part for part in str(text or "").split(";") if part]


def _record_links(links: pa.Table) -> dict[str, tuple[str, int]]:
    return {
        str(row["record_id"]): (str(row["method"]), int(row["confidence"] or 0))
        for row in links.select(["record_id", "method", "confidence"]).to_pylist()
    }


def _links_of(fact_ids: list[int], by_record: dict[str, tuple[str, int]]) -> list[dict[str, Any]]:
    found = []
    for fact_id in fact_ids:
        method, confidence = by_record.get(str(fact_id), ("unlinked", 0))
        found.append({"fact_id": fact_id, "method": method, "confidence": confidence})
    return found


def _lowest_confidence(links: list[dict[str, Any]]) -> int | None:
    linked = [link["confidence"] for link in links if link["method"] != "unlinked"]
    return min(linked) if linked else None


def findings_build(
    *, run: ComparisonRun, result: CompareResult, tables: ExportedTables
) -> list[Finding]:
    """引擎的发现表 → 未保存的 Finding 行。只留子树内儿童的发现（子树外的父母不在本辖区）。"""
    by_record = _record_links(result.links)
    rows = result.findings.to_pylist()
    wanted = {tables.person_pks.get(str(r.get("child_id_number") or "")) for r in rows} - {None}
    divisions = dict(Person.objects.filter(pk__in=wanted).values_list("pk", "division_id"))
    findings = []
    for row in rows:
        person = tables.person_pks.get(str(row.get("child_id_number") or ""))
        if row["kind"] != FindingKind.UNLINKED and person not in tables.in_scope:
            continue
        fact_ids = [int(r) for r in _split(row.get("record_ids") or row.get("record_id"))]
        links = _links_of(fact_ids, by_record)
        case = str(row.get("case_id") or "")
        findings.append(
            Finding(
                run=run,
                kind=row["kind"],
                person_id=person if row["kind"] != "unlinked" else None,
                case_id=int(case) if case.isdigit() else None,
                division_id=divisions.get(person, run.division_id),
                category=row.get("category") or "",
                orphan_type=row.get("orphan_type") or "",
                decision=row.get("status") or "",
                reasons=reasons_with_labels(_split(row.get("reasons"))),
                fact_ids=fact_ids,
                links=links,
                link_confidence=_lowest_confidence(links),
            )
        )
    for finding in findings:
        finding.evidence_sha256 = evidence_hash(finding, result.params_version)
    return findings


def evidence_hash(finding: Finding, params_version: str) -> str:
    """一条发现所依据的证据：类型、结论、类别、原因代码、所用事实及其关联方式、规则参数版本。"""
    body = {
        "kind": finding.kind,
        "decision": finding.decision,
        "category": [finding.category, finding.orphan_type],
        "reasons": sorted(str(r.get("code", "")) for r in finding.reasons),
        "facts": sorted(finding.fact_ids),
        "links": sorted((int(link["fact_id"]), str(link["method"])) for link in finding.links),
        "params": params_version,
    }
    text = json.dumps(body, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def _carry_key(finding: Finding) -> tuple[object, ...]:
    if finding.person_id is not None:
        return (finding.person_id, finding.kind)
    return (None, finding.kind, tuple(sorted(finding.fact_ids)))


def decisions_carry(run: ComparisonRun, findings: list[Finding]) -> int:
    """上一次已办理的同一儿童、同一类型的发现：证据未变就沿用其决定，变了就重新待处理并指向它。

    模拟运行不沿用（只供参考）。返回沿用的条数。
    """
    if run.simulation:
        return 0
    persons = {f.person_id for f in findings if f.person_id is not None}
    facts = {fact for f in findings if f.person_id is None for fact in f.fact_ids}
    decided = (
        Finding.objects.filter(
            Q(person_id__in=persons) | Q(person__isnull=True, kind=FindingKind.UNLINKED),
            run__simulation=False,
            status__in=[FindingStatus.CONFIRMED, FindingStatus.DISMISSED],
        )
        .exclude(run=run)
        .order_by("-resolved_at", "-pk")
    )
    latest: dict[tuple[object, ...], Finding] = {}
    for earlier in decided.iterator(chunk_size=2000):
        if earlier.person_id is None and not facts.intersection(earlier.fact_ids):
            continue
        latest.setdefault(_carry_key(earlier), earlier)
    carried = 0
    for finding in findings:
        earlier = latest.get(_carry_key(finding))
        if earlier is None:
            continue
        if earlier.evidence_sha256 and earlier.evidence_sha256 == finding.evidence_sha256:
            _carry(finding, earlier)
            carried += 1
        else:
            finding.previous = earlier
    return carried


def _carry(finding: Finding, earlier: Finding) -> None:
    finding.status = earlier.status
    finding.resolved_by_id = earlier.resolved_by_id
    finding.resolved_at = earlier.resolved_at
    finding.resolution_code = earlier.resolution_code
    finding.resolution_reason = earlier.resolution_reason
    finding.outcome_case_id = earlier.outcome_case_id
    finding.carried_from_id = earlier.carried_from_id or earlier.pk


def _counts(findings: list[Finding], engine_counts: dict[str, int]) -> dict[str, int]:
    counts = {
        key: int(value) for key, value in engine_counts.items() if key not in FindingKind.values
    }
    for kind in FindingKind.values:
        counts[kind] = sum(1 for f in findings if f.kind == kind)
    return counts


def _findings_write(
    run: ComparisonRun,
    findings: list[Finding],
    result: CompareResult,
    tables: ExportedTables,
    settings: dict[str, Any],
    millis: int,
) -> None:
    """一个事务：删掉该运行已有的发现、写入新的、运行记录改为已完成并记审计。"""
    counts = _counts(findings, result.counts)
    with transaction.atomic():
        locked = ComparisonRun.objects.select_for_update().get(pk=run.pk)
        if locked.status == RunStatus.DONE:  # 另一次执行已经写完
            return
        Finding.objects.filter(run=locked).delete()
        counts["carried"] = decisions_carry(locked, findings)
        Finding.objects.bulk_create(findings, batch_size=1000)
        ComparisonRun.objects.filter(pk=run.pk).update(
            status=RunStatus.DONE,
            progress=100,
            message="",
            finished_at=timezone.now(),
            counts=counts,
            settings=settings,
            params_version=result.params_version[:64],
            submission_ids=list(tables.submission_ids),
            duration_ms=millis,
        )
        audit_record(
            ctx=RequestContext(user=run.started_by, client_ip="", purpose=Purpose.COMPARISON),
            action=Action.CREATE,
            object_type=ObjectType.COMPARISON_FINDINGS,
            object_id=run.pk,
            detail={"counts": counts, "params_version": result.params_version[:64]},
            actor_username="system",
        )
        if not locked.simulation:
            findings_waiting_notify(
                locked, sum(1 for f in findings if f.status == FindingStatus.OPEN)
            )


RETRYING = "运行中断，稍后自动重试。"


def comparison_run_requeue(run_id: int) -> None:
    """出错的运行将由后台任务重试：状态回到“排队中”。"""
    ComparisonRun.objects.filter(pk=run_id).exclude(status=RunStatus.DONE).update(
        status=RunStatus.QUEUED, message=RETRYING, finished_at=None
    )


def comparison_run_first(
    *, user: User | None, code: str, as_of: date, echo: Callable[[str], Any] = print
) -> ComparisonRun | None:
    """演示用：辖区还没有完成过比对时当场比对一次（幂等：已有完成的运行就什么也不做）。"""
    division = Division.objects.get(code=code)
    if ComparisonRun.objects.filter(division=division, status=RunStatus.DONE).exists():
        return None
    echo(f"正在比对{division.name}的户籍、台账和部门事实……")
    ctx = RequestContext(user=user, client_ip="", purpose=Purpose.COMPARISON)
    run = comparison_run_start(ctx=ctx, division=division, as_of=as_of, background=False)
    try:
        run = comparison_run_execute(run.pk)
    except Exception:  # 演示数据已经建好：比对出错不应让整个演示失败
        run.refresh_from_db()
    if run.status != RunStatus.DONE:
        echo(f"首次比对未完成（{run.message}），可登录后在“数据比对”页重新发起。")
    return run
