"""站内通知（铃铛）：notify.py 发出的每一条提醒，在收件人的站内消息里也有一条。

和邮件一样只写事项、数量、日期和编号（“一名儿童”“3 项数据”），不写儿童或家庭的任何信息——
消息列表不经授权检查，所以里面不能有要授权才能看的东西。
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class Notification(models.Model):
    user = models.ForeignKey(
        "accounts.User", on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField("种类", max_length=40)  # 如 "objection_answered"，只用于统计，不显示
    title = models.CharField("标题", max_length=200)
    body = models.TextField("内容", blank=True)
    link = models.CharField("办理的地方", max_length=300, blank=True)  # 站内路径
    urgent = models.BooleanField("紧急", default=False)
    created_at = models.DateTimeField("时间", default=timezone.now)
    read_at = models.DateTimeField("已读时间", null=True, blank=True)

    class Meta:
        verbose_name = "站内通知"
        indexes = [
            models.Index(fields=["user", "read_at"]),
            models.Index(fields=["user", "-created_at"]),
        ]

    def __str__(self) -> str:
        return f"通知#{self.pk}"
