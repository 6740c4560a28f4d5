"""Departments (agencies) and users, each at an administrative division."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models

from shouhu.core.catalog import AGENCY_LABELS
from shouhu.web.accounts.permissions import Role

# 部门类型：代码和中文名都来自 core 的 AGENCY_LABELS（一处定义）。
AgencyType = models.TextChoices(  # type: ignore[misc]
    "AgencyType", [(code.upper(), (code, label)) for code, label in AGENCY_LABELS.items()]
)


class Agency(models.Model):
    """A department (部门) at a division: the civil-affairs bureau of 临河区, its court, …"""

    name = models.CharField("名称", max_length=100)
    agency_type = models.CharField("部门类型", max_length=32, choices=AgencyType.choices)
    division = models.ForeignKey(
        "registry.Division", on_delete=models.PROTECT, related_name="agencies", verbose_name="区划"
    )

    class Meta:
        verbose_name = "部门"
        constraints = [
            models.UniqueConstraint(
                fields=["agency_type", "division"], name="agency_one_per_type_division"
            )
        ]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """A person who signs in. Sees only the subtree of `division`, with the rights of `role`."""

    full_name = models.CharField("姓名", max_length=50, blank=True)
    role = models.CharField("角色", max_length=32, choices=Role.choices)
    agency = models.ForeignKey(
        Agency,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        verbose_name="所属部门",
    )
    division = models.ForeignKey(
        "registry.Division", on_delete=models.PROTECT, related_name="users", verbose_name="管辖区划"
    )
    failed_logins = models.PositiveSmallIntegerField("连续登录失败次数", default=0)
    locked_until = models.DateTimeField("锁定至", null=True, blank=True)

    REQUIRED_FIELDS = ["role", "division"]

    class Meta:
        verbose_name = "用户"

    def __str__(self) -> str:
        return self.username


class SystemCredential(models.Model):
    """A department system's API credential (系统接口凭证), scoped to its agency and some items.

    The token is shown once, at creation; only its SHA-256 is stored, with a short random prefix
    to find it. Tokens are 256-bit random, so a fast hash is enough (a slow one would only cost
    every API call). Each credential acts through its own service account (`account`), a user
    who cannot sign in, so that audit entries and receipts name the system like any other actor.
    """

    name = models.CharField("名称", max_length=100)
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="credentials", verbose_name="所属部门"
    )
    item_codes = models.JSONField("可报送的数据项", default=list)
    account = models.OneToOneField(
        User, on_delete=models.PROTECT, related_name="credential", verbose_name="服务账户"
    )
    token_prefix = models.CharField("令牌前缀", max_length=16, unique=True)
    token_sha256 = models.CharField("令牌哈希", max_length=64)
    created_at = models.DateTimeField("签发时间", auto_now_add=True)
    created_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    last_used_at = models.DateTimeField("最近使用", null=True, blank=True)
    revoked_at = models.DateTimeField("吊销时间", null=True, blank=True)

    class Meta:
        verbose_name = "系统接口凭证"

    def __str__(self) -> str:
        return f"{self.name}（{self.token_prefix}）"
