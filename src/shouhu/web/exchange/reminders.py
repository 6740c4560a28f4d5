"""报送提醒：截止前 REMIND_DAYS 天起，到报送为止，每天一条给部门的数据报送员（站内消息，有邮箱的
也发邮件）；有逾期的是催报，另发一条短信给部门的联系电话。

邮件只列数据项、月份、截止日和状态（数据项名称和日期不是个人信息）。由调度器每天早上排一次
（jobs/schedule.py 的 "reminders.daily"），发信经 notify.py。
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from django.conf import settings
from django.urls import reverse

from shouhu.web.accounts.models import Agency, User
from shouhu.web.accounts.permissions import Right, roles_with
from shouhu.web.exchange.deadlines import Obligation, ObligationStatus, month_add
from shouhu.web.exchange.selectors import OPEN, obligations_for
from shouhu.web.notify import Notice, emails_of, platform_link


def submission_reminders(today: date) -> list[Notice]:
    """今天该提醒的：每个部门一条，收件人是该部门在职的数据报送员。"""
    recipients: dict[int, list[User]] = defaultdict(list)
    submitters = User.objects.filter(
        is_active=True, role__in=roles_with(Right.SUBMIT), agency__isnull=False
    )
    for user in submitters.only("pk", "email", "agency_id"):
        assert user.agency_id is not None
        recipients[user.agency_id].append(user)
    agencies = list(Agency.objects.filter(pk__in=recipients))
    # 上个月（通常本月 5 日截止）和更早还欠着的月份
    periods = [month_add(today.replace(day=1), -n) for n in (3, 2, 1)]
    horizon = today + timedelta(days=settings.REMIND_DAYS)
    owed: dict[int, list[Obligation]] = defaultdict(list)
    for o in obligations_for(agencies=agencies, periods=periods, today=today):
        if o.status in OPEN and o.due <= horizon:
            owed[o.agency_id].append(o)
    by_pk = {a.pk: a for a in agencies}
    return [
        _notice(by_pk[agency_id], recipients[agency_id], items, today)
        for agency_id, items in sorted(owed.items())
    ]


def _notice(to_agency: Agency, users: list[User], items: list[Obligation], today: date) -> Notice:
    agency = to_agency.name
    overdue = sum(1 for o in items if o.status == ObligationStatus.MISSING)
    subject = f"【守护】{agency}：{len(items)} 项数据待报送" + (
        f"，其中 {overdue} 项已逾期" if overdue else ""
    )
    lines = [f"{agency}：", "", "以下数据项尚未报送："]
    for o in sorted(items, key=lambda o: (o.due, o.item_name)):
        state = (
            "已逾期" if o.status == ObligationStatus.MISSING else f"还有 {(o.due - today).days} 天"
        )
        lines.append(f"- {o.item_name}（{o.period.year}年{o.period.month}月的数据，"
                     f"{o.due.month}月{o.due.day}日截止，{state}）")  # fmt: skip
    lines += ["", f"请登录平台报送：{platform_link(reverse('exchange_home'))}",
              "没有应报数据的月份，也请在平台上作“零报告”。", "",
              "本邮件由守护平台自动发送，不含任何个人信息。"]  # fmt: skip
    return Notice(
        "submission_due", emails_of(users), subject, "\n".join(lines),
        users=tuple(u.pk for u in users), link=reverse("exchange_home"), urgent=bool(overdue),
        phones=(to_agency.contact_phone,),
        sms=f"【守护】催报：{agency}有 {overdue} 项数据逾期未报送，请尽快登录平台报送。",
    )  # fmt: skip
