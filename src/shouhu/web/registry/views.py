"""人员查询和儿童页面。视图解析输入、经访问层取对象、调用一个读取函数、渲染。

显示个人信息的每个页面记一条审计；每次拒绝由访问层记入审计，由 `errors.DomainErrorMiddleware`
用与“未找到”相同的页面答复。
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shouhu.core.catalog import catalog_load, purpose_label
from shouhu.core.errors import DomainError, InvalidInput
from shouhu.web import access
from shouhu.web.accounts.models import User
from shouhu.web.accounts.permissions import Right, is_submitter, may
from shouhu.web.audit.context import RequestContext, request_context
from shouhu.web.audit.desk import person_access_report, report_since
from shouhu.web.audit.models import Action, ObjectType, Purpose
from shouhu.web.audit.services import audit_record
from shouhu.web.cases.application_panel import applications_for_child
from shouhu.web.cases.choices import CATEGORY_OPTIONS, category_option_parse, exit_options
from shouhu.web.cases.register_selectors import registers_for_child
from shouhu.web.cases.services import case_change_category, case_close, case_reopen
from shouhu.web.cases.work_panel import case_work_for_child
from shouhu.web.determination.selectors import DeterminationView, determination_view
from shouhu.web.exports import Export, export_part, export_xlsx
from shouhu.web.pages import page_number
from shouhu.web.queries.asking import ASK_PURPOSE, askable_items
from shouhu.web.registry.duplicates import (
    DUPLICATE_EXPORT_HEADER,
    duplicate_export_rows,
    duplicate_pair,
    duplicate_pairs,
    merge_list,
)
from shouhu.web.registry.loads import (
    LOAD_EXPORT_HEADER,
    REPORT_HEADER,
    registry_load_export_rows,
    registry_load_list,
    registry_load_report,
    registry_load_report_rows,
)
from shouhu.web.registry.merge import person_merge, person_merge_undo
from shouhu.web.registry.person_page import person_page
from shouhu.web.registry.selectors import (
    EXPORT_HEADER,
    EXPORT_SCOPES,
    SCOPES,
    person_export_rows,
    person_search,
)
from shouhu.web.registry.services import registry_load_decide
from shouhu.web.shares.selectors import child_shares

if TYPE_CHECKING:
    from shouhu.web.registry.models import Person

MAX_QUERY_LENGTH = 60
WHAT_IF_REFUSED = "其中有您只能看到概况的信息，只能按今天认定。"


def stated_purpose(raw: str | None) -> str | None:
    """网址里说明的用途：须是数据的使用用途（purposes.toml 的 use 类），否则视为没有说明。"""
    purposes = catalog_load().purposes
    if raw and raw in purposes and purposes[raw].kind == "use":
        return raw
    return None


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)  # behind @login_required


@login_required
@require_http_methods(["GET", "POST"])
def person_list_view(request: HttpRequest) -> HttpResponse:
    """The query travels by POST, so ID numbers and names never land in URLs or proxy logs."""
    ctx = request_context(request, Purpose.CASE_WORK)
    access.access_person_list(ctx)
    data = request.POST if request.method == "POST" else request.GET
    query = request.POST.get("q", "").strip()[:MAX_QUERY_LENGTH]
    result = person_search(
        user=_user(request),
        query=query,
        page=page_number(data.get("page")),
        scope=data.get("scope", "all"),
    )
    # The query's kind is logged, never its text: the log must hold no personal data.
    audit_record(
        ctx=ctx,
        action=Action.SEARCH,
        object_type=ObjectType.PERSON,
        detail={
            "kind": result.query_kind,
            "scope": result.scope,
            "page": result.page,
            "results": result.total,
            "shown": [row.pk for row in result.rows],  # 显示了哪些人（编号，不是个人信息）
        },
    )
    context = {
        "result": result,
        "query": query,
        "scopes": SCOPES,
        "all_residents": may(_user(request), Right.READ_RESIDENTS),
        "may_merge": may(_user(request), Right.WRITE_CASES),
    }
    return render(request, "registry/person_list.html", context)


@login_required
@require_GET
def person_export_view(request: HttpRequest) -> HttpResponse:
    """一个工作范围的名单导出为 Excel（经唯一的导出出口：用途、限量、水印、审计）。"""
    ctx = request_context(request, Purpose.CASE_WORK)
    access.access_person_list(ctx)
    scope = request.GET.get("scope", "")
    if scope not in EXPORT_SCOPES:
        raise Http404
    export = Export(
        title=f"{SCOPES[scope]}-{_user(request).division.name}",
        header=EXPORT_HEADER,
        rows=person_export_rows(user=_user(request), scope=scope),
        object_type=ObjectType.PERSON,
    )
    return export_xlsx(ctx=ctx, export=export, part=export_part(request.GET.get("part")))


@login_required
@require_GET
def person_detail_view(request: HttpRequest, person_id: int) -> HttpResponse:
    """儿童（人员）页面。敏感事实的详情要先说明用途（?purpose=…，须在授权之内），用途记入审计。"""
    purpose = stated_purpose(request.GET.get("purpose"))
    ctx = request_context(request, purpose or Purpose.CASE_WORK)
    person = access.access_person(ctx, person_id)
    disclosure = access.disclosure_for(_user(request), purpose=purpose)
    page = person_page(user=_user(request), person=person, disclosure=disclosure)
    today = timezone.localdate()
    as_of, as_of_error = _what_if_date(request.GET.get("as_of"), today)
    decision = None
    if page.is_minor or page.cases or as_of != today:
        decision = determination_view(child=person, as_of=as_of, today=today, disclosure=disclosure)
        if as_of != today and not decision.what_if_allowed:
            as_of, as_of_error = today, WHAT_IF_REFUSED
            decision = determination_view(
                child=person, as_of=today, today=today, disclosure=disclosure
            )
    audit_record(
        ctx=ctx, action=Action.VIEW, object_type=ObjectType.PERSON, object_id=person.pk,
        detail={"what_if": as_of != today, "purpose_stated": purpose is not None,
                "outline_facts": sum(1 for f in page.facts if f.restricted)},
    )  # fmt: skip
    context = {
        "page": page,
        "d": decision,
        "as_of_error": as_of_error,
        "may_write": may(_user(request), Right.WRITE_CASES),
        "exit_options": _exit_options(person, disclosure, decision) if page.cases else (),
        "category_options": CATEGORY_OPTIONS,
        "work": (work := case_work_for_child(user=_user(request), child=person)),
        "registers": registers_for_child(
            entries=access.register_entries_visible_to(_user(request)),
            child_pk=person.pk,
            may_add=page.is_minor and access.may_enter_register(_user(request)),
            today=today,
            disclosure=disclosure,
            # 没有保障中个案的儿童：强制报告记在名册登记上（cases.register_risk）
            may_report=page.is_minor and work is None and may(_user(request), Right.REPORT_CHILD),
        ),
        "applying": applications_for_child(
            user=_user(request), child=person, is_minor=page.is_minor
        ),
        "shares": child_shares(person) if access.may_publish_shares(_user(request)) else (),
        "query_items": askable_items(_user(request)),
        "query_purpose": purpose_label(ASK_PURPOSE),
    }
    return render(request, "registry/person_detail.html", context)


def _exit_options(
    person: Person, disclosure: access.Disclosure, shown: DeterminationView | None = None
) -> tuple[tuple[str, str], ...]:
    """终止保障的理由选项，按今天的认定（页面已按今天认定的，不再认定一遍）。"""
    today = timezone.localdate()
    now = shown
    if now is None or now.as_of != today:
        now = determination_view(child=person, as_of=today, today=today, disclosure=disclosure)
    return exit_options(now.status, tuple(r.code for r in now.reasons))


def _what_if_date(raw: str | None, today: date) -> tuple[date, str]:
    if not raw:
        return today, ""
    try:
        return date.fromisoformat(raw), ""
    except ValueError:
        return today, "日期格式应为 年-月-日，已按今天认定。"


# ---------------------------------------------------------------- 户籍数据载入


def _load_context(request: HttpRequest) -> RequestContext:
    """报送部门看载入报告是为了报送；民政经办是为了比对的基线。"""
    purpose = Purpose.SUBMISSION if is_submitter(_user(request)) else Purpose.COMPARISON
    return request_context(request, purpose)


@login_required
@require_GET
def registry_load_list_view(request: HttpRequest) -> HttpResponse:
    ctx = _load_context(request)
    loads = registry_load_list(loads=access.access_registry_loads(ctx))
    return render(request, "registry/load_list.html", {"loads": loads})


@login_required
@require_GET
def registry_load_list_export_view(request: HttpRequest) -> HttpResponse:
    """全部载入的统计（同样的顺序，不限页面上的条数）导出为 Excel；没有个人信息。"""
    ctx = _load_context(request)
    rows = registry_load_export_rows(loads=access.access_registry_loads(ctx))
    export = Export("户籍数据载入", LOAD_EXPORT_HEADER, rows, ObjectType.REGISTRY_LOAD)
    return export_xlsx(ctx=ctx, export=export, part=export_part(request.GET.get("part")))


@login_required
@require_GET
def registry_load_detail_view(request: HttpRequest, load_id: int) -> HttpResponse:
    ctx = _load_context(request)
    load = access.access_registry_load(ctx, load_id)
    report = registry_load_report(
        user=_user(request), load=load, may_decide=may(_user(request), Right.WRITE_CASES)
    )
    audit_record(
        ctx=ctx, action=Action.VIEW, object_type=ObjectType.REGISTRY_LOAD, object_id=load.pk
    )
    return render(request, "registry/load_detail.html", {"report": report})


@login_required
@require_GET
def registry_load_report_view(request: HttpRequest, load_id: int) -> HttpResponse:
    """变动报告下载：经统一的导出出口（用途、限量分部分、水印、审计）。"""
    ctx = _load_context(request)
    load = access.access_registry_load(ctx, load_id)
    rows = registry_load_report_rows(user=_user(request), load=load)
    receipt = load.submission.receipt_number
    export = Export(f"户籍载入变动报告-{receipt}", REPORT_HEADER, rows, ObjectType.REGISTRY_LOAD,
                    load.pk)  # fmt: skip
    return export_xlsx(ctx=ctx, export=export, part=export_part(request.GET.get("part")))


@login_required
@require_POST
def registry_load_decide_view(request: HttpRequest, load_id: int) -> HttpResponse:
    ctx = _load_context(request)
    load = access.access_registry_load(ctx, load_id, to_decide=True)
    confirm = request.POST.get("decision") == "confirm"
    marked = registry_load_decide(ctx=ctx, load=load, confirm=confirm)
    if confirm:
        messages.success(request, f"已确认：{marked:,} 人标记为“不在最新全量名单中”。")
    else:
        messages.info(request, "未采纳：名单中缺少的人保持原状态。")
    return redirect("registry_load_detail", load_id=load.pk)


# ---------------------------------------------------------------- 一人一档：合并重复的人员


@login_required
@require_GET
def duplicate_list_view(request: HttpRequest) -> HttpResponse:
    ctx = request_context(request, Purpose.CASE_WORK)
    persons = access.access_duplicates(ctx)
    pairs = duplicate_pairs(user=_user(request), persons=persons)
    shown = sorted({p.a.pk for p in pairs} | {p.b.pk for p in pairs})
    audit_record(
        ctx=ctx,
        action=Action.VIEW,
        object_type=ObjectType.DUPLICATE_LIST,
        detail={"pairs": len(pairs), "shown": shown},
    )
    context = {"pairs": pairs, "merges": merge_list(user=_user(request))}
    return render(request, "registry/duplicates.html", context)


@login_required
@require_GET
def duplicate_list_export_view(request: HttpRequest) -> HttpResponse:
    """疑似重复的人员（同样的各对、同样的顺序）导出为 Excel：经访问层取，身份证号按角色脱敏，
    带用途（个案办理）、限量、水印和审计。"""
    ctx = request_context(request, Purpose.CASE_WORK)
    pairs = duplicate_pairs(user=_user(request), persons=access.access_duplicates(ctx))
    export = Export("疑似重复人员", DUPLICATE_EXPORT_HEADER, duplicate_export_rows(pairs),
                    ObjectType.DUPLICATE_LIST)  # fmt: skip
    return export_xlsx(ctx=ctx, export=export, part=export_part(request.GET.get("part")))


@login_required
@require_http_methods(["GET", "POST"])
def person_merge_view(request: HttpRequest, person_id: int, other_id: int) -> HttpResponse:
    """合并确认：person_id 是保留的记录，other_id 并入它。"""
    ctx = request_context(request, Purpose.CASE_WORK)
    access.access_duplicates(ctx)
    kept = access.access_person(ctx, person_id)
    merged = access.access_person(ctx, other_id)
    error = ""
    if request.method == "POST":
        try:
            person_merge(ctx=ctx, kept=kept, merged=merged, reason=request.POST.get("reason", ""))
        except InvalidInput as exc:
            error = exc.message
        else:
            messages.success(request, "已合并。如有误，可在“疑似重复人员”页面撤销。")
            return redirect("person_detail", person_id=kept.pk)
    pair = duplicate_pair(user=_user(request), kept=kept, merged=merged)
    audit_record(
        ctx=ctx, action=Action.VIEW, object_type=ObjectType.PERSON_MERGE,
        detail={"shown": [kept.pk, merged.pk]},
    )  # fmt: skip
    context = {"pair": pair, "error": error, "reason": request.POST.get("reason", "")}
    return render(request, "registry/merge.html", context, status=400 if error else 200)


@login_required
@require_POST
def person_merge_undo_view(request: HttpRequest, merge_id: int) -> HttpResponse:
    ctx = request_context(request, Purpose.CASE_WORK)
    merge = access.access_person_merge(ctx, merge_id)
    try:
        person_merge_undo(ctx=ctx, merge=merge)
    except InvalidInput as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "已撤销合并，两条记录恢复原样。")
    return redirect("duplicate_list")


@login_required
@require_GET
def person_access_report_view(request: HttpRequest, person_id: int) -> HttpResponse:
    """给监护人的查看记录：谁、何时、为什么目的查看过这个孩子的信息（可打印）。"""
    ctx = request_context(request, Purpose.CASE_WORK)
    person = access.access_access_report(ctx, person_id)
    today = timezone.localdate()
    report = person_access_report(
        person_pk=person.pk, county_prefix=person.division_id[:6], since=report_since(today)
    )
    audit_record(
        ctx=ctx, action=Action.VIEW, object_type=ObjectType.ACCESS_REPORT, object_id=person.pk,
        detail={"lines": len(report.lines)},
    )  # fmt: skip
    user = _user(request)
    issuer = user.agency.name if user.agency_id and user.agency else person.division.name
    context = {"report": report, "name": person.name, "person_id": person.pk, "today": today,
               "issuer": issuer}  # fmt: skip
    return render(request, "registry/access_report.html", context)


@login_required
@require_POST
def case_reopen_view(request: HttpRequest, case_id: int) -> HttpResponse:
    """错误终止的个案重新纳入保障（须写明理由）。"""
    ctx = request_context(request, Purpose.CASE_WORK)
    case = access.access_case(ctx, case_id, for_write=True)
    try:
        case_reopen(ctx=ctx, case=case, reason=request.POST.get("reason", ""))
    except (InvalidInput, DomainError) as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "已重新纳入保障，此前的终止记录保留在个案中。")
    return redirect("person_detail", person_id=case.child_id)


@login_required
@require_POST
def case_close_view(request: HttpRequest, case_id: int) -> HttpResponse:
    """在儿童档案里终止保障：原因（按今天的事实可选的）加书面理由。"""
    ctx = request_context(request, Purpose.CASE_WORK)
    case = access.access_case(ctx, case_id, for_write=True)
    code = request.POST.get("reason_code", "")
    allowed = {c for c, _ in _exit_options(case.child, access.disclosure_for(_user(request)))}
    try:
        if code not in allowed:
            raise InvalidInput("请选择终止原因。")
        case_close(ctx=ctx, case=case, reason_code=code, reason=request.POST.get("reason", ""))
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "已终止保障，书面理由已记入个案。")
    return redirect("person_detail", person_id=case.child_id)


@login_required
@require_POST
def case_change_view(request: HttpRequest, case_id: int) -> HttpResponse:
    """在儿童档案里变更保障类别（保障不中断）。"""
    ctx = request_context(request, Purpose.CASE_WORK)
    case = access.access_case(ctx, case_id, for_write=True)
    category, orphan_type = category_option_parse(request.POST.get("category", ""))
    try:
        case_change_category(ctx=ctx, case=case, category=category, orphan_type=orphan_type,
                             note=request.POST.get("note", ""))  # fmt: skip
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "已变更保障类别，保障不中断。")
    return redirect("person_detail", person_id=case.child_id)
