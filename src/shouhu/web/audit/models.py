"""The tamper-evident audit log (信息使用日志): who saw, exported or changed what, when and why.

Entries form a hash chain: `hash = SHA-256(canonical(entry) including prev_hash)`, with `seq`
numbered without gaps from 1. `AuditHead` holds the last seq and hash; appending locks it, so
entries are strictly ordered on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

from django.db import models


class Action(models.TextChoices):
    VIEW = "view", "查看"
    SEARCH = "search", "查询"
    EXPORT = "export", "导出"
    CREATE = "create", "新增"
    UPDATE = "update", "修改"
    CLOSE = "close", "终止"
    ASSESS = "assess", "资格评估"
    DENY = "deny", "拒绝访问"
    LOGIN = "login", "登录"
    LOGIN_FAILED = "login_failed", "登录失败"
    LOCKOUT = "lockout", "账户锁定"
    LOGOUT = "logout", "退出"


class Purpose(models.TextChoices):
    CASE_WORK = "case_work", "个案办理"
    DETERMINATION = "determination", "资格认定"
    COMPARISON = "comparison", "数据比对"
    SUBMISSION = "submission", "数据报送"
    STATISTICS = "statistics", "统计分析"
    AUDIT = "audit", "安全审计"
    ADMINISTRATION = "administration", "系统管理"
    AUTHENTICATION = "authentication", "身份认证"


class AuditEntry(models.Model):
    seq = models.BigIntegerField("序号", primary_key=True)
    at = models.DateTimeField("时间")
    actor_id = models.BigIntegerField("用户ID", null=True, blank=True)
    actor_username = models.CharField("用户名", max_length=150, blank=True)
    role = models.CharField("角色", max_length=32, blank=True)
    agency = models.CharField("部门", max_length=100, blank=True)
    division_code = models.CharField("区划", max_length=12, blank=True)
    action = models.CharField("操作", max_length=16, choices=Action.choices)
    object_type = models.CharField("对象类型", max_length=32, blank=True)
    object_id = models.CharField("对象", max_length=64, blank=True)
    purpose = models.CharField("用途", max_length=16, choices=Purpose.choices)
    client_ip = models.CharField("客户端地址", max_length=45, blank=True)
    detail = models.JSONField("说明", default=dict, help_text="never personal data")
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = "审计日志"
        ordering = ["seq"]
        indexes = [
            models.Index(fields=["object_type", "object_id"]),
            models.Index(fields=["actor_id", "at"]),
        ]


class AuditHead(models.Model):
    """A single row: the chain's tip. Locked while appending so that seq has no gaps or races."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_seq = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="0" * 64)
