"""What departments send: submissions (immutable, receipted) and the typed facts they yield.

A fact is never overwritten: a correction from the same department for the same source record is
a new version that supersedes the old one (`supersedes`, `is_current`), so history stays.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q


class FactType(models.TextChoices):
    # policy.md §2 — about a parent (some also about the child)
    DECEASED = "deceased", "死亡"
    DECLARED_DEAD = "declared_dead", "宣告死亡"
    DECLARED_MISSING = "declared_missing", "宣告失踪"
    SEVERE_DISABILITY = "severe_disability", "重残"
    SEVERE_ILLNESS = "severe_illness", "重病"
    IMPRISONED = "imprisoned", "服刑在押"
    COMPULSORY_REHAB = "compulsory_rehab", "强制隔离戒毒"
    OTHER_RESTRICTION = "other_restriction", "被执行其他限制人身自由的措施"
    LOST_CONTACT = "lost_contact", "失联"
    GUARDIANSHIP_REVOKED = "guardianship_revoked", "撤销监护资格"
    DEPORTED = "deported", "被遣送（驱逐）出境"
    # about the child
    ADOPTED = "adopted", "被收养"
    PARENTS_UNKNOWN = "parents_unknown", "查找不到生父母"
    INSTITUTIONAL_CARE = "institutional_care", "儿童福利机构集中养育"
    HIV_INFECTED = "hiv_infected", "感染艾滋病病毒"
    IN_SCHOOL = "in_school", "在校就读"
    LOW_INCOME = "low_income", "低保"
    EXTREME_POVERTY = "extreme_poverty", "特困"
    POVERTY_MONITORING = "poverty_monitoring", "防止返贫监测对象/脱贫户"


class Channel(models.TextChoices):
    UPLOAD = "upload", "网页上传"
    API = "api", "系统接口"
    PACKAGE = "package", "离线交换包"
    DEMO = "demo", "演示数据"


class Submission(models.Model):
    """One delivery of one data item by one department for one month. Immutable once stored."""

    agency = models.ForeignKey(
        "accounts.Agency", on_delete=models.PROTECT, related_name="submissions"
    )
    item_code = models.CharField("数据项", max_length=64)
    period = models.DateField("所属月份", help_text="the first day of the month reported on")
    channel = models.CharField("报送方式", max_length=10, choices=Channel.choices)
    filename = models.CharField("文件名", max_length=255, blank=True)
    content_sha256 = models.CharField("内容哈希", max_length=64)
    received_at = models.DateTimeField("接收时间", auto_now_add=True)
    received_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    rows_total = models.PositiveIntegerField("总行数", default=0)
    rows_accepted = models.PositiveIntegerField("接收行数", default=0)
    rows_rejected = models.PositiveIntegerField("退回行数", default=0)

    class Meta:
        verbose_name = "数据报送"
        constraints = [
            # The same file twice imports once.
            models.UniqueConstraint(
                fields=["agency", "content_sha256"], name="submission_once_per_content"
            )
        ]


class Fact(models.Model):
    """A typed, dated fact about a person, with its provenance. Fields follow policy.md §2."""

    person = models.ForeignKey(
        "registry.Person", on_delete=models.PROTECT, null=True, blank=True, related_name="facts"
    )
    type = models.CharField("类型", max_length=24, choices=FactType.choices)
    date = models.DateField(null=True, blank=True)
    start = models.DateField(null=True, blank=True)
    end = models.DateField(null=True, blank=True)
    valid_until = models.DateField(null=True, blank=True)
    life = models.BooleanField(null=True, blank=True)
    level = models.CharField(max_length=16, blank=True)
    category = models.CharField(max_length=16, blank=True)
    disease = models.CharField(max_length=100, blank=True)
    qualifying = models.BooleanField(null=True, blank=True)
    consent = models.BooleanField(null=True, blank=True)
    # provenance
    agency = models.ForeignKey("accounts.Agency", on_delete=models.PROTECT, related_name="facts")
    submission = models.ForeignKey(
        Submission, on_delete=models.PROTECT, null=True, blank=True, related_name="facts"
    )
    source_record_id = models.CharField("来源记录号", max_length=100)
    record_sha256 = models.CharField(max_length=64)
    recorded_at = models.DateTimeField("记录时间", auto_now_add=True)
    # the subject as the department wrote it (for linkage and objections)
    subject_id_number = models.CharField(max_length=40, blank=True)
    subject_name = models.CharField(max_length=50, blank=True)
    link_method = models.CharField(max_length=16, blank=True)
    link_confidence = models.PositiveSmallIntegerField(null=True, blank=True, help_text="0–100")
    # versions: a correction supersedes, never overwrites
    version = models.PositiveIntegerField(default=1)
    supersedes = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="superseded_by"
    )
    is_current = models.BooleanField(default=True)

    class Meta:
        verbose_name = "事实"
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "source_record_id", "version"], name="fact_version_unique"
            ),
            models.UniqueConstraint(
                fields=["agency", "source_record_id"],
                condition=Q(is_current=True),
                name="fact_one_current_version",
            ),
        ]
        indexes = [models.Index(fields=["person", "is_current"])]
