"""待办：每个角色登录后要做的事，由平台的状态算出，每一项链接到办理的地方。全平台只此一份机制。

各个应用把自己的待办登记在 `PROVIDERS` 里（一个函数：用户 → 若干待办）；首页（统计概览、数据
报送、审计台……）用 `todo_for(user)` 列出。待办只有数量和去处，不含个人信息；数量都经访问层
按用户的辖区和角色算出。后续的提醒（邮件、站内消息）也从这里取。
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

from django.core.cache import cache
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from shouhu.web import access
from shouhu.web.accounts.models import User
from shouhu.web.accounts.permissions import Right, Role, is_submitter, may
from shouhu.web.exchange.acceptance import pending_for
from shouhu.web.registry.selectors import certificates_expiring, turning_adult

URGENT: Final = "urgent"
NORMAL: Final = "normal"


@dataclass(frozen=True)
class TodoItem:
    label: str  # “比对发现待处理”
    count: int
    url: str
    urgency: str = NORMAL  # urgent：逾期或会伤害儿童的（如待确认的移出、应退未退）
    note: str = ""


Provider = Callable[[User], list[TodoItem]]


def _findings(user: User) -> list[TodoItem]:
    if not may(user, Right.READ_FINDINGS):
        return []
    from shouhu.web.comparison.models import FindingStatus
    from shouhu.web.comparison.selectors import queue_run_selected

    run = queue_run_selected(user=user, raw="")
    if run is None:
        return []
    waiting = access.findings_visible_to(user).filter(run=run, status=FindingStatus.OPEN)
    counts = waiting.aggregate(total=Count("pk"), exits=Count("pk", filter=Q(kind="exit")))
    exits, total = counts["exits"], counts["total"]
    url = f"{reverse('comparison_findings')}?run={run.pk}&status=open"
    items = [TodoItem("比对发现待处理", total, url, URGENT if exits else NORMAL,
                      f"其中应退未退 {exits} 条" if exits else "")]  # fmt: skip
    return [item for item in items if item.count]


def _registry(user: User) -> list[TodoItem]:
    if not may(user, Right.WRITE_CASES):
        return []
    from shouhu.web.registry.models import LoadStatus

    held = access.registry_loads_visible_to(user).filter(status=LoadStatus.HELD).count()
    pending = pending_for(user).count()
    return [
        item
        for item in (
            TodoItem("户籍全量名单待确认移出人员", held, reverse("registry_load_list"), URGENT),
            TodoItem("外地部门数据待接收", pending, reverse("exchange_acceptance")),
        )
        if item.count
    ]


def _turning_adult(user: User) -> list[TodoItem]:
    """保障中的儿童 30 天内年满 18 周岁：提前安排终止或延续（在校的可按规定延续）。"""
    if not may(user, Right.READ_PERSONS):
        return []
    count = turning_adult(access.persons_visible_to(user), timezone.localdate()).count()
    url = f"{reverse('person_list')}?scope=turning_adult"
    return [TodoItem("30 天内年满 18 周岁的保障儿童", count, url)] if count else []


def _certificates(user: User) -> list[TodoItem]:
    """保障中的儿童，本人或父母的证件 30 天内到期：提醒家庭换证，到期后认定可能改变。"""
    if not may(user, Right.WRITE_CASES):
        return []
    count = certificates_expiring(access.persons_visible_to(user), timezone.localdate()).count()
    url = f"{reverse('person_list')}?scope=certificates_expiring"
    return [TodoItem("证件 30 天内到期的保障儿童", count, url)] if count else []


def _case_work(user: User) -> list[TodoItem]:
    """个案工作：儿童主任的应探访和逾期、督导员所辖各村的逾期、经办人员的待复核和核查。"""
    if not may(user, Right.RECORD_VISITS):
        return []
    from shouhu.web.cases.models import CaseStatus
    from shouhu.web.cases.worklists import work_counts

    cases = access.cases_visible_to(user).filter(status=CaseStatus.ACTIVE)
    entries = access.register_entries_visible_to(user)  # 没有个案的名册儿童在同一张清单上
    return [
        TodoItem(w.label, w.count, w.url, URGENT if w.urgent else NORMAL)
        for w in work_counts(user, cases, entries)
    ]


def _registers(user: User) -> list[TodoItem]:
    """困境儿童和留守儿童名册：经办人员有规则提出的待登记儿童。名册儿童的探访（逾期、一周内、
    24 小时内）和重大变故在个案工作的清单上（`_case_work`），与个案的同一套。"""
    if not may(user, Right.RECORD_VISITS):
        return []
    items = []
    proposals = access.register_proposals_visible_to(user).filter(status="open").count()
    if proposals:
        items.append(TodoItem("规则提出的困境儿童待登记", proposals,
                              reverse("register_proposals"), NORMAL,
                              "按认定规则的标签（重残、重病、低保等）提出"))  # fmt: skip
    return items


def _applications(user: User) -> list[TodoItem]:
    """申请和审批：在本人环节等着办理的（乡镇初审、县级审批……），以及退回给本人环节的。"""
    from shouhu.web.cases.application_models import stage_of

    stage = stage_of(user)
    if not stage or not may(user, Right.RECORD_VISITS):
        return []
    mine = access.applications_visible_to(user).filter(stage=stage)
    counts = mine.aggregate(all=Count("pk"), returned=Count("pk", filter=Q(returned=True)))
    returned, waiting = counts["returned"], counts["all"] - counts["returned"]
    url = reverse("application_list")
    items = (TodoItem("退回给我的申请", returned, f"{url}?tab=returned", URGENT,
                      "请按退回理由补正后重新报送"),
             TodoItem("待我办理的申请", waiting, f"{url}?tab=waiting"))  # fmt: skip
    return [item for item in items if item.count]


def _transfers(user: User) -> list[TodoItem]:
    """个案迁移：迁入地待接收的；转出方等对方接收的、近 30 天被退回的（看理由，改正后重提）。"""
    if not may(user, Right.READ_PERSONS):
        return []
    from shouhu.web.cases.models import TransferStatus

    url = reverse("case_transfer_list")
    since = timezone.now() - timedelta(days=30)
    sent = access.transfers_sent(user)
    items = (
        TodoItem("迁入的个案待接收", access.transfers_to_receive(user).count(), url, URGENT,
                 "接收前个案仍由迁出地负责"),
        TodoItem("迁出的个案等对方接收", sent.filter(status=TransferStatus.PENDING).count(), url),
        TodoItem("迁移被退回（近30天）",
                 sent.filter(status=TransferStatus.RETURNED, decided_at__gte=since).count(), url),
    )  # fmt: skip
    return [item for item in items if item.count]


def _submitter(user: User) -> list[TodoItem]:
    if not is_submitter(user):
        return []
    from shouhu.web.exchange.deadlines import ObligationStatus
    from shouhu.web.exchange.selectors import submitter_home
    from shouhu.web.objections.models import ObjectionStatus

    assert user.agency is not None
    home = submitter_home(agency=user.agency, today=timezone.localdate())
    overdue = sum(1 for o in home.open if o.status == ObligationStatus.MISSING)
    due = len(home.open) - overdue
    objections = access.objections_visible_to(user).filter(status=ObjectionStatus.OPEN)
    answer = objections.filter(agency_id=user.agency_id).count()
    return [
        item
        for item in (
            TodoItem("逾期未报送的数据项", overdue, reverse("exchange_home"), URGENT),
            TodoItem("本月待报送的数据项", due, reverse("exchange_home")),
            TodoItem("待答复的疑义", answer, reverse("objection_queue"), URGENT),
        )
        if item.count
    ]


def _answered(user: User) -> list[TodoItem]:
    """自己提出的疑义，部门近 30 天内已答复的：看答复，再回到比对发现或档案办理。"""
    from shouhu.web.objections.models import ObjectionStatus

    since = timezone.now() - timedelta(days=30)
    answered = (
        access.objections_visible_to(user)
        .filter(raised_by=user, answered_at__gte=since)
        .exclude(status__in=(ObjectionStatus.OPEN, ObjectionStatus.WITHDRAWN))
        .count()
    )
    url = f"{reverse('objection_queue')}?show=all"
    return [TodoItem("部门已答复的疑义（近30天）", answered, url)] if answered else []


def _oversight(user: User) -> list[TodoItem]:
    """领导：辖区内应退未退、比对完成 30 天后仍未处理的（到统计概览的办理进度看是哪些县区）。"""
    if user.role != Role.LEADER:
        return []
    from shouhu.web.statistics.progress import exits_overdue

    overdue = exits_overdue(user.division)
    url = f"{reverse('dashboard')}#progress"
    return [TodoItem("应退未退逾期未处理（按县区督办）", overdue, url, URGENT)] if overdue else []


def _reports(user: User) -> list[TodoItem]:
    """统计报表：本级刚结束的月、季还没报（或被退回）的，下级报来待审核的。"""
    if not access.may_report(user):
        return []
    from shouhu.web.statistics.report_pages import reports_page

    page = reports_page(user=user, visible=access.stat_reports_visible_to(user),
                        today=timezone.localdate())  # fmt: skip
    url = reverse("stat_reports")
    items = [TodoItem("统计报表待上报", len(page.due), url),
             TodoItem("下级上报的统计报表待审核", page.waiting, url)]  # fmt: skip
    return [item for item in items if item.count]


def _auditor(user: User) -> list[TodoItem]:
    if not may(user, Right.READ_AUDIT_LOG):
        return []
    from shouhu.web.audit.desk import latest_check

    check = latest_check()
    stale = check is None or check.at < timezone.now() - timedelta(days=7)
    items = []
    if check is not None and not check.ok:
        items.append(TodoItem("审计日志校验未通过", 1, reverse("audit_desk"), URGENT))
    elif stale:
        items.append(TodoItem("审计日志超过 7 天未校验", 1, reverse("audit_desk")))
    return items


def _subsidies(user: User) -> list[TodoItem]:
    """补贴发放：财政退回的发放失败（下月名册重发前核实账户）、待审核批准的名册、待定追回方式的多发。"""
    if not access.may_handle_subsidies(user):
        return []
    from shouhu.web.subsidies import selectors

    division = user.division
    home = reverse("subsidy_home")
    failed = selectors.failed_open(division)
    failed_roster = selectors.latest_failed_roster(division)
    failed_url = reverse("subsidy_roster", args=[failed_roster]) if failed_roster else home
    waiting = selectors.rosters_waiting(division)
    waiting_one = waiting.order_by("-month").first()
    waiting_url = reverse("subsidy_roster", args=[waiting_one.pk]) if waiting_one else home
    undecided = selectors.overpayments_undecided(division)
    undecided_one = undecided.order_by("-found_in__month").first()
    undecided_url = (
        reverse("subsidy_roster", args=[undecided_one.found_in_id]) if undecided_one else home
    )
    items = (
        TodoItem("补贴发放失败待核实账户", failed.count(), failed_url, URGENT,
                 "下个月的名册会重发这些月份"),
        TodoItem("补贴名册待审核批准", waiting.count(), waiting_url),
        TodoItem("补贴多发待定追回方式", undecided.count(), undecided_url),
    )  # fmt: skip
    return [item for item in items if item.count]


FIRST_LIST = "部门已有授权；第一份是全量名单，核对后在推送名单页发布，以后每月自动发布变动"


def _shares(user: User) -> list[TodoItem]:
    """推送名单：部门用户“待反馈的名单”（逾期的紧急）；县级民政经办“部门逾期未反馈的名单”和
    有授权、还没发过第一份的名单。"""
    if not access.may_see_shares(user):
        return []
    from shouhu.web.shares.selectors import overdue, receivers_started, waiting

    lists = access.share_lists_visible_to(user)
    today = timezone.localdate()
    home = reverse("share_home")
    late = overdue(lists, today).count()
    if access.may_give_feedback(user):
        open_lists = waiting(lists).count()
        items = (TodoItem("推送名单逾期未反馈", late, home, URGENT, "请尽快逐人反馈办理情况"),
                 TodoItem("推送名单待反馈", open_lists - late, home))  # fmt: skip
    else:
        open_lists = waiting(lists).count()
        unstarted = len(receivers_started(user.division)[1])
        first = TodoItem("尚未发布第一份的推送名单", unstarted, home, NORMAL, FIRST_LIST)
        items = (TodoItem("部门逾期未反馈的推送名单", late, home, URGENT),
                 TodoItem("等待部门反馈的推送名单", open_lists - late, home), first)  # fmt: skip
    return [item for item in items if item.count]


def _joint_tasks(user: User) -> list[TodoItem]:
    """联席会议任务：本单位牵头或配合、未完成的（逾期的紧急）；领导看辖区内逾期的任务。"""
    from shouhu.web.meetings import selectors

    if not selectors.may_see_tasks(user):
        return []
    tasks = selectors.tasks_visible_to(user)
    today = timezone.localdate()
    board = reverse("meeting_board")
    items: list[TodoItem] = []
    if user.role == Role.LEADER:
        late = selectors.overdue(tasks, today).count()
        items.append(TodoItem("联席会议任务逾期未完成", late, f"{board}?status=overdue", URGENT))
    if user.agency_id is not None:
        mine = selectors.open_for_agency(tasks, user.agency_id)
        late = selectors.overdue(mine, today).count()
        items += [
            TodoItem("本单位的联席会议任务已逾期", late, f"{board}?status=overdue", URGENT),
            TodoItem("本单位牵头或配合的联席会议任务", mine.count() - late, board),
        ]
    return [item for item in items if item.count]


PROVIDERS: tuple[Provider, ...] = (
    _findings, _case_work, _registers, _applications, _transfers, _registry, _turning_adult,
    _certificates, _subsidies, _shares, _submitter, _answered, _oversight, _reports, _joint_tasks,
    _auditor,
)  # fmt: skip


def todo_for(user: User) -> list[TodoItem]:
    """这名用户现在要做的事，紧急的在前。"""
    items = [item for provider in PROVIDERS for item in provider(user)]
    return sorted(items, key=lambda item: item.urgency != URGENT)


TODO_CACHE_SECONDS: Final = 30


def todo_for_home_page(user: User) -> list[TodoItem]:
    """首页上的待办：`todo_for`，同一用户 30 秒内不重算（本进程内存）——除非他本人此后又办了事。

    待办是首页上最贵的一块（二十来次计数）。缓存按用户、角色、辖区、部门和日期分开；本人办了
    一件事（审计日志里他在算出之后有新增、修改或终止），下一次打开首页就重算，别的服务进程也一样
    （看的是审计日志，不是本进程的缓存）。别人办的事（同县的经办人员、比对任务）最多 30 秒后
    出现在待办里。"""
    today = timezone.localdate()
    key = f"todo:{user.pk}:{user.role}:{user.division_id}:{user.agency_id}:{today.isoformat()}"
    cached = cache.get(key)
    if cached is not None:
        computed_at, items = cached
        if not _changed_since(user, computed_at):
            return list(items)
    computed_at = timezone.now()
    items = todo_for(user)
    cache.set(key, (computed_at, tuple(items)), TODO_CACHE_SECONDS)
    return items


def _changed_since(user: User, moment: datetime) -> bool:
    from shouhu.web.audit.models import Action, AuditEntry

    changes = (Action.CREATE, Action.UPDATE, Action.CLOSE)  # 审计日志里改动了什么的操作
    return AuditEntry.objects.filter(actor_id=user.pk, at__gte=moment, action__in=changes).exists()
