"""共享授权（grant）：哪个部门的哪些角色，为什么用途，可以看到哪个数据项的事实，看到多少。

授权是数据，由安全管理员维护；访问层（`web/access/disclosure.py`）每读一条事实都查它。
级别只有两档：`exists`（概况：有没有这种情况、对儿童意味着什么，如“父亲处于限制人身自由状态，
至2027年2月”——不含判决、法院、记录编号、病名）和 `detail`（详情）。没有授权就什么都看不到。
推送给部门的名单（share 类用途）用同一张表，`fields` 列出名单上允许带的派生字段。
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from shouhu.web.accounts.models import AgencyType
from shouhu.web.audit.models import Purpose


class DisclosureLevel(models.TextChoices):
    EXISTS = "exists", "概况"
    DETAIL = "detail", "详情"


class Grant(models.Model):
    agency_type = models.CharField("部门类型", max_length=32, choices=AgencyType.choices)
    agency = models.ForeignKey(
        "accounts.Agency", on_delete=models.PROTECT, null=True, blank=True, related_name="grants",
        verbose_name="部门", help_text="为空表示该类型的所有部门",
    )  # fmt: skip
    item_code = models.CharField("数据项", max_length=64)
    purpose = models.CharField("用途", max_length=24, choices=Purpose.choices)
    roles = models.JSONField("角色", default=list)
    level = models.CharField("可见程度", max_length=8, choices=DisclosureLevel.choices)
    fields = models.JSONField("推送名单可带的字段", default=list, blank=True)
    valid_until = models.DateField("有效期至", null=True, blank=True)
    basis = models.CharField("依据", max_length=200, blank=True)
    created_at = models.DateTimeField("授权时间", auto_now_add=True)
    created_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField("撤销时间", null=True, blank=True)
    revoked_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = "共享授权"
        indexes = [models.Index(fields=["agency_type", "item_code"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(level__in=["exists", "detail"]), name="grant_level_known"
            )
        ]

    def __str__(self) -> str:
        return f"授权#{self.pk}"
