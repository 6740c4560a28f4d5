"""Comparison runs and their findings (应纳未纳, 应退未退, changes, reviews, unlinked)."""

from __future__ import annotations

from django.db import models


class RunStatus(models.TextChoices):
    QUEUED = "queued", "排队中"
    RUNNING = "running", "运行中"
    DONE = "done", "已完成"
    FAILED = "failed", "失败"


class ComparisonRun(models.Model):
    as_of = models.DateField("比对基准日")
    status = models.CharField(max_length=8, choices=RunStatus.choices, default=RunStatus.QUEUED)
    started_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, related_name="+"
    )
    division = models.ForeignKey("registry.Division", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    settings = models.JSONField(default=dict, help_text="engine, thresholds, parameter versions")
    counts = models.JSONField(default=dict)
    progress = models.PositiveSmallIntegerField(default=0, help_text="0–100")

    class Meta:
        verbose_name = "比对运行"


class FindingKind(models.TextChoices):
    ENROL = "enrol", "应纳未纳"
    EXIT = "exit", "应退未退"
    CHANGE = "change", "类别变更"
    REVIEW = "review", "需人工核查"
    UNLINKED = "unlinked", "无法匹配"


class FindingStatus(models.TextChoices):
    OPEN = "open", "待处理"
    CONFIRMED = "confirmed", "已确认"
    DISMISSED = "dismissed", "已驳回"


class Finding(models.Model):
    run = models.ForeignKey(ComparisonRun, on_delete=models.CASCADE, related_name="findings")
    kind = models.CharField("类型", max_length=8, choices=FindingKind.choices)
    person = models.ForeignKey(
        "registry.Person", on_delete=models.PROTECT, null=True, blank=True, related_name="findings"
    )
    case = models.ForeignKey(
        "cases.Case", on_delete=models.PROTECT, null=True, blank=True, related_name="findings"
    )
    division = models.ForeignKey("registry.Division", on_delete=models.PROTECT, related_name="+")
    category = models.CharField(max_length=24, blank=True)
    reasons = models.JSONField(default=list)
    fact_ids = models.JSONField(default=list)
    link_confidence = models.PositiveSmallIntegerField(null=True, blank=True, help_text="0–100")
    status = models.CharField(
        max_length=10, choices=FindingStatus.choices, default=FindingStatus.OPEN
    )
    resolved_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolution_reason = models.TextField(blank=True)

    class Meta:
        verbose_name = "比对发现"
        indexes = [models.Index(fields=["run", "kind", "status"])]
