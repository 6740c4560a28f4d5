"""统计报表（上报）：每个县区每月、每季一份，逐级上报——县区报市，市报省；上级审核通过后锁定，
退回须说明理由，改后再报。报表里只有数字。"""

from __future__ import annotations

from django.db import models
from django.db.models import Q


class PeriodKind(models.TextChoices):
    MONTH = "month", "月报"
    QUARTER = "quarter", "季报"


class ReportStatus(models.TextChoices):
    SUBMITTED = "submitted", "待上级审核"
    RETURNED = "returned", "已退回"
    APPROVED = "approved", "已审核通过"


class StatReport(models.Model):
    division = models.ForeignKey(
        "registry.Division", on_delete=models.PROTECT, related_name="stat_reports"
    )
    period_kind = models.CharField("报表周期", max_length=8, choices=PeriodKind.choices)
    period_start = models.DateField("所属期起")
    period_end = models.DateField("所属期止")
    figures = models.JSONField("数字", default=dict, help_text="{code: count}, no personal data")
    status = models.CharField("状态", max_length=10, choices=ReportStatus.choices)
    submitted_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+", verbose_name="上报人"
    )
    submitted_at = models.DateTimeField("上报时间")
    decided_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField("审核时间", null=True, blank=True)
    return_reason = models.TextField("退回理由", blank=True)

    class Meta:
        verbose_name = "统计报表"
        constraints = [
            models.UniqueConstraint(
                fields=["division", "period_kind", "period_start"], name="stat_report_once"
            ),
            models.CheckConstraint(
                condition=~Q(status="returned") | ~Q(return_reason=""),
                name="stat_report_returned_with_reason",
            ),
        ]
