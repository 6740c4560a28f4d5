"""推送名单的查询：名单列表及其反馈进度、名单页（分页）、各部门的闭环情况、尚未办好的儿童
（应保尽保）、儿童页上各部门办了什么、待办的数量。"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime
from typing import Final

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from shouhu.core.catalog import catalog_load, purpose_label
from shouhu.web.accounts.models import Agency, User
from shouhu.web.pages import Paged, page_number
from shouhu.web.registry.models import Division, Person
from shouhu.web.shares.fields import field_header, granted_fields, granted_fields_each
from shouhu.web.shares.models import (
    ChangeKind,
    Outcome,
    ShareEntry,
    ShareFeedback,
    ShareFeedbackEarlier,
    ShareList,
)
from shouhu.web.shares.scopes import scope_note
from shouhu.web.shares.services import roll_of

PAGE_SIZE: Final = 20  # 手机上每名儿童一张卡片：一页 20 张
OUTCOME_CHOICES: Final = Outcome.choices
MAX_UNCOVERED: Final = 200


def with_progress(lists: QuerySet[ShareList]) -> QuerySet[ShareList]:
    """每份名单加上反馈进度：已反馈、已办理、不适用、未能办理的行数。"""
    return lists.select_related("agency").annotate(
        answered=Count("entries__feedback"),
        done=Count("entries__feedback", filter=Q(entries__feedback__outcome=Outcome.DONE)),
        not_applicable=Count(
            "entries__feedback", filter=Q(entries__feedback__outcome=Outcome.NOT_APPLICABLE)
        ),
        could_not=Count(
            "entries__feedback", filter=Q(entries__feedback__outcome=Outcome.COULD_NOT)
        ),
    )


def waiting(lists: QuerySet[ShareList]) -> QuerySet[ShareList]:
    """还有儿童没反馈的名单。"""
    return lists.filter(entries__feedback__isnull=True).distinct()


def overdue(lists: QuerySet[ShareList], today: date) -> QuerySet[ShareList]:
    return waiting(lists).filter(due_on__lt=today)


@dataclass(frozen=True)
class Receiver:
    agency: Agency
    purpose: str
    purpose_label: str
    fields: list[str]


def scope_lines() -> list[tuple[str, str]]:
    """每种推送用途列哪些儿童：（用途名称, 规则），发布页上列出（规则一处定义：scopes.py）。"""
    purposes = catalog_load().purposes.items()
    return [(purpose_label(c), scope_note(c)) for c, p in purposes if p.kind == "share"]


def receivers_for(division: Division) -> list[Receiver]:
    """本县可以推送的（部门, 用途）：部门在本县，且有这个用途的名单授权（可带至少一个字段）。"""
    share_purposes = [c for c, p in catalog_load().purposes.items() if p.kind == "share"]
    agencies = list(Agency.objects.filter(division=division).order_by("agency_type", "pk"))
    granted = granted_fields_each(agencies, share_purposes)
    return [
        Receiver(agency, purpose, purpose_label(purpose), granted[(agency.pk, purpose)])
        for agency in agencies
        for purpose in share_purposes
        if granted[(agency.pk, purpose)]
    ]


def receivers_started(division: Division) -> tuple[list[Receiver], list[Receiver]]:
    """本县的（部门, 用途）分两组：已经发过名单的（以后每月按时发布变动），和有授权、还没发过
    第一份的（第一份全量名单一次交出本县保障中的全部儿童，由经办人员核对后发布）。"""
    started = set(ShareList.objects.filter(division=division).values_list("agency_id", "purpose"))
    receivers = receivers_for(division)
    going = [r for r in receivers if (r.agency.pk, r.purpose) in started]
    return going, [r for r in receivers if (r.agency.pk, r.purpose) not in started]


@dataclass(frozen=True)
class Closure:
    """一个部门一个用途的闭环：名下（推送了、还没停止）的儿童，已办好的，未办好的。"""

    agency: Agency
    purpose: str
    purpose_label: str
    on_roll: int
    done: int
    not_applicable: int
    could_not: int
    pending: int
    uncovered: list[ShareEntry]  # 未办好的（未反馈或未能办理），最多 MAX_UNCOVERED 名


def closure_for(division: Division) -> list[Closure]:
    pairs = (
        ShareList.objects.filter(division=division)
        .values_list("agency_id", "purpose")
        .distinct()
        .order_by("agency_id", "purpose")
    )
    agencies = {a.pk: a for a in Agency.objects.filter(share_lists__division=division)}
    return [_closure(agencies[agency_id], purpose) for agency_id, purpose in pairs]


def _closure(agency: Agency, purpose: str) -> Closure:
    entry_ids = [entry_id for _, entry_id in roll_of(agency, purpose).values()]
    outcomes = dict(
        ShareFeedback.objects.filter(entry__share_list__agency=agency,
                                     entry__share_list__purpose=purpose,
                                     entry__change=ChangeKind.ENROL)
        .values_list("entry_id", "outcome")
    )  # fmt: skip
    counts = dict.fromkeys(Outcome.values, 0)
    open_ids = []
    for entry_id in entry_ids:
        outcome = outcomes.get(entry_id)
        if outcome is not None:
            counts[outcome] += 1
        if outcome not in (Outcome.DONE, Outcome.NOT_APPLICABLE):
            open_ids.append(entry_id)
    uncovered = list(
        ShareEntry.objects.filter(pk__in=open_ids[:MAX_UNCOVERED])
        .select_related("child", "share_list", "feedback")
        .order_by("share_list__number", "pk")
    )
    return Closure(
        agency, purpose, purpose_label(purpose), len(entry_ids), counts[Outcome.DONE],
        counts[Outcome.NOT_APPLICABLE], counts[Outcome.COULD_NOT],
        len(entry_ids) - sum(counts.values()), uncovered,
    )  # fmt: skip


@dataclass(frozen=True)
class FeedbackStep:
    """反馈的一次记录（现在的或被改正的）：记的什么、谁、何时、以什么方式。"""

    outcome: str
    done_on: date | None
    reference: str
    reason: str
    who: str
    at: datetime
    channel: str


def _step(fb: ShareFeedback | ShareFeedbackEarlier) -> FeedbackStep:
    who = fb.recorded_by.get_full_name() or fb.recorded_by.username if fb.recorded_by else "系统"
    return FeedbackStep(str(fb.get_outcome_display()), fb.done_on, fb.reference, fb.reason, who,
                        fb.recorded_at, str(fb.get_channel_display()))  # fmt: skip


def with_history(entries: QuerySet[ShareEntry]) -> QuerySet[ShareEntry]:
    earlier = ShareFeedbackEarlier.objects.select_related("recorded_by").order_by("-recorded_at")
    return entries.select_related("feedback__recorded_by").prefetch_related(
        Prefetch("earlier", queryset=earlier)
    )


def history_of(entry: ShareEntry) -> list[FeedbackStep]:
    """这一行反馈的经过，新的在前：现在的反馈，然后每一次被改正的。"""
    fb: ShareFeedback | None = getattr(entry, "feedback", None)
    current = [_step(fb)] if fb else []
    return current + [_step(old) for old in entry.earlier.all()]


@dataclass(frozen=True)
class Column:
    code: str
    header: str


@dataclass(frozen=True)
class Row:
    entry: ShareEntry
    values: list[tuple[str, str]]  # （表头, 值）
    feedback: ShareFeedback | None
    history: list[FeedbackStep]  # 现在的反馈和改正前的，新的在前（只有一次时不必展开）


@dataclass(frozen=True)
class ListPage(Paged):
    share_list: ShareList
    purpose_label: str
    scope: str  # 这一用途列哪些儿童（shares/scopes.py）
    columns: list[Column]
    rows: list[Row]
    page: int
    num_pages: int
    show: str  # all / pending / exit
    total: int
    answered: int
    overdue: bool

    @property
    def query(self) -> str:
        return f"show={self.show}&"


def shown_fields(share_list: ShareList, user: User) -> list[str]:
    """页面和文件上显示的字段：名单上带的，部门用户还须现在仍有授权（撤销授权即刻生效）。"""
    if user.agency_id == share_list.agency_id:
        now = set(granted_fields(share_list.agency, share_list.purpose))
        return [code for code in share_list.fields if code in now]
    return list(share_list.fields)


def list_page(share_list: ShareList, user: User, raw_page: str | None, show: str) -> ListPage:
    fields = shown_fields(share_list, user)
    entries = with_history(share_list.entries.all()).order_by("pk")
    total = share_list.entry_count
    answered = ShareFeedback.objects.filter(entry__share_list=share_list).count()
    if show == "pending":
        entries = entries.filter(feedback__isnull=True)
    elif show == "exit":
        entries = entries.filter(change=ChangeKind.EXIT)
    else:
        show = "all"
    count = entries.count()
    num_pages = max(1, math.ceil(count / PAGE_SIZE))
    page = min(page_number(raw_page), num_pages)
    chosen = entries[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    rows = [
        Row(
            e,
            [(field_header(c), str(e.data.get(c, ""))) for c in fields],
            getattr(e, "feedback", None),
            history_of(e),
        )
        for e in chosen
    ]
    late = answered < total and share_list.due_on < timezone.localdate()
    return ListPage(share_list, purpose_label(share_list.purpose), scope_note(share_list.purpose),
                    [Column(c, field_header(c)) for c in fields], rows, page, num_pages, show,
                    total, answered, late)  # fmt: skip


@dataclass(frozen=True)
class ChildShare:
    agency: str
    purpose: str
    number: int
    published: date
    change: str
    outcome: str
    done_on: date | None
    reference: str
    reason: str
    history: list[FeedbackStep]


def child_shares(child: Person) -> list[ChildShare]:
    """儿童页：推送给各部门的名单里有这名儿童的每一行，和部门的反馈。"""
    entries = (
        with_history(ShareEntry.objects.filter(child=child))
        .select_related("share_list__agency")
        .order_by("share_list__agency__name", "share_list__purpose", "share_list__number")
    )
    found = []
    for e in entries:
        fb: ShareFeedback | None = getattr(e, "feedback", None)
        found.append(ChildShare(
            e.share_list.agency.name, purpose_label(e.share_list.purpose), e.share_list.number,
            timezone.localtime(e.share_list.published_at).date(), e.get_change_display(),
            fb.get_outcome_display() if fb else "待反馈", fb.done_on if fb else None,
            fb.reference if fb else "", fb.reason if fb else "", history_of(e),
        ))  # fmt: skip
    return found


# ---------------------------------------------------------------- 接口


def credential_lists(agency: Agency, purposes: list[str]) -> QuerySet[ShareList]:
    lists = ShareList.objects.filter(agency=agency, purpose__in=purposes)
    return with_progress(lists).order_by("-published_at")[:500]


@dataclass(frozen=True)
class ApiPage:
    fields: dict[str, str]
    num_pages: int
    answered: int
    entries: list[dict[str, object]]


def api_page(share_list: ShareList, user: User, page: int, page_size: int) -> ApiPage:
    fields = shown_fields(share_list, user)
    total = share_list.entry_count
    chosen = share_list.entries.select_related("feedback").order_by("pk")[
        (page - 1) * page_size : page * page_size
    ]
    entries = []
    for e in chosen:
        fb: ShareFeedback | None = getattr(e, "feedback", None)
        feedback = (
            {"outcome": fb.outcome, "done_on": fb.done_on, "reference": fb.reference,
             "reason": fb.reason} if fb else None
        )  # fmt: skip
        entries.append({"ref": e.ref, "change": e.change, "feedback": feedback,
                        "fields": {c: str(e.data.get(c, "")) for c in fields}})  # fmt: skip
    answered = ShareFeedback.objects.filter(entry__share_list=share_list).count()
    return ApiPage({c: field_header(c) for c in fields}, max(1, math.ceil(total / page_size)),
                   answered, entries)  # fmt: skip
