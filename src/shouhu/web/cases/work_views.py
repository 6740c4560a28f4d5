"""个案工作的页面（/cases/…）：清单、记录探访、记录核查、确认风险等级、报告重大变故、强制报告、
终止保障。视图只解析输入、经访问层取个案、调用一个服务、渲染；表单在手机上一栏排开。

出错（输入不对、个案已被他人终止）时原样带回填写的内容和中文说明，什么也不写入。
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from shouhu.core.errors import DomainError
from shouhu.core.policy.visits import MAJOR_CHANGE_LABELS, RISK_LABELS
from shouhu.core.policy.wording import reason_label
from shouhu.web import access
from shouhu.web.accounts.permissions import Right
from shouhu.web.audit.context import RequestContext, request_context
from shouhu.web.audit.models import Action, ObjectType, Purpose
from shouhu.web.audit.services import audit_record
from shouhu.web.cases import reports, reviews, risk, visits, worklists
from shouhu.web.cases.work_choices import REPORTER_KINDS, REVIEW_OUTCOMES
from shouhu.web.exports import EXPORT_MAX_ROWS, Export, export_part, export_xlsx

if TYPE_CHECKING:  # 只为类型标注；视图经访问层取个案
    from shouhu.web.cases.models import Case


def _ctx(request: HttpRequest) -> RequestContext:
    return request_context(request, Purpose.CASE_WORK)


def _moment(raw: str) -> datetime | None:
    """表单里的“年-月-日 时:分”，按北京时间。"""
    try:
        value = datetime.fromisoformat(raw.strip())
    except ValueError:
        return None
    return timezone.make_aware(value) if timezone.is_naive(value) else value


def _day(raw: str) -> date | None:
    try:
        return date.fromisoformat(raw.strip())
    except ValueError:
        return None


def _now_text() -> str:
    return f"{timezone.localtime():%Y-%m-%dT%H:%M}"


def _child_page(case: Case) -> str:
    return reverse("person_detail", args=[case.child_id]) + "#casework"


def _seen(ctx: RequestContext, case: Case, form: str) -> None:
    """打开表单也是查看儿童的信息（姓名、个案）：记入审计。"""
    audit_record(ctx=ctx, action=Action.VIEW, object_type=ObjectType.CASE, object_id=case.pk,
                 detail={"form": form})  # fmt: skip


def _form(
    request: HttpRequest,
    right: Right,
    case_id: int,
    template: str,
    save: Callable[[RequestContext, Case, Any], str],
    extra: dict[str, Any] | None = None,
    *,
    show: bool = False,
) -> HttpResponse:
    """一张个案工作表单的共同流程：取个案（辖区、角色），GET 显示，POST 保存后回到儿童页面。"""
    ctx = _ctx(request)
    case = access.access_case_work(ctx, case_id, right)
    context: dict[str, Any] = {"case": case, "child": case.child, "now": _now_text(),
                               "today": timezone.localdate(), "values": request.POST,
                               **(extra or {})}  # fmt: skip
    if request.method == "GET" or show:  # show：只显示（如风险评估的建议），不保存
        _seen(ctx, case, template)
        return render(request, f"cases/{template}.html", context)
    try:
        done = save(ctx, case, request.POST)
    except DomainError as exc:
        context["error"] = exc.message
        return render(request, f"cases/{template}.html", context, status=400)
    messages.success(request, done)
    return redirect(_child_page(case))


# ---------------------------------------------------------------- 清单


@login_required
@require_GET
def case_work_list_view(request: HttpRequest) -> HttpResponse:
    ctx = _ctx(request)
    cases = access.access_case_work_list(ctx)
    assert ctx.user is not None
    own = worklists.lists_for(ctx.user.role)
    code = request.GET.get("list", "")
    code = code if code in worklists.WORK_LISTS else own[0]
    moment = worklists.now_moment()
    entries = access.register_entries_visible_to(ctx.user)  # 没有个案的名册儿童
    rows = worklists.work_rows(cases, code, moment, entries=entries)
    tabs = [(c, worklists.WORK_LISTS[c].label, worklists.work_count(cases, entries, c, moment))
            for c in worklists.WORK_LISTS]  # fmt: skip
    audit_record(ctx=ctx, action=Action.VIEW, object_type=ObjectType.CASE_WORK_LIST,
                 detail={"list": code, "shown": [r.case_pk for r in rows if r.case_pk],
                         "entries": [r.entry_pk for r in rows if r.entry_pk]})  # fmt: skip
    context = {"code": code, "label": worklists.WORK_LISTS[code].label, "rows": rows,
               "tabs": tabs, "is_review": code.startswith("reviews")}  # fmt: skip
    return render(request, "cases/work_list.html", context)


WORK_EXPORT_HEADER = ("儿童", "村（居）", "儿童主任", "风险等级", "到期", "是否逾期")


@login_required
@require_GET
def case_work_export_view(request: HttpRequest) -> HttpResponse:
    """一份清单（全部，不止页面上的 200 条）导出为 Excel：拿去排探访、交给儿童主任。"""
    ctx = _ctx(request)
    cases = access.access_case_work_list(ctx)
    code = request.GET.get("list", "")
    if code not in worklists.WORK_LISTS:
        raise Http404
    assert ctx.user is not None
    rows = worklists.work_rows(cases, code, worklists.now_moment(), limit=EXPORT_MAX_ROWS * 10,
                               entries=access.register_entries_visible_to(ctx.user))  # fmt: skip
    export = Export(
        title=worklists.WORK_LISTS[code].label,
        header=WORK_EXPORT_HEADER,
        rows=[
            (
                r.child_name,
                r.place,
                r.directors,
                r.risk_label,
                r.due_text,
                "逾期" if r.overdue else "",
            )
            for r in rows
        ],
        object_type=ObjectType.CASE_WORK_LIST,
    )
    return export_xlsx(ctx=ctx, export=export, part=export_part(request.GET.get("part")))


# ---------------------------------------------------------------- 探访


def _visit_save(ctx: RequestContext, case: Case, post: Any) -> str:
    checks = {code: visits.Check(post.get(f"check_{code}", ""), post.get(f"note_{code}", ""))
              for code in visits.CHECKS}  # fmt: skip
    data = visits.VisitInput(
        visited_at=_moment(post.get("visited_at", "")), place=post.get("place", ""),
        seen=post.get("seen", ""), checks=checks, notes=post.get("notes", ""),
    )  # fmt: skip
    visits.visit_record(ctx=ctx, case=case, data=data)
    return "已记录探访。"


@login_required
@require_http_methods(["GET", "POST"])
def visit_new_view(request: HttpRequest, case_id: int) -> HttpResponse:
    post = request.POST
    checks = [(code, label, post.get(f"check_{code}", ""), post.get(f"note_{code}", ""))
              for code, label in visits.CHECKS.items()]  # fmt: skip
    extra = {"checks": checks, "statuses": visits.CHECK_STATUS}
    return _form(request, Right.RECORD_VISITS, case_id, "visit_form", _visit_save, extra)


# ---------------------------------------------------------------- 核查


def _review_save(ctx: RequestContext, case: Case, post: Any) -> str:
    outcome = post.get("outcome", "")
    reviews.review_record(ctx=ctx, case=case, reviewed_on=_day(post.get("reviewed_on", "")),
                          outcome=outcome, note=post.get("note", ""))  # fmt: skip
    if outcome == "termination_proposed":
        return "已记录核查，结论为建议终止：已提出终止申请，待初审、审批。"
    return "已记录核查。"


@login_required
@require_http_methods(["GET", "POST"])
def review_new_view(request: HttpRequest, case_id: int) -> HttpResponse:
    return _form(request, Right.RECORD_REVIEWS, case_id, "review_form", _review_save,
                 {"outcomes": REVIEW_OUTCOMES})  # fmt: skip


# ---------------------------------------------------------------- 风险等级


def _answers(post: Any) -> dict[str, str]:
    return {q.code: post.get(f"q_{q.code}", "") for q in risk.RISK_QUESTIONS}


def _risk_save(ctx: RequestContext, case: Case, post: Any) -> str:
    answers = _answers(post)
    answered = answers if all(answers.values()) else None
    change = risk.risk_confirm(ctx=ctx, case=case, level=post.get("level", ""),
                               reason=post.get("reason", ""), answers=answered)  # fmt: skip
    return f"风险等级已确认为“{RISK_LABELS[change.to_level]}”。"


@login_required
@require_http_methods(["GET", "POST"])
def risk_view(request: HttpRequest, case_id: int) -> HttpResponse:
    """风险评估和确认：先回答问题看建议等级（“看建议”），再由经办人员确认。"""
    answers = _answers(request.POST)
    propose = request.method == "POST" and request.POST.get("step") == "propose"
    proposed = risk.risk_proposal(answers) if propose else ""
    questions = [(q, answers.get(q.code, "")) for q in risk.RISK_QUESTIONS]
    extra = {"questions": questions, "levels": RISK_LABELS, "proposed": proposed,
             "proposed_label": RISK_LABELS.get(proposed, ""),
             "level": proposed or request.POST.get("level", "")}  # fmt: skip
    return _form(request, Right.WRITE_CASES, case_id, "risk_form", _risk_save, extra, show=propose)


# ---------------------------------------------------------------- 重大变故、强制报告


def _change_save(ctx: RequestContext, case: Case, post: Any) -> str:
    risk.major_change_record(ctx=ctx, case=case, kind=post.get("kind", ""),
                             occurred_at=_moment(post.get("occurred_at", "")),
                             note=post.get("note", ""))  # fmt: skip
    return "已报告重大变故：儿童临时按高风险，须在 24 小时内走访到位。"


@login_required
@require_http_methods(["GET", "POST"])
def change_new_view(request: HttpRequest, case_id: int) -> HttpResponse:
    kinds = [(k, v) for k, v in MAJOR_CHANGE_LABELS.items() if k != "mandatory_report"]
    return _form(request, Right.RECORD_VISITS, case_id, "change_form", _change_save,
                 {"kinds": kinds})  # fmt: skip


def _report_save(ctx: RequestContext, case: Case, post: Any) -> str:
    data = reports.ReportInput(
        reporter_kind=post.get("reporter_kind", ""), reporter_org=post.get("reporter_org", ""),
        reporter_name=post.get("reporter_name", ""), reporter_phone=post.get("reporter_phone", ""),
        seen_at=_moment(post.get("seen_at", "")), what_seen=post.get("what_seen", ""),
    )  # fmt: skip
    reports.mandatory_report_create(ctx=ctx, case=case, data=data)
    return "已收到强制报告：儿童临时按高风险，儿童主任须在 24 小时内走访到位。"


@login_required
@require_http_methods(["GET", "POST"])
def report_new_view(request: HttpRequest, case_id: int) -> HttpResponse:
    return _form(request, Right.REPORT_CHILD, case_id, "report_form", _report_save,
                 {"reporter_kinds": REPORTER_KINDS})  # fmt: skip


# ---------------------------------------------------------------- 终止保障（核查建议终止之后）


def _close_save(ctx: RequestContext, case: Case, post: Any) -> str:
    reviews.case_close_after_review(ctx=ctx, case=case, reason_code=post.get("reason_code", ""),
                                    reason=post.get("reason", ""))  # fmt: skip
    return "已终止保障，书面理由已记入个案。"


@login_required
@require_http_methods(["GET", "POST"])
def case_close_view(request: HttpRequest, case_id: int) -> HttpResponse:
    reasons = [(code, reason_label(code)) for code in reviews.CLOSE_REASONS]
    return _form(request, Right.WRITE_CASES, case_id, "close_form", _close_save,
                 {"reasons": reasons})  # fmt: skip
