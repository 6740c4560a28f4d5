"""比对完成后的提醒：本县区的民政经办人员，“比对发现 N 条待处理”（只有数量，发现是谁登录后看）。"""

from __future__ import annotations

from django.urls import reverse

from shouhu.web.accounts.models import User
from shouhu.web.accounts.permissions import Role
from shouhu.web.comparison.models import ComparisonRun
from shouhu.web.notify import Notice, emails_of, notices_send_on_commit, platform_link


def findings_waiting_notify(run: ComparisonRun, waiting: int) -> None:
    """在写入发现的事务里调用：提交后发出；没有待处理的发现不提醒。"""
    if not waiting:
        return
    users = list(
        User.objects.filter(is_active=True, role=Role.CASEWORKER, division_id=run.division_id)
    )
    if not users:
        return
    link = f"{reverse('comparison_findings')}?run={run.pk}&status=open"
    subject = f"【守护】比对完成：{waiting} 条比对发现待处理（基准日 {run.as_of:%Y-%m-%d}）"
    body = (f"本县区的数据比对（基准日 {run.as_of:%Y-%m-%d}）已完成，有 {waiting} 条发现待处理"
            f"（应纳未纳、应退未退等）。\\n\\n请登录平台处理：{platform_link(link)}")  # fmt: skip
    notices_send_on_commit([Notice("findings_waiting", emails_of(users), subject, body,
                                   users=tuple(u.pk for u in users), link=link)])  # fmt: skip
