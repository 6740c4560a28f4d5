"""个案的紧急提醒：重大变故（含强制报告）后 24 小时内须走访——站内通知村里的儿童主任（有账户的），
短信发到名册上儿童主任的电话（很多村的儿童主任只用电话联系）。不写儿童是谁，只说“一名儿童”和
须走访到位的时刻；谁、在哪，登录后在“24 小时内须走访”清单里看。
"""

from __future__ import annotations

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from shouhu.core.policy.wording import date_text
from shouhu.web.accounts.models import RosterMember, User
from shouhu.web.accounts.permissions import Role
from shouhu.web.cases.models import MajorChange
from shouhu.web.notify import Notice, emails_of, notices_send_on_commit, platform_link


def visit_due_notify(change: MajorChange) -> None:
    """在记下重大变故的事务里调用：提交后发出。"""
    held = change.case or change.entry  # 没有个案的儿童：名册登记所在的村
    assert held is not None
    division_id = held.division_id
    roster = RosterMember.objects.filter(
        duty=Role.CHILD_DIRECTOR, division_id=division_id, left_at__isnull=True
    )
    users = list(
        User.objects.filter(is_active=True, role=Role.CHILD_DIRECTOR)
        .filter(Q(division_id=division_id) | Q(roster_member__in=roster))
        .distinct()
    )
    phones = tuple(p for p in roster.values_list("phone", flat=True) if p)
    if not users and not phones:
        return
    due = timezone.localtime(change.visit_due_at)
    when = f"{date_text(due.date())} {due:%H:%M}"
    link = f"{reverse('case_work_list')}?list=visits_urgent"
    subject = f"【守护】紧急：一名儿童须在 {when} 前走访到位"
    body = "\n".join([
        "您负责的村（居）有一名儿童发生重大变故（或收到强制报告），须在 24 小时内走访到位。",
        f"须走访到位的时间：{when}。", "",
        f"请登录平台查看“24 小时内须走访”清单：{platform_link(link)}", "",
        "本通知由守护平台自动发送，不含任何个人信息。",
    ])  # fmt: skip
    sms = f"【守护】紧急：您负责的村有一名儿童须在{when}前走访到位，请登录平台查看。"
    notices_send_on_commit([
        Notice("visit_due_24h", emails_of(users), subject, body, users=tuple(u.pk for u in users),
               link=link, urgent=True, phones=phones, sms=sms),
    ])  # fmt: skip
