"""推送名单：县级民政按用途推送给一个部门的保障中儿童，和部门对每名儿童的反馈。

同一部门同一用途的名单依次编号：第 1 份是全量（当时保障中的全部儿童），以后每份只列变动——
新纳入这一用途的（新增）和已退出保障或不再属于这一用途的（停止：告诉部门停办什么；
每种用途列哪些儿童见 scopes.py）。名单上每名儿童带哪些字段，
由发布时有效的共享授权（`grants.Grant.fields`）决定，记在名单上（`fields`），取值记在
名单行上（`data`，即推送出去的内容）。
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from shouhu.web.audit.models import Purpose


class ChangeKind(models.TextChoices):
    ENROL = "enrol", "新增"
    EXIT = "exit", "停止"


class Outcome(models.TextChoices):
    DONE = "done", "已办理"
    NOT_APPLICABLE = "not_applicable", "不适用"
    COULD_NOT = "could_not", "未能办理"


class Channel(models.TextChoices):
    WEB = "web", "网页填写"
    FILE = "file", "上传名单"
    API = "api", "系统接口"


class ShareList(models.Model):
    division = models.ForeignKey(
        "registry.Division", on_delete=models.PROTECT, related_name="+", verbose_name="发布的县"
    )
    agency = models.ForeignKey(
        "accounts.Agency", on_delete=models.PROTECT, related_name="share_lists",
        verbose_name="接收部门",
    )  # fmt: skip
    purpose = models.CharField("用途", max_length=24, choices=Purpose.choices)
    number = models.PositiveIntegerField("第几份")
    full = models.BooleanField("全量", default=False)
    fields = models.JSONField("名单上的字段", default=list)
    published_at = models.DateTimeField("发布时间", auto_now_add=True)
    published_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    due_on = models.DateField("反馈截止日")
    enrol_count = models.PositiveIntegerField("新增人数", default=0)
    exit_count = models.PositiveIntegerField("停止人数", default=0)

    class Meta:
        verbose_name = "推送名单"
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "purpose", "number"], name="share_list_numbered"
            )
        ]

    def __str__(self) -> str:
        return f"推送名单#{self.pk}"

    @property
    def entry_count(self) -> int:
        return self.enrol_count + self.exit_count


class ShareEntry(models.Model):
    share_list = models.ForeignKey(ShareList, on_delete=models.PROTECT, related_name="entries")
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="+")
    child = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="+")
    change = models.CharField("变动", max_length=8, choices=ChangeKind.choices)
    data = models.JSONField("推送的字段值", default=dict)

    class Meta:
        verbose_name = "推送名单行"
        indexes = [models.Index(fields=["child"])]

    @property
    def ref(self) -> str:
        """名单编号：部门据此反馈（导出的名单、接口里都有）。"""
        return f"{self.share_list_id}-{self.pk}"


class FeedbackBatch(models.Model):
    """一次上传的反馈文件或一次接口提交：同一文件（内容）、同一幂等键只入一次。"""

    share_list = models.ForeignKey(ShareList, on_delete=models.PROTECT, related_name="batches")
    channel = models.CharField("方式", max_length=8, choices=Channel.choices)
    filename = models.CharField("文件名", max_length=200, blank=True)
    content_sha256 = models.CharField("内容哈希", max_length=64)
    idempotency_key = models.CharField("幂等键", max_length=100, blank=True)
    rows = models.PositiveIntegerField("反馈行数", default=0)
    changed = models.PositiveIntegerField("新记或改动的", default=0)
    recorded_at = models.DateTimeField("时间", auto_now_add=True)
    recorded_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = "反馈批次"
        constraints = [
            models.UniqueConstraint(
                fields=["share_list", "content_sha256"], condition=Q(channel="file"),
                name="share_feedback_file_once",
            ),
            models.UniqueConstraint(
                fields=["share_list", "idempotency_key"], condition=~Q(idempotency_key=""),
                name="share_feedback_key_once",
            ),
        ]  # fmt: skip


class ShareFeedback(models.Model):
    """部门对名单上一名儿童现在的反馈（可以改正：改正前的每一次留在 ShareFeedbackEarlier）。"""

    entry = models.OneToOneField(ShareEntry, on_delete=models.CASCADE, related_name="feedback")
    outcome = models.CharField("办理情况", max_length=16, choices=Outcome.choices)
    done_on = models.DateField("办理日期", null=True, blank=True)
    reference = models.CharField("办理编号", max_length=60, blank=True)
    reason = models.CharField("原因", max_length=200, blank=True)
    channel = models.CharField("方式", max_length=8, choices=Channel.choices)
    batch = models.ForeignKey(
        FeedbackBatch, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField("反馈时间")
    recorded_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = "推送名单反馈"
        constraints = [
            models.CheckConstraint(
                condition=~Q(outcome="done") | Q(done_on__isnull=False),
                name="share_feedback_done_dated",
            ),
            models.CheckConstraint(
                condition=~Q(outcome="could_not") | ~Q(reason=""),
                name="share_feedback_could_not_reason",
            ),
        ]


class ShareFeedbackEarlier(models.Model):
    """被改正的反馈：谁、何时、以什么方式记的什么，何时被谁改掉——部门改正反馈不抹掉以前的。"""

    entry = models.ForeignKey(ShareEntry, on_delete=models.CASCADE, related_name="earlier")
    outcome = models.CharField("办理情况", max_length=16, choices=Outcome.choices)
    done_on = models.DateField("办理日期", null=True, blank=True)
    reference = models.CharField("办理编号", max_length=60, blank=True)
    reason = models.CharField("原因", max_length=200, blank=True)
    channel = models.CharField("方式", max_length=8, choices=Channel.choices)
    batch = models.ForeignKey(
        FeedbackBatch, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField("反馈时间")
    recorded_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    replaced_at = models.DateTimeField("改正时间")
    replaced_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = "改正前的反馈"
        indexes = [models.Index(fields=["entry", "recorded_at"])]
