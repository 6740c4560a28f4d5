"""查询记录：两边各记一份，谁、为什么（用途、个案）、问了几人、几人在部门名单中。不存姓名和号码。"""

from __future__ import annotations

from django.db import models

from shouhu.web.audit.models import Purpose


class Direction(models.TextChoices):
    ASKED = "asked", "本单位提出的查询"
    ANSWERED = "answered", "本单位答复的查询"


class QueryLog(models.Model):
    direction = models.CharField("方向", max_length=8, choices=Direction.choices)
    item_code = models.CharField("数据项", max_length=64)
    purpose = models.CharField("用途", max_length=32, choices=Purpose.choices)
    agency = models.ForeignKey(
        "accounts.Agency", on_delete=models.PROTECT, related_name="+", null=True, blank=True,
        help_text="answered: the asking agency; asked: our own agency",
    )  # fmt: skip
    user = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    credential_prefix = models.CharField("接口凭证", max_length=16, blank=True)
    peer = models.CharField("对方", max_length=200, blank=True)
    case_refs = models.JSONField("个案", default=list, blank=True)
    persons = models.PositiveIntegerField("询问人数", default=0)
    found = models.PositiveIntegerField("在名单中", default=0)
    in_force = models.PositiveIntegerField("在执行", default=0)
    at = models.DateTimeField("时间", auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = "查询记录"
        ordering = ["-at"]
