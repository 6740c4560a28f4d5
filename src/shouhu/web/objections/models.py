"""疑义校核（bayannur §4(五)）：使用部门对共享信息有疑义，反馈提供部门校核。

一条疑义针对一条事实（提出时的那个版本）。提供部门答复：核实无误（事实不变）、更正（写入新版本，
旧版本保留并标为非当前）或不予采纳；提出人也可以撤回。校核期间个案照常办理，什么都不阻塞。
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q


class ObjectionStatus(models.TextChoices):
    OPEN = "open", "待校核"
    CONFIRMED = "confirmed", "核实无误"
    CORRECTED = "corrected", "已更正"
    REJECTED = "rejected", "不予采纳"
    WITHDRAWN = "withdrawn", "已撤回"


class Objection(models.Model):
    fact = models.ForeignKey(
        "exchange.Fact", on_delete=models.PROTECT, related_name="objections", verbose_name="事实"
    )
    agency = models.ForeignKey(
        "accounts.Agency",
        on_delete=models.PROTECT,
        related_name="objections",
        verbose_name="提供部门",
        help_text="the fact's agency, kept here for the department's queue",
    )
    reason = models.TextField("疑义理由")
    raised_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="objections_raised"
    )
    raised_at = models.DateTimeField("提出时间")
    due_on = models.DateField("答复期限")
    status = models.CharField(
        "状态", max_length=10, choices=ObjectionStatus.choices, default=ObjectionStatus.OPEN
    )
    reply = models.TextField("答复", blank=True)
    answered_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField("答复时间", null=True, blank=True)
    resolved_at = models.DateTimeField("办结时间", null=True, blank=True)
    correction = models.OneToOneField(
        "exchange.Fact",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="correcting_objection",
        verbose_name="更正后的事实",
    )

    class Meta:
        verbose_name = "疑义"
        constraints = [
            # One open objection per person per fact: a second click does not queue twice.
            models.UniqueConstraint(
                fields=["fact", "raised_by"],
                condition=Q(status="open"),
                name="objection_one_open_per_user_fact",
            ),
            models.CheckConstraint(
                condition=Q(status="open", resolved_at__isnull=True)
                | (~Q(status="open") & Q(resolved_at__isnull=False)),
                name="objection_resolved_iff_closed",
            ),
            models.CheckConstraint(
                condition=Q(status="corrected", correction__isnull=False)
                | (~Q(status="corrected") & Q(correction__isnull=True)),
                name="objection_correction_iff_corrected",
            ),
        ]
        indexes = [
            models.Index(fields=["agency", "status", "due_on"]),
            models.Index(fields=["fact", "status"]),
            models.Index(fields=["raised_by", "raised_at"]),
        ]

    def __str__(self) -> str:
        return f"疑义#{self.pk}"
