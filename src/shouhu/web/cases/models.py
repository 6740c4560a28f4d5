"""The register (台账): one case per child (一人一档), opened and closed with written reasons."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from shouhu.core.policy.vocabulary import CATEGORY_LABELS, ORPHAN_TYPE_LABELS

Category = models.TextChoices(  # type: ignore[misc]
    "Category", [(code.upper(), (code, label)) for code, label in CATEGORY_LABELS.items()]
)


OrphanType = models.TextChoices(  # type: ignore[misc]
    "OrphanType", [(code.upper(), (code, label)) for code, label in ORPHAN_TYPE_LABELS.items()]
)


class CaseStatus(models.TextChoices):
    ACTIVE = "active", "保障中"
    CLOSED = "closed", "已终止"


class RiskLevel(models.TextChoices):
    HIGH = "high", "高风险"
    KEY = "key", "重点"
    GENERAL = "general", "一般"


class Case(models.Model):
    child = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="cases")
    category = models.CharField("类别", max_length=24, choices=Category.choices)
    orphan_type = models.CharField(
        "孤儿类型", max_length=16, choices=OrphanType.choices, blank=True
    )
    status = models.CharField(
        "状态", max_length=8, choices=CaseStatus.choices, default=CaseStatus.ACTIVE
    )
    risk_level = models.CharField(
        "风险等级", max_length=8, choices=RiskLevel.choices, default=RiskLevel.GENERAL
    )
    division = models.ForeignKey(
        "registry.Division", on_delete=models.PROTECT, related_name="cases"
    )
    opened_on = models.DateField("纳入保障日期")
    opened_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    closed_on = models.DateField("终止保障日期", null=True, blank=True)
    closed_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    close_reason_code = models.CharField("终止原因代码", max_length=40, blank=True)
    close_reason = models.TextField("终止理由（书面说明）", blank=True)

    class Meta:
        verbose_name = "个案"
        constraints = [
            models.UniqueConstraint(
                fields=["child"], condition=Q(status="active"), name="case_one_active_per_child"
            ),
            models.CheckConstraint(
                condition=Q(status="active") | (~Q(close_reason="") & Q(closed_on__isnull=False)),
                name="case_closed_with_written_reason",
            ),
        ]
