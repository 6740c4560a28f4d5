"""离线走访：手机上记录、联网后上传的每一条记录的回执，和探访照片。

回执（`SyncReceipt`）以手机生成的编号（UUID）为键，唯一：同一条记录无论上传几次（网络中断后
重发、两台手机……），服务器上只有一条。照片存为数据目录下的文件（`field/photos.py`），这里只
记文件名、大小和哈希；读照片经访问层（`access_visit_photo`）。
"""

from __future__ import annotations

from django.db import models


class RecordKind(models.TextChoices):
    VISIT = "visit", "探访"
    REVIEW = "review", "核查"
    REPORT = "report", "强制报告"


class SyncReceipt(models.Model):
    client_ref = models.UUIDField("手机上的记录编号", unique=True)
    kind = models.CharField("记录类别", max_length=8, choices=RecordKind.choices)
    object_id = models.BigIntegerField("记录编号")  # 探访、核查或强制报告的主键
    # 个案的记录，或没有个案的名册儿童的（记在名册登记上）
    case = models.ForeignKey(
        "cases.Case", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    entry = models.ForeignKey(
        "cases.RegisterEntry", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    user = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField("手机上记录的时间")
    received_at = models.DateTimeField("上传时间", auto_now_add=True)
    forced = models.BooleanField("冲突时仍按手机上的提交", default=False)

    class Meta:
        verbose_name = "离线记录回执"


class VisitPhoto(models.Model):
    visit = models.ForeignKey("cases.Visit", on_delete=models.CASCADE, related_name="photos")
    file_name = models.CharField("文件名", max_length=80, unique=True)
    size = models.PositiveIntegerField("字节数")
    sha256 = models.CharField("内容哈希", max_length=64)
    position = models.PositiveSmallIntegerField("顺序", default=0)

    class Meta:
        verbose_name = "探访照片"
        ordering = ["visit", "position"]
