"""Comparison runs and their findings (应纳未纳, 应退未退, changes, reviews, unlinked).

A run is reproducible from its record: the division it covered, the date it decided on, the
instant its data was read (`created_at`: facts and persons recorded later are not used), the
submissions whose facts it used, the rule-parameter version and the engine settings. Findings are
written in one transaction when the engine is done, so a run killed part-way has none and running
it again gives the same ones.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from shouhu.core.findings import KIND_LABELS


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
    job = models.ForeignKey(
        "jobs.Job", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    params_version = models.CharField("规则参数版本", max_length=64, blank=True)
    submission_ids = models.JSONField("所用报送批次", default=list, help_text="Submission ids")
    duration_ms = models.PositiveIntegerField("用时（毫秒）", null=True, blank=True)
    message = models.CharField("说明", max_length=200, blank=True, help_text="no personal data")
    # 模拟：基准日在发起当天之后（或用拟议的规则参数）。发现只供参考，不能办理，不进队列和统计。
    simulation = models.BooleanField("模拟运行", default=False)
    # 谁在跑、最近一次报告进度的时刻：命令行进程被杀掉后，下次发起或 worker 例行清理时据此
    # 把运行标为失败（comparison/stale.py），不会永远“运行中”。
    worker = models.CharField("执行进程", max_length=80, blank=True, help_text="host:pid:start")
    heartbeat_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "比对运行"
        indexes = [models.Index(fields=["division", "-created_at"])]


FindingKind = models.TextChoices(  # type: ignore[misc]
    "FindingKind", [(code.upper(), (code, label)) for code, label in KIND_LABELS.items()]
)


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
    orphan_type = models.CharField("孤儿类型", max_length=16, blank=True)
    decision = models.CharField(
        "认定结论", max_length=16, blank=True, help_text="eligible / not_eligible / needs_review"
    )
    reasons = models.JSONField(default=list, help_text='[{"code": …, "text": …}], no personal data')
    fact_ids = models.JSONField(default=list)
    links = models.JSONField(
        "关联方式", default=list, help_text='[{"fact_id": …, "method": …, "confidence": 0–100}]'
    )
    link_confidence = models.PositiveSmallIntegerField(null=True, blank=True, help_text="0–100")
    status = models.CharField(
        max_length=10, choices=FindingStatus.choices, default=FindingStatus.OPEN
    )
    resolved_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolution_code = models.CharField("处理原因代码", max_length=40, blank=True)
    resolution_reason = models.TextField(blank=True)
    outcome_case = models.ForeignKey(
        "cases.Case",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="the case opened, changed or closed when the finding was confirmed",
    )
    # 证据指纹：类型、结论、原因代码、所用事实及其关联方式、规则参数版本。与上一次已办理的发现
    # 相同，则沿用那次的决定（carried_from）；不同，则重新待处理并指向上一次（previous）。
    evidence_sha256 = models.CharField(max_length=64, blank=True)
    carried_from = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        help_text="the earlier finding whose decision holds, the evidence being unchanged",
    )  # fmt: skip
    previous = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        help_text="the last decided finding for this child and kind, when the evidence changed",
    )  # fmt: skip

    class Meta:
        verbose_name = "比对发现"
        indexes = [
            models.Index(fields=["run", "kind", "status"]),
            models.Index(fields=["run", "division"]),
        ]
        constraints = [
            # compare-format: each child appears at most once in a run's findings
            models.UniqueConstraint(
                fields=["run", "person"],
                condition=Q(person__isnull=False),
                name="finding_one_per_child_per_run",
            ),
            models.CheckConstraint(
                condition=~Q(status="dismissed") | ~Q(resolution_reason=""),
                name="finding_dismissed_with_reason",
            ),
        ]


class RuleSimulation(models.Model):
    """规则变更模拟：一套拟议参数在一次已完成的正式运行的数据快照上算一遍，与现行参数的结果
    相比。只存差异（各县计数和逐人结论），不写比对发现，不动个案，不能据以办理。"""

    run = models.ForeignKey(ComparisonRun, on_delete=models.PROTECT, related_name="simulations")
    division = models.ForeignKey("registry.Division", on_delete=models.PROTECT, related_name="+")
    name = models.CharField("方案名称", max_length=60)
    overrides = models.JSONField("拟议参数", default=dict, help_text="{parameter: value}")
    status = models.CharField(max_length=8, choices=RunStatus.choices, default=RunStatus.QUEUED)
    started_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    job = models.ForeignKey(
        "jobs.Job", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    params_before = models.CharField("现行参数版本", max_length=64, blank=True)
    params_after = models.CharField("拟议参数版本", max_length=64, blank=True)
    totals = models.JSONField("合计", default=dict)
    message = models.CharField("说明", max_length=200, blank=True, help_text="no personal data")

    class Meta:
        verbose_name = "规则变更模拟"
        indexes = [models.Index(fields=["division", "-created_at"])]


class SimulationCounty(models.Model):
    """一个县（区）的前后对比：各类发现条数（现行 → 拟议），新符合、不再符合条件的人数。"""

    simulation = models.ForeignKey(
        RuleSimulation, on_delete=models.CASCADE, related_name="counties"
    )
    division = models.ForeignKey("registry.Division", on_delete=models.PROTECT, related_name="+")
    before = models.JSONField("现行参数下", default=dict, help_text="{kind: count}")
    after = models.JSONField("拟议参数下", default=dict, help_text="{kind: count}")
    newly_eligible = models.PositiveIntegerField("新符合条件", default=0)
    no_longer_eligible = models.PositiveIntegerField("不再符合条件", default=0)
    changed = models.PositiveIntegerField("结论有变的儿童", default=0)

    class Meta:
        verbose_name = "规则变更模拟（县区）"
        constraints = [
            models.UniqueConstraint(
                fields=["simulation", "division"], name="simulation_county_once"
            )
        ]


class SimulationEffect(models.TextChoices):
    NEWLY_ELIGIBLE = "newly_eligible", "新符合条件"
    NO_LONGER_ELIGIBLE = "no_longer_eligible", "不再符合条件"
    CHANGED = "changed", "结论或理由有变"


class SimulationChild(models.Model):
    """一个儿童在两套参数下的结论（只有不同的才存）。kind 为空表示该参数下没有比对发现。"""

    simulation = models.ForeignKey(
        RuleSimulation, on_delete=models.CASCADE, related_name="children"
    )
    person = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="+")
    division = models.ForeignKey("registry.Division", on_delete=models.PROTECT, related_name="+")
    county = models.ForeignKey("registry.Division", on_delete=models.PROTECT, related_name="+")
    effect = models.CharField("影响", max_length=20, choices=SimulationEffect.choices)
    before_kind = models.CharField(max_length=8, blank=True)
    after_kind = models.CharField(max_length=8, blank=True)
    before_decision = models.CharField(max_length=16, blank=True)
    after_decision = models.CharField(max_length=16, blank=True)
    before_category = models.CharField(max_length=24, blank=True)
    after_category = models.CharField(max_length=24, blank=True)
    before_reasons = models.JSONField(default=list, help_text="reason codes")
    after_reasons = models.JSONField(default=list, help_text="reason codes")

    class Meta:
        verbose_name = "规则变更模拟（儿童）"
        indexes = [models.Index(fields=["simulation", "county", "effect"])]
