"""按时发布推送名单：每月一次（SHOUHU_SHARE_PUBLISH_DAY 日，缺省 7 日，即每月比对的次日；0 为不按时
发布），由唯一的定时器（jobs/schedule.py 的 shares.publish）排上。每个县、每个已经发过第一份名单
的（部门, 用途）发布下一份——只有新增或停止的儿童时才发；发了的，经 notify.py 告诉接收部门的部门
用户（站内消息，有邮箱的也发邮件；只写用途、第几份和人数，不含儿童信息）。

第一份是全量名单，一次交出本县保障中的全部儿童：不因为有了授权就自动发出，由县级民政经办人员
核对后发布（待办里列出有授权、尚未发布第一份的）。
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.urls import reverse

from shouhu.core.catalog import purpose_label
from shouhu.web.accounts.models import User
from shouhu.web.accounts.permissions import Role
from shouhu.web.audit.context import RequestContext
from shouhu.web.jobs.models import Job
from shouhu.web.jobs.registry import Progress
from shouhu.web.notify import Notice, emails_of, notices_send, platform_link
from shouhu.web.registry.models import Division
from shouhu.web.shares.models import ShareList
from shouhu.web.shares.selectors import receivers_started
from shouhu.web.shares.services import share_list_publish_if_changed


def share_lists_publish_due() -> list[ShareList]:
    """为每个县、每个有授权且发过第一份的（部门, 用途）发布有变动的名单；返回发布了的。"""
    published = []
    counties = Division.objects.filter(pk__in=ShareList.objects.values("division_id")).order_by(
        "pk"
    )
    for county in counties:
        going, _ = receivers_started(county)
        for receiver in going:
            ctx = RequestContext(user=None, client_ip="", purpose=receiver.purpose)
            share_list = share_list_publish_if_changed(
                ctx=ctx, division=county, agency=receiver.agency, purpose=receiver.purpose,
                fields=receiver.fields,
            )  # fmt: skip
            if share_list is not None:
                published.append(share_list)
    return published


def share_published_notices(published: list[ShareList]) -> list[Notice]:
    by_agency: dict[int, list[ShareList]] = defaultdict(list)
    for share_list in published:
        by_agency[share_list.agency_id].append(share_list)
    users = User.objects.filter(is_active=True, role=Role.DEPARTMENT_USER,
                                agency_id__in=by_agency, credential__isnull=True)  # fmt: skip
    recipients: dict[int, list[User]] = defaultdict(list)
    for user in users.only("pk", "email", "agency_id"):
        assert user.agency_id is not None
        recipients[user.agency_id].append(user)
    notices = []
    for agency_id, lists in by_agency.items():
        if not recipients[agency_id]:
            continue
        agency = lists[0].agency.name
        lines = [f"{agency}：", "", "民政部门发布了新的推送名单，请逐人办理并反馈："]
        for item in lists:
            kind = "全量" if item.full else "变动"
            lines.append(f"- {purpose_label(item.purpose)}名单第 {item.number} 份（{kind}）："
                         f"新增 {item.enrol_count} 人，停止 {item.exit_count} 人，"
                         f"{item.due_on.month}月{item.due_on.day}日前反馈")  # fmt: skip
        link = reverse("share_list", args=[lists[0].pk]) if len(lists) == 1 else reverse(
            "share_home")  # fmt: skip
        lines += ["", f"请登录平台查看：{platform_link(link)}", "",
                  "本邮件由守护平台自动发送，不含任何个人信息。"]  # fmt: skip
        people = recipients[agency_id]
        notices.append(Notice(
            "share_list_published", emails_of(people),
            f"【守护】{agency}：{len(lists)} 份新的推送名单", "\n".join(lines),
            users=tuple(u.pk for u in people), link=link,
        ))  # fmt: skip
    return notices


def handle_share_publish(job: Job, progress: Progress) -> dict[str, Any]:
    period = str(job.payload["period"])
    published = share_lists_publish_due()
    delivery = notices_send(share_published_notices(published))
    return {"period": period, "lists": [s.pk for s in published], "inbox": delivery.inbox,
            "message": f"发布了 {len(published)} 份推送名单"}  # fmt: skip
