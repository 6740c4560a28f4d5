"""What departments send: submissions (immutable, receipted) and the typed facts they yield.

A fact is never overwritten: a correction from the same department for the same source record is
a new version that supersedes the old one (`supersedes`, `is_current`), so history stays.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from shouhu.web.exchange.choices import (
    Acceptance,
    Channel,
    FactType,
    SubmissionStatus,
    UploadStatus,
)
from shouhu.web.exchange.sealing import SealedBinaryField, SealedCharField, SealedJSONField


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
    # receipt (回执)
    receipt_number = models.CharField("回执编号", max_length=24, blank=True)
    status = models.CharField(
        "接收情况",
        max_length=10,
        choices=SubmissionStatus.choices,
        default=SubmissionStatus.ACCEPTED,
    )
    nil_return = models.BooleanField("零报告", default=False, help_text="no records this month")
    submitted_at = models.DateTimeField(
        "提交时间", null=True, blank=True, help_text="when the sender handed it in (deadlines)"
    )
    idempotency_key = models.CharField("幂等键", max_length=100, blank=True)
    encoding = models.CharField("文件编码", max_length=20, blank=True)
    error_count = models.PositiveIntegerField("错误数", default=0)
    warning_count = models.PositiveIntegerField("提示数", default=0)
    invalid_ids = models.PositiveIntegerField(
        "身份证号不合格数",
        default=0,
        help_text="ID numbers with a problem, in rejected and accepted rows (data quality)",
    )
    facts_created = models.PositiveIntegerField("新增记录数", default=0)
    facts_superseded = models.PositiveIntegerField("更正记录数", default=0)
    facts_unchanged = models.PositiveIntegerField("未变记录数", default=0)
    facts_held = models.PositiveIntegerField(
        "待当地民政接收的记录数", default=0, help_text="about persons outside the sender's area"
    )

    class Meta:
        verbose_name = "数据报送"
        constraints = [
            # The same file for the same item and month imports once. (The same content for
            # another month is a new delivery: its records are simply unchanged.)
            models.UniqueConstraint(
                fields=["agency", "item_code", "period", "content_sha256"],
                name="submission_once_per_content",
            ),
            models.UniqueConstraint(
                fields=["agency", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="submission_once_per_idempotency_key",
            ),
            models.UniqueConstraint(
                fields=["receipt_number"],
                condition=~Q(receipt_number=""),
                name="submission_receipt_number_unique",
            ),
        ]
        indexes = [models.Index(fields=["agency", "item_code", "period"])]


class SubmissionErrors(models.Model):
    """The row errors of a submission, kept so the error report can be downloaded again.

    `errors` and `warnings` are zlib-compressed JSON lists of [row, column, value, message];
    values and messages are masked (no full ID number). `source` is the file as received, kept
    only when rows were rejected: the error report copies those rows so they can be corrected.
    """

    submission = models.OneToOneField(
        Submission, on_delete=models.PROTECT, primary_key=True, related_name="row_errors"
    )
    errors = models.BinaryField(default=b"")
    warnings = models.BinaryField(default=b"")
    source = SealedBinaryField(default=b"", blank=True)  # 整份加密存放（sealing.py）

    class Meta:
        verbose_name = "报送错误清单"


class Fact(models.Model):
    """A typed, dated fact about a person, with its provenance. Fields follow docs/rules.md §2."""

    person = models.ForeignKey(
        "registry.Person", on_delete=models.PROTECT, null=True, blank=True, related_name="facts"
    )
    type = models.CharField("类型", max_length=24, choices=FactType.choices)
    date = models.DateField(null=True, blank=True)
    start = models.DateField(null=True, blank=True)
    end = models.DateField(null=True, blank=True)
    valid_until = models.DateField(null=True, blank=True)
    life = models.BooleanField(null=True, blank=True)
    level = models.CharField(max_length=32, blank=True)  # disability 1–4, or a school level code
    category = models.CharField(max_length=16, blank=True)
    # 高度敏感的自由文本按数据目录加密存放（sealing.py）：列里是令牌，读出时解开
    disease = SealedCharField(max_length=600, blank=True)
    qualifying = models.BooleanField(null=True, blank=True)
    consent = models.BooleanField(null=True, blank=True)
    # provenance
    agency = models.ForeignKey("accounts.Agency", on_delete=models.PROTECT, related_name="facts")
    submission = models.ForeignKey(
        Submission, on_delete=models.PROTECT, null=True, blank=True, related_name="facts"
    )
    item_code = models.CharField("数据项", max_length=64, blank=True)
    source_record_id = SealedCharField("来源记录号", max_length=600)
    record_sha256 = models.CharField(max_length=64)
    recorded_at = models.DateTimeField("记录时间", auto_now_add=True)
    # the subject as the department wrote it (for linkage and objections)
    subject_id_number = models.CharField(max_length=40, blank=True)
    subject_name = models.CharField(max_length=50, blank=True)
    subject_gender = models.CharField(max_length=1, blank=True)
    subject_birth_date = models.DateField(null=True, blank=True)
    subject_division_code = models.CharField(max_length=12, blank=True)
    extra = SealedJSONField(
        default=dict, blank=True, help_text="other columns (a child's ID, the court…), as written"
    )
    link_method = models.CharField(max_length=16, blank=True)
    link_confidence = models.PositiveSmallIntegerField(null=True, blank=True, help_text="0–100")
    # versions: a correction supersedes, never overwrites
    version = models.PositiveIntegerField(default=1)
    supersedes = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="superseded_by"
    )
    is_current = models.BooleanField(default=True)
    # 本部门辖区以外的人：待当地民政接收（Acceptance）；决定者和理由记在审计日志里
    acceptance = models.CharField(
        "接收", max_length=8, choices=Acceptance.choices, default=Acceptance.NOT_NEEDED, blank=True
    )
    acceptance_note = models.CharField("不接收的理由", max_length=200, blank=True)

    class Meta:
        verbose_name = "事实"
        constraints = [
            # A record is named by its department, data item and the department's record number.
            models.UniqueConstraint(
                fields=["agency", "item_code", "source_record_id", "version"],
                name="fact_version_unique",
            ),
            models.UniqueConstraint(
                fields=["agency", "item_code", "source_record_id"],
                condition=Q(is_current=True),
                name="fact_one_current_version",
            ),
        ]
        indexes = [models.Index(fields=["person", "is_current"])]


class Upload(models.Model):
    """A file uploaded through the web page, held until it is checked, confirmed and stored.

    The file's bytes are dropped as soon as it is stored, discarded or rejected; what stays is
    the submission (and its error list), not a second copy of the data.
    """

    agency = models.ForeignKey("accounts.Agency", on_delete=models.PROTECT, related_name="+")
    uploaded_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    item_code = models.CharField("数据项", max_length=64)
    period = models.DateField("所属月份")
    filename = models.CharField("文件名", max_length=255)
    content = SealedBinaryField(default=b"")  # 整份加密存放（sealing.py）
    content_sha256 = models.CharField("内容哈希", max_length=64)
    size = models.PositiveBigIntegerField("大小", default=0)
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)
    client_ip = models.CharField(max_length=45, blank=True)
    status = models.CharField(
        "状态", max_length=10, choices=UploadStatus.choices, default=UploadStatus.RECEIVED
    )
    summary = models.JSONField(
        "校验摘要", default=dict, help_text="counts, first errors and masked sample rows"
    )
    errors = models.BinaryField(default=b"", help_text="zlib JSON, as SubmissionErrors.errors")
    submission = models.ForeignKey(
        Submission, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    full_snapshot = models.BooleanField(
        "全量名单", default=False, help_text="household registry: lists everyone in the area"
    )

    class Meta:
        verbose_name = "上传文件"
