"""困境儿童和留守儿童名册的页面（/cases/registers/…）：名册清单和导出、规则提出的待登记、
一条登记（帮扶措施、探访、结束）、手工登记、名册儿童的探访表单。

视图只解析输入、经访问层取登记或儿童、调用一个服务、渲染；出错时带回填写的内容和中文说明。
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_http_methods

from shouhu.core.errors import DomainError
from shouhu.core.policy.visits import MAJOR_CHANGE_LABELS, RISK_LABELS
from shouhu.core.registers import (
    END_REASONS,
    ENTRY_KIND_LABELS,
    ENTRY_KINDS,
    KIND_REGISTER,
    PARENT_WHEREABOUTS,
    REGISTER_LABELS,
    SUPPORT_MEASURES,
)
from shouhu.web import access
from shouhu.web.accounts.permissions import Right, may
from shouhu.web.audit.context import RequestContext, request_context
from shouhu.web.audit.models import Action, ObjectType, Purpose
from shouhu.web.audit.services import audit_record
from shouhu.web.cases import register_risk, registers, visits
from shouhu.web.cases import register_selectors as sel
from shouhu.web.cases.register_models import RegisterEntry
from shouhu.web.cases.work_views import _day, _moment, _now_text
from shouhu.web.exports import Export, export_part, export_xlsx

PER_PAGE = 50


def _ctx(request: HttpRequest) -> RequestContext:
    return request_context(request, Purpose.CASE_WORK)


def _filter(
    request: HttpRequest, ctx: RequestContext, disclosure: access.Disclosure
) -> sel.RegisterFilter:
    """筛选条件；看不到感染情况的人不能按登记类型筛（按类型一筛，名册名下剩下的就是感染儿童）。"""
    assert ctx.user is not None
    flt = sel.register_filter_parse(request.GET.dict(), access.divisions_visible_to(ctx.user))
    if flt.kind and not access.categories_shown(disclosure):
        return replace(flt, kind="")
    return flt


def _entry_url(entry: RegisterEntry) -> str:
    return reverse("register_entry", args=[entry.pk])


@login_required
@require_GET
def register_list_view(request: HttpRequest) -> HttpResponse:
    ctx = _ctx(request)
    entries = access.access_register_list(ctx)
    assert ctx.user is not None
    disclosure = access.disclosure_for(ctx.user)
    flt = _filter(request, ctx, disclosure)
    today = timezone.localdate()
    page = Paginator(sel.register_entries_filtered(entries, flt, today), PER_PAGE).get_page(
        request.GET.get("page")
    )
    rows = [sel.register_row(e, today, disclosure) for e in page]
    audit_record(ctx=ctx, action=Action.VIEW, object_type=ObjectType.CHILD_REGISTER,
                 detail={"list": flt.register, "shown": [r.pk for r in rows]})  # fmt: skip
    query = {"register": flt.register, "kind": flt.kind, "due": flt.due, "status": flt.status,
             "area": flt.area.code if flt.area else ""}  # fmt: skip
    kinds = [(k, ENTRY_KIND_LABELS[k]) for k in ENTRY_KINDS if KIND_REGISTER[k] == flt.register]
    kinds = kinds if access.categories_shown(disclosure) else []
    context = {
        "flt": flt, "rows": rows, "page": page, "query": urlencode(query),
        "registers": REGISTER_LABELS, "kinds": kinds, "dues": sel.DUE_FILTERS,
        "statuses": sel.STATUS_FILTERS, "title": REGISTER_LABELS[flt.register] + "名册",
        "areas": access.divisions_visible_to(ctx.user).order_by("path")[:500],
        "may_decide": access.may_enter_register(ctx.user),
    }  # fmt: skip
    return render(request, "cases/register_list.html", context)


EXPORT_HEADER = ("儿童", "所在地", "登记类型", "登记日期", "下次探访", "是否逾期", "结束")


@login_required
@require_GET
def register_export_view(request: HttpRequest) -> HttpResponse:
    """名册（同样的筛选，不分页）导出为 Excel；有儿童姓名，经统一的导出出口。"""
    ctx = _ctx(request)
    entries = access.access_register_list(ctx)
    assert ctx.user is not None
    disclosure = access.disclosure_for(ctx.user)
    flt = _filter(request, ctx, disclosure)
    today = timezone.localdate()
    found = sel.register_entries_filtered(entries, flt, today)
    rows = [sel.register_row(e, today, disclosure) for e in found]
    export = Export(
        title=REGISTER_LABELS[flt.register] + "名册",
        header=EXPORT_HEADER,
        rows=[
            (
                r.child_name,
                r.place,
                r.kind_label,
                r.started_on,
                r.visit_due,
                "逾期" if r.overdue else "",
                r.ended,
            )
            for r in rows
        ],
        object_type=ObjectType.CHILD_REGISTER,
    )
    return export_xlsx(ctx=ctx, export=export, part=export_part(request.GET.get("part")))


# ---------------------------------------------------------------- 规则提出的待登记


@login_required
@require_http_methods(["GET", "POST"])
def register_proposals_view(request: HttpRequest) -> HttpResponse:
    ctx = _ctx(request)
    waiting = access.access_register_proposals(ctx).filter(status="open")
    error = ""
    if request.method == "POST":
        proposal = access.access_register_proposal(ctx, request.POST.get("proposal"))
        try:
            if request.POST.get("decision") == "accept":
                registers.register_proposal_accept(ctx=ctx, proposal=proposal)
                messages.success(request, f"已将{proposal.child.name}登记到困境儿童名册。")
            else:
                registers.register_proposal_dismiss(
                    ctx=ctx, proposal=proposal, reason=request.POST.get("reason", "")
                )
                messages.success(request, "已记录不予登记的理由。")
            return redirect("register_proposals")
        except DomainError as exc:
            error = exc.message
    proposals = list(waiting.select_related("child", "division").order_by("proposed_at")[:200])
    audit_record(ctx=ctx, action=Action.VIEW, object_type=ObjectType.CHILD_REGISTER,
                 detail={"proposals": [p.pk for p in proposals]})  # fmt: skip
    rows = [(p, "、".join(ENTRY_KIND_LABELS[k] for k in p.kinds)) for p in proposals]
    return render(request, "cases/register_proposals.html", {"rows": rows, "error": error},
                  status=400 if error else 200)  # fmt: skip


# ---------------------------------------------------------------- 一条登记


def _entry_post(ctx: RequestContext, entry: RegisterEntry, post: Any) -> str:
    """结束登记（经办、督导员）或记一项帮扶措施（三个角色）；角色不对的在这之前已被拒绝。"""
    if post.get("action") == "end":
        registers.register_entry_end(ctx=ctx, entry=entry, reason_code=post.get("reason_code", ""),
                                     reason=post.get("reason", ""),
                                     ended_on=_day(post.get("ended_on", "")))  # fmt: skip
        return "已结束这条登记。"
    if post.get("action") == "change":
        register_risk.register_major_change_record(
            ctx=ctx, entry=entry, kind=post.get("change_kind", ""),
            occurred_at=_moment(post.get("occurred_at", "")), note=post.get("change_note", ""),
        )  # fmt: skip
        return "已报告重大变故：儿童临时按高风险，须在 24 小时内走访到位。"
    if post.get("action") == "risk":
        register_risk.register_risk_confirm(ctx=ctx, entry=entry, level=post.get("level", ""),
                                            reason=post.get("risk_reason", ""))  # fmt: skip
        return "已确认风险等级，重大变故已复核。"
    registers.support_measure_record(ctx=ctx, entry=entry, kind=post.get("kind", ""),
                                     on=_day(post.get("on", "")),
                                     note=post.get("note", ""))  # fmt: skip
    return "已记录帮扶措施。"


def _entry_for_post(ctx: RequestContext, entry_id: int, post: Any) -> RegisterEntry:
    if post.get("action") == "end":
        return access.access_register_entry_end(ctx, entry_id)
    if post.get("action") == "risk":  # 确认风险等级：县级经办人员（与个案同）
        return access.access_register_entry(ctx, entry_id, right=Right.WRITE_CASES)
    return access.access_register_entry(ctx, entry_id, right=Right.RECORD_VISITS)


@login_required
@require_http_methods(["GET", "POST"])
def register_entry_view(request: HttpRequest, entry_id: int) -> HttpResponse:
    ctx = _ctx(request)
    if request.method == "POST":
        entry = _entry_for_post(ctx, entry_id, request.POST)
    else:
        entry = access.access_register_entry(ctx, entry_id)
    error = ""
    if request.method == "POST":
        try:
            messages.success(request, _entry_post(ctx, entry, request.POST))
            return redirect(_entry_url(entry))
        except DomainError as exc:
            error = exc.message
    audit_record(ctx=ctx, action=Action.VIEW, object_type=ObjectType.CHILD_REGISTER,
                 object_id=entry.pk, detail={"entry": True})  # fmt: skip
    assert ctx.user is not None
    context = {
        "entry": entry, "child": entry.child, "error": error, "values": request.POST,
        "row": sel.register_row(entry, timezone.localdate(), access.disclosure_for(ctx.user)),
        "register_label": REGISTER_LABELS[entry.register],
        "father": sel.whereabouts_label(entry.father_whereabouts),
        "mother": sel.whereabouts_label(entry.mother_whereabouts),
        "measures": [(m, sel.measure_label(m.kind)) for m in
                     entry.measures.select_related("recorded_by")],
        "visits": entry.visits.select_related("recorded_by").order_by("-visited_at")[:20],
        "measure_kinds": SUPPORT_MEASURES, "end_reasons": END_REASONS,
        "today": timezone.localdate(), "may_end": access.may_enter_register(ctx.user),
        "may_transfer": access.may_propose_transfer(ctx.user) and entry.case_id is None,
        "pending_transfer": sel.register_transfer_pending(entry),
        "may_confirm_risk": may(ctx.user, Right.WRITE_CASES), "levels": RISK_LABELS,
        "changes": sel.entry_changes(entry), "now": _now_text(),
        "change_kinds": [(k, v) for k, v in MAJOR_CHANGE_LABELS.items() if k != "mandatory_report"],
    }  # fmt: skip
    return render(request, "cases/register_entry.html", context, status=400 if error else 200)


# ---------------------------------------------------------------- 手工登记、名册儿童的探访


def _entry_input(post: Any) -> registers.EntryInput:
    return registers.EntryInput(
        kind=post.get("kind", ""), reason=post.get("reason", ""),
        started_on=_day(post.get("started_on", "")),
        father_whereabouts=post.get("father_whereabouts", ""),
        mother_whereabouts=post.get("mother_whereabouts", ""),
        carer_name=post.get("carer_name", ""), carer_relation=post.get("carer_relation", ""),
        carer_phone=post.get("carer_phone", ""),
    )  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def register_new_view(request: HttpRequest, person_id: int) -> HttpResponse:
    ctx = _ctx(request)
    child = access.access_register_add(ctx, person_id)
    error = ""
    if request.method == "POST":
        try:
            entry = registers.register_entry_create(
                ctx=ctx, child=child, data=_entry_input(request.POST)
            )
            messages.success(request, f"已登记到{REGISTER_LABELS[entry.register]}名册。")
            return redirect(_entry_url(entry))
        except DomainError as exc:
            error = exc.message
    audit_record(ctx=ctx, action=Action.VIEW, object_type=ObjectType.PERSON, object_id=child.pk,
                 detail={"form": "register_new"})  # fmt: skip
    context = {"child": child, "error": error, "values": request.POST,
               "kinds": sel.entry_kinds_offered(access.disclosure_for(ctx.user), ENTRY_KINDS),
               "whereabouts": PARENT_WHEREABOUTS,
               "today": timezone.localdate()}  # fmt: skip
    return render(request, "cases/register_form.html", context, status=400 if error else 200)


@login_required
@require_http_methods(["GET", "POST"])
def register_visit_new_view(request: HttpRequest, entry_id: int) -> HttpResponse:
    """名册儿童的探访：与个案同一张表单、同样的五项情况。"""
    ctx = _ctx(request)
    entry = access.access_register_entry(ctx, entry_id, right=Right.RECORD_VISITS)
    post = request.POST
    error = ""
    if request.method == "POST":
        checks = {code: visits.Check(post.get(f"check_{code}", ""), post.get(f"note_{code}", ""))
                  for code in visits.CHECKS}  # fmt: skip
        data = visits.VisitInput(visited_at=_moment(post.get("visited_at", "")),
                                 place=post.get("place", ""), seen=post.get("seen", ""),
                                 checks=checks, notes=post.get("notes", ""))  # fmt: skip
        try:
            registers.register_visit_record(ctx=ctx, entry=entry, data=data)
            messages.success(request, "已记录探访。")
            return redirect(_entry_url(entry))
        except DomainError as exc:
            error = exc.message
    checks_shown = [(code, label, post.get(f"check_{code}", ""), post.get(f"note_{code}", ""))
                    for code, label in visits.CHECKS.items()]  # fmt: skip
    context = {"child": entry.child, "checks": checks_shown, "statuses": visits.CHECK_STATUS,
               "values": post, "now": _now_text(), "error": error}  # fmt: skip
    return render(request, "cases/visit_form.html", context, status=400 if error else 200)
