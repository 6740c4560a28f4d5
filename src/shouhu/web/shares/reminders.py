"""推送名单的反馈提醒：截止前 REMIND_DAYS 天起，到全部反馈为止，每天一封给接收部门的部门用户
（站内消息，有邮箱的也发邮件）。和报送提醒同一个每天的任务（exchange.jobs 的报送提醒），
经 notify.py 发出。

邮件只有部门、用途、第几份、待反馈的人数和截止日，不含儿童的任何信息。
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from django.conf import settings
from django.db.models import Count, Q
from django.urls import reverse

from shouhu.web.accounts.models import User
from shouhu.web.accounts.permissions import Role
from shouhu.web.notify import Notice, emails_of, platform_link
from shouhu.web.shares.models import ShareList
from shouhu.web.shares.selectors import purpose_label


def share_reminders(today: date) -> list[Notice]:
    recipients: dict[int, list[User]] = defaultdict(list)
    users = User.objects.filter(is_active=True, role=Role.DEPARTMENT_USER, agency__isnull=False)
    for user in users.only("pk", "email", "agency_id"):
        assert user.agency_id is not None
        recipients[user.agency_id].append(user)
    horizon = today + timedelta(days=settings.REMIND_DAYS)
    lists = (
        ShareList.objects.filter(agency_id__in=recipients, due_on__lte=horizon)
        .annotate(waiting=Count("entries", filter=Q(entries__feedback__isnull=True)))
        .filter(waiting__gt=0)
        .select_related("agency")
        .order_by("agency_id", "due_on", "pk")
    )
    by_agency: dict[int, list[ShareList]] = defaultdict(list)
    for share_list in lists:
        by_agency[share_list.agency_id].append(share_list)
    return [_notice(items, recipients[agency_id], today) for agency_id, items in by_agency.items()]


def _notice(items: list[ShareList], users: list[User], today: date) -> Notice:
    agency = items[0].agency.name
    late = sum(1 for item in items if item.due_on < today)
    subject = f"【守护】{agency}：{len(items)} 份推送名单待反馈" + (
        f"，其中 {late} 份已逾期" if late else ""
    )
    lines = [f"{agency}：", "", "民政部门推送的以下名单还有儿童没有反馈办理情况："]
    for item in items:
        due = item.due_on
        state = "已逾期" if due < today else f"还有 {(due - today).days} 天"
        waiting = item.waiting  # type: ignore[attr-defined]
        label = purpose_label(item.purpose)
        lines.append(f"- {label}名单第 {item.number} 份：{waiting} 名儿童待反馈"
                     f"（{due.month}月{due.day}日截止，{state}）")  # fmt: skip
    lines += ["", f"请登录平台逐人反馈：{platform_link(reverse('share_home'))}", "",
              "本邮件由守护平台自动发送，不含任何个人信息。"]  # fmt: skip
    return Notice("share_feedback_due", emails_of(users), subject, "\n".join(lines),
                  users=tuple(u.pk for u in users), link=reverse("share_home"))  # fmt: skip
