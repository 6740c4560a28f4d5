"""联席会议任务（sixian 附件“重点任务分工表”，weifang 联席会议成员单位职责分工）：一项任务有
牵头单位和配合单位、完成时限、状态和进展（可附佐证材料的说明）。只有工作事项，没有个人信息。
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class TaskStatus(models.TextChoices):
    NOT_STARTED = "not_started", "未开始"
    IN_PROGRESS = "in_progress", "进行中"
    DONE = "done", "已完成"
    OVERDUE = (
        "overdue",
        "逾期",
    )  # 不存储：过了完成时限还没完成的，显示为逾期（selectors.shown_status）


class JointTask(models.Model):
    division = models.ForeignKey(
        "registry.Division",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="联席会议所在区划",
    )
    title = models.CharField("工作任务", max_length=300)
    lead = models.ForeignKey(
        "accounts.Agency",
        on_delete=models.PROTECT,
        related_name="led_tasks",
        verbose_name="牵头单位",
    )
    cooperating = models.ManyToManyField(
        "accounts.Agency", related_name="cooperating_tasks", blank=True, verbose_name="配合单位"
    )
    due_on = models.DateField("完成时限")
    status = models.CharField(
        "状态", max_length=16, choices=TaskStatus.choices, default=TaskStatus.NOT_STARTED
    )
    created_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("创建时间", default=timezone.now)
    done_at = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta:
        verbose_name = "联席会议任务"
        indexes = [models.Index(fields=["division", "status", "due_on"])]

    def __str__(self) -> str:
        return f"任务#{self.pk}"


class TaskNote(models.Model):
    """一次进展：写了什么、佐证材料（文字说明即可，如“县医保局 2020 年 9 号文”）、之后的状态。"""

    task = models.ForeignKey(JointTask, on_delete=models.CASCADE, related_name="notes")
    text = models.TextField("进展情况")
    evidence = models.CharField("佐证材料", max_length=500, blank=True)
    status = models.CharField("更新后的状态", max_length=16, choices=TaskStatus.choices)
    agency = models.ForeignKey(
        "accounts.Agency", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    written_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    written_at = models.DateTimeField("时间", default=timezone.now)

    class Meta:
        verbose_name = "任务进展"
        ordering = ["-written_at", "-pk"]
