"""查询服务的两头：部门答复（query_answer）和民政提问（query_ask）。每次都记查询记录和审计。"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Final

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from shouhu.core.catalog import DataItem
from shouhu.core.errors import DomainError, ErrorCode, InvalidInput
from shouhu.core.exchange.json_rows import read_json_rows
from shouhu.core.identity import name_similarity, near_misses, normalize_id_number
from shouhu.core.identity.id_number import is_valid_id_number
from shouhu.core.pprl import Response, Term, term_pick
from shouhu.core.pprl.files import PersonRow, answer_rows
from shouhu.web.accounts.models import Agency, SystemCredential
from shouhu.web.audit.context import RequestContext
from shouhu.web.audit.models import Action, ObjectType
from shouhu.web.audit.services import audit_record
from shouhu.web.cases.models import Case
from shouhu.web.exchange.choices import Channel
from shouhu.web.exchange.models import Fact
from shouhu.web.exchange.services import IngestResult, submission_store
from shouhu.web.queries.models import Direction, QueryLog
from shouhu.web.queries.selectors import (
    fact_terms_by_id,
    fact_terms_without_id,
    parents_of,
    persons_asked_today,
)
from shouhu.web.registry.models import Person

MAX_BATCH: Final = 200
NAME_NEAR: Final = 90  # 号码有一位之差时，姓名相似度至少这么高（同音字 95）
NAME_ONLY: Final = 95  # 部门记录没有号码时：出生日期相同，姓名相同或只差同音字


@dataclass(frozen=True, slots=True)
class Asked:
    ref: str  # 民政的个案引用，部门只记不解读
    id_number: str
    name: str
    birth_date: date | None = None


@dataclass(frozen=True, slots=True)
class Reply:
    ref: str
    found: bool
    in_force: bool = False
    since: date | None = None
    until: date | None = None


def reply_status(reply: Reply) -> str:
    """部门答复的中文说法（页面和命令行共用）。"""
    if not reply.found:
        return "不在部门名单中"
    return "在执行" if reply.in_force else "已结束"


# ------------------------------------------------------------------ 部门一侧


def query_answer(
    *,
    ctx: RequestContext,
    credential: SystemCredential,
    item: DataItem,
    purpose: str,
    persons: Sequence[Asked],
    as_of: date | None = None,
) -> list[Reply]:
    """答复民政的一批查询：只答所问之人，只答是否在执行、起、止。限量，记录，审计。"""
    _check_batch(ctx, credential, item, persons)
    day = as_of or timezone.localdate()
    facts_of = _facts_for(item, persons)
    replies = [_reply(p, facts_of(p), day) for p in persons]
    found = sum(r.found for r in replies)
    in_force = sum(r.in_force for r in replies)
    _log(ctx, {"direction": "answered", "item": item.code, "purpose": purpose,
               "asker": credential.agency.name, "persons": len(persons), "found": found},
         direction=Direction.ANSWERED, item_code=item.code, purpose=purpose,
         agency=credential.agency, credential_prefix=credential.token_prefix,
         peer=credential.agency.name, case_refs=sorted({p.ref for p in persons}),
         persons=len(persons), found=found, in_force=in_force)  # fmt: skip
    return replies


def _check_batch(
    ctx: RequestContext, credential: SystemCredential, item: DataItem, persons: Sequence[Asked]
) -> None:
    if not persons or len(persons) > MAX_BATCH:
        raise InvalidInput(f"每次查询 1 至 {MAX_BATCH} 人。")
    if any(not p.ref.strip() for p in persons):
        raise InvalidInput("每个被查询的人都须附民政的个案编号（只能就有个案的人查询）。")
    limit = settings.QUERY_PERSONS_PER_DAY
    if persons_asked_today(credential.token_prefix) + len(persons) > limit:
        audit_record(
            ctx=ctx,
            action=Action.DENY,
            object_type=ObjectType.QUERY,
            object_id=item.code,
            detail={"why": "rate_limit", "limit": limit, "asked": len(persons)},
        )
        raise DomainError(
            f"查询太多：每个接口凭证 24 小时内最多查询 {limit} 人，请明天再查或联系对方调整限额。",
            code=ErrorCode.TOO_MANY,
        )


def _candidates(raw: str) -> tuple[list[str], bool]:
    number = normalize_id_number(raw)
    if is_valid_id_number(number):
        return [number], True
    return (list(near_misses(number)) if len(number) == 18 else []), False


def _facts_for(item: DataItem, persons: Sequence[Asked]) -> Callable[[Asked], list[Fact]]:
    numbers = {p.ref + p.id_number: _candidates(p.id_number) for p in persons}
    by_id = fact_terms_by_id(item, [n for ns, _ in numbers.values() for n in ns])
    births = [p.birth_date for p in persons if p.birth_date]
    no_id = fact_terms_without_id(item, births) if births else []

    def facts(p: Asked) -> list[Fact]:
        candidates, exact = numbers[p.ref + p.id_number]
        found = [f for n in candidates for f in by_id.get(n, [])]
        if not exact:
            found = [f for f in found if name_similarity(p.name, f.subject_name) >= NAME_NEAR]
        found += [
            f
            for f in no_id
            if f.subject_birth_date == p.birth_date
            and name_similarity(p.name, f.subject_name) >= NAME_ONLY
        ]
        return found

    return facts


def _reply(person: Asked, facts: list[Fact], day: date) -> Reply:
    if not facts:
        return Reply(ref=person.ref, found=False)
    term = term_pick([Term(f.start or f.date, f.end, bool(f.life)) for f in facts], day)
    until = None if term.life else term.until
    return Reply(person.ref, True, term.in_force(day), term.since, until)


# ------------------------------------------------------------------ 民政一侧

Send = Callable[[Mapping[str, Any]], Mapping[str, Any]]


@dataclass(frozen=True, slots=True)
class ParentAnswer:
    case: Case
    parent: Person
    reply: Reply


def query_ask(
    *,
    ctx: RequestContext,
    cases: Sequence[Case],
    item: DataItem,
    purpose: str,
    send: Send,
    peer: str,
    as_of: date | None = None,
) -> list[ParentAnswer]:
    """就这些个案儿童的父母向部门查询（cases 须已经过 access_query_cases）。peer 是被查询部门的
    中文名（client.peer_name），照原样记入查询记录，页面和导出显示它，从不记对方的地址。"""
    pairs = parents_of(cases)
    if not pairs:
        raise InvalidInput("所选个案的儿童在户籍中没有登记父母，无人可查。")
    day = as_of or timezone.localdate()
    refs = {f"{case.pk}-{i}": (case, parent) for i, (case, parent) in enumerate(pairs)}
    body = {
        "item_code": item.code,
        "purpose": purpose,
        "as_of": day.isoformat(),
        "persons": [
            {
                "ref": ref,
                "id_number": parent.id_number or "",
                "name": parent.name,
                "birth_date": parent.birth_date.isoformat() if parent.birth_date else None,
            }
            for ref, (_, parent) in refs.items()
        ],
    }
    replies = _replies_from(send(body), set(refs))
    answers = [ParentAnswer(*refs[r.ref], r) for r in replies]
    _record_asked(ctx, item, purpose, peer, cases, answers)
    return answers


def _replies_from(body: Mapping[str, Any], refs: set[str]) -> list[Reply]:
    bad = DomainError("对方平台的答复格式不对，未采用。请联系对方核实。")
    try:
        rows = body["replies"]
        replies = [
            Reply(
                ref=str(r["ref"]),
                found=bool(r["found"]),
                in_force=bool(r["in_force"]),
                since=date.fromisoformat(r["since"]) if r.get("since") else None,
                until=date.fromisoformat(r["until"]) if r.get("until") else None,
            )
            for r in rows
        ]
    except (KeyError, TypeError, ValueError):
        raise bad from None
    if sorted(r.ref for r in replies) != sorted(refs):
        raise bad
    return replies


def _record_asked(
    ctx: RequestContext,
    item: DataItem,
    purpose: str,
    peer: str,
    cases: Sequence[Case],
    answers: Sequence[ParentAnswer],
) -> None:
    found = sum(a.reply.found for a in answers)
    in_force = sum(a.reply.in_force for a in answers)
    case_ids = sorted(c.pk for c in cases)
    _log(ctx, {"direction": "asked", "item": item.code, "purpose": purpose, "peer": peer,
               "cases": case_ids, "persons": len(answers), "found": found},
         direction=Direction.ASKED, item_code=item.code, purpose=purpose,
         agency=ctx.user.agency if ctx.user else None, user=ctx.user, peer=peer,
         case_refs=case_ids, persons=len(answers), found=found, in_force=in_force)  # fmt: skip


def _log(ctx: RequestContext, detail: dict[str, object], **fields: object) -> None:
    """查询记录（QueryLog，本方“谁问了什么”）与它的审计条目，同一事务写入。"""
    with transaction.atomic():
        log = QueryLog.objects.create(**fields)
        audit_record(ctx=ctx, action=Action.SEARCH, object_type=ObjectType.QUERY,
                     object_id=log.pk, detail=detail)  # fmt: skip


# ------------------------------------------------------------------ 部门内部比对的答复入库


def pprl_answers_store(
    *, ctx: RequestContext, agency: Agency, item: DataItem, response: Response,
    persons: Sequence[PersonRow],
) -> IngestResult:  # fmt: skip
    """把部门内部比对（`shouhu pprl`）的答复作为该部门该月的报送入库：对上的人成为事实，
    随每月比对发现儿童。与推送同一个入库服务（校验、回执、审计、同一答复只入库一次）；
    只查询的数据项也接收，因为这不是部门推送的名单，而是民政所问之人的答复。"""
    if len(persons) != response.checked:
        raise InvalidInput(
            f"待核查人员表与请求时不一致（请求 {response.checked} 人，现有 {len(persons)} 人）。"
        )
    source = f"pprl-{response.request_id}.json"
    result = read_json_rows(answer_rows(item, persons, response.answers), source=source, item=item)
    return submission_store(
        ctx=ctx, agency=agency, item_code=item.code, period=response.as_of.replace(day=1),
        channel=Channel.PACKAGE, filename=source, result=result, comparison_answer=True,
    )  # fmt: skip
