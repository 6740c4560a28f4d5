"""The register (台账): one case per child (一人一档), opened and closed with written reasons."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from shouhu.core.policy.visits import MAJOR_CHANGE_LABELS
from shouhu.core.policy.vocabulary import CASE_CATEGORY_LABELS, ORPHAN_TYPE_LABELS

# 个案的类别：认定的两类加上按地区参数补贴的艾滋病病毒感染儿童（vocabulary.CASE_CATEGORY_LABELS）
Category = models.TextChoices(  # type: ignore[misc]
    "Category", [(code.upper(), (code, label)) for code, label in CASE_CATEGORY_LABELS.items()]
)


OrphanType = models.TextChoices(  # type: ignore[misc]
    "OrphanType", [(code.upper(), (code, label)) for code, label in ORPHAN_TYPE_LABELS.items()]
)


class CaseStatus(models.TextChoices):
    ACTIVE = "active", "保障中"
    CLOSED = "closed", "已终止"


class Placement(models.TextChoices):
    """安置方式：散居（亲属或他人照料）或集中（儿童福利机构等集中养育）。孤儿的孤儿类型与之一致。"""

    SCATTERED = "scattered", "散居"
    INSTITUTIONAL = "institutional", "集中"


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
    opened_on = models.DateField("纳入保障日期")  # 批准之日（补贴首月据此，§9）
    # 申请登记之日：地区选择从申请之月补发时（subsidy.arrears_from）用；未知为空
    applied_on = models.DateField("申请登记日期", null=True, blank=True)
    opened_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    closed_on = models.DateField("终止保障日期", null=True, blank=True)
    closed_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    close_reason_code = models.CharField("终止原因代码", max_length=40, blank=True)
    close_reason = models.TextField("终止理由（书面说明）", blank=True)
    # 错误终止后重新纳入：此前的终止（日期、原因、理由）留在这里，重新纳入的理由也在
    reopenings = models.JSONField(
        "重新纳入记录", default=list, blank=True,
        help_text='[{"closed_on", "close_reason_code", "close_reason", "reopened_on", "reason"}]',
    )  # fmt: skip
    # 类别变更（§9：确认变更之月的次月起按新类别发放）：[{"on", "from", "to"}]，from/to 是
    # {"category", "orphan_type"}；补贴名册按它算每月的类别
    category_changes = models.JSONField("类别变更记录", default=list, blank=True)
    placement = models.CharField("安置方式", max_length=16, choices=Placement.choices, blank=True)
    # 台账上记载的月保障标准（分）；实际发放以补贴名册为准，这里只是开案时的记录
    monthly_amount_fen = models.PositiveIntegerField("月保障标准（分）", null=True, blank=True)
    register_import = models.ForeignKey(
        "cases.RegisterImport",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
        verbose_name="来自台账导入",
    )
    # 个案工作的排期（cases.reviews / cases.visits 维护；规则给出每年核查次数，不在这里推导）
    reviews_per_year = models.PositiveSmallIntegerField("每年核查次数", null=True, blank=True)
    review_due_on = models.DateField("下次核查到期", null=True, blank=True)
    visit_due_on = models.DateField("下次例行探访到期", null=True, blank=True)

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


class CareArrangement(models.Model):
    """照料安排：谁在照料（监护）这个孩子。一个个案可以先后有几段，同一时间只有一段在照料。

    照料人不一定在本地户籍里（外地亲属、机构工作人员），所以姓名、身份证号按登记的原样记下，
    能在户籍中找到同一号码的人时另记 `carer`。更换照料人时结束旧的一段（`ended_on`）、新开一段，
    不改写旧记录。
    """

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="care_arrangements")
    carer_name = models.CharField("监护人或照料人姓名", max_length=50)
    carer_id_number = models.CharField("监护人或照料人身份证号", max_length=18, blank=True)
    carer = models.ForeignKey(
        "registry.Person",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="care_given",
        verbose_name="户籍中的照料人",
    )
    relation = models.CharField("与儿童关系", max_length=20, blank=True)
    phone = models.CharField("联系电话", max_length=30, blank=True)
    address = models.CharField("家庭住址", max_length=200, blank=True)
    # 补贴发放到照料人的账户（台账上有“开户行”“银行账号”列时随台账导入）；户名即照料人姓名
    bank_name = models.CharField("开户银行", max_length=60, blank=True)
    bank_account = models.CharField("银行账号", max_length=40, blank=True)
    started_on = models.DateField("开始照料日期")
    ended_on = models.DateField("结束照料日期", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = "照料安排"
        constraints = [
            models.UniqueConstraint(
                fields=["case"], condition=Q(ended_on__isnull=True), name="care_one_current"
            ),
        ]


class RegisterImportStatus(models.TextChoices):
    UPLOADED = "uploaded", "待确认列对应"
    IMPORTED = "imported", "已导入"


class RegisterImport(models.Model):
    """一次台账导入：县里原有的台账（Excel）变成个案。

    上传后先确认列的对应关系（`mapping`：表头 → 平台字段），再导入。同一区划同一文件内容
    （SHA-256）只导入一次；未导入的行和原因压缩保存（身份证号脱敏），可下载。
    """

    division = models.ForeignKey(
        "registry.Division", on_delete=models.PROTECT, related_name="register_imports"
    )
    filename = models.CharField("文件名", max_length=200)
    content_sha256 = models.CharField("内容哈希", max_length=64)
    data = models.BinaryField("原文件")
    status = models.CharField(
        "状态",
        max_length=10,
        choices=RegisterImportStatus.choices,
        default=RegisterImportStatus.UPLOADED,
    )
    mapping = models.JSONField("列对应", default=dict)
    rows_total = models.PositiveIntegerField("数据行数", default=0)
    cases_created = models.PositiveIntegerField("新建个案数", default=0)
    problems = models.BinaryField("未导入的行", null=True, blank=True)
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)
    uploaded_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    imported_at = models.DateTimeField("导入时间", null=True, blank=True)
    imported_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = "台账导入"
        constraints = [
            models.UniqueConstraint(
                fields=["division", "content_sha256"],
                condition=Q(status="imported"),
                name="register_import_once_per_content",
            ),
        ]


# ---------------------------------------------------------- 个案工作：核查、探访、风险、重大变故


class ReviewOutcome(models.TextChoices):
    CONTINUE = "continue", "继续保障"
    CHANGE_NEEDED = "change_needed", "需变更"
    TERMINATION_PROPOSED = "termination_proposed", "建议终止"


class Review(models.Model):
    """一次定期核查（policy §5）：日期、结论和说明。“建议终止”由经办人员另行办理终止。"""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="reviews")
    reviewed_on = models.DateField("核查日期")
    outcome = models.CharField("核查结论", max_length=24, choices=ReviewOutcome.choices)
    note = models.TextField("核查说明", blank=True)
    due_on = models.DateField("本次核查的到期日", null=True, blank=True)
    recorded_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField("记录时间", auto_now_add=True)

    class Meta:
        verbose_name = "核查"
        indexes = [models.Index(fields=["case", "reviewed_on"])]


class Visit(models.Model):
    """一次探访（policy §6）：时间、地点、见到谁、五项情况（各“正常/有问题”加说明）、记录。

    `client_ref` 是离线应用给这次探访的本地编号：同一次探访重复上传只记一次（离线应用另行开发，
    照片也由它另加，这里不存）。
    """

    # 没有个案的名册儿童（困境、留守）的探访记在名册登记上（register_models），case 为空
    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, null=True, blank=True, related_name="visits"
    )
    entry = models.ForeignKey(
        "cases.RegisterEntry", on_delete=models.CASCADE, null=True, blank=True,
        related_name="visits",
    )  # fmt: skip
    visited_at = models.DateTimeField("探访时间")
    place = models.CharField("探访地点", max_length=100)
    seen = models.CharField("见到的人", max_length=200)
    checks = models.JSONField(
        "情况检查", default=dict, help_text='{"safety": {"status": "ok|concern", "note": ""}, …}'
    )
    notes = models.TextField("探访记录", blank=True)
    client_ref = models.CharField("离线应用编号", max_length=64, blank=True)
    recorded_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField("记录时间", auto_now_add=True)

    class Meta:
        verbose_name = "探访"
        indexes = [models.Index(fields=["case", "visited_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "client_ref"], condition=~Q(client_ref=""), name="visit_client_once"
            ),
            models.CheckConstraint(
                condition=Q(case__isnull=False) | Q(entry__isnull=False),
                name="visit_of_case_or_entry",
            ),
        ]


class RiskChangeKind(models.TextChoices):
    CONFIRMED = "confirmed", "经办人员确认"
    MAJOR_CHANGE = "major_change", "重大变故，临时按高风险"


class RiskChange(models.Model):
    """风险等级的一次变化（或确认）：谁、何时、为什么、从什么到什么。只增不改。"""

    # 没有个案的名册儿童（强制报告、重大变故）的风险等级记在登记上
    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, null=True, blank=True, related_name="risk_changes"
    )
    entry = models.ForeignKey(
        "cases.RegisterEntry", on_delete=models.CASCADE, null=True, blank=True,
        related_name="risk_changes",
    )  # fmt: skip
    at = models.DateTimeField("时间")
    by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField("方式", max_length=16, choices=RiskChangeKind.choices)
    from_level = models.CharField("原等级", max_length=8, choices=RiskLevel.choices)
    to_level = models.CharField("新等级", max_length=8, choices=RiskLevel.choices)
    reason = models.TextField("理由")
    assessment = models.JSONField(
        "风险评估", default=dict, blank=True, help_text='{"answers": {…}, "proposed": "key"}'
    )

    class Meta:
        verbose_name = "风险等级变化"
        ordering = ["-at", "-pk"]


MajorChangeKind = models.TextChoices(  # type: ignore[misc]
    "MajorChangeKind",
    [(code.upper(), (code, label)) for code, label in MAJOR_CHANGE_LABELS.items()],
)


class MajorChange(models.Model):
    """重大变故（policy §6）：儿童临时按高风险，24 小时内须走访到位，直到经办人员复核。

    `visit` 是变故之后的第一次探访（响应）；`reviewed_at` 为经办人员复核（确认风险等级）的时间。
    """

    # 没有个案的儿童（名册儿童，或强制报告时才登记的）的重大变故记在名册登记上
    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, null=True, blank=True, related_name="major_changes"
    )
    entry = models.ForeignKey(
        "cases.RegisterEntry", on_delete=models.CASCADE, null=True, blank=True,
        related_name="major_changes",
    )  # fmt: skip
    kind = models.CharField("变故", max_length=24, choices=MajorChangeKind.choices)
    occurred_at = models.DateTimeField("发生（报告）时间")
    note = models.TextField("情况说明", blank=True)
    visit_due_at = models.DateTimeField("须走访到位的时间")
    visit = models.ForeignKey(
        Visit, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField("记录时间", auto_now_add=True)
    reviewed_at = models.DateTimeField("经办复核时间", null=True, blank=True)
    reviewed_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = "重大变故"
        indexes = [models.Index(fields=["case", "reviewed_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(case__isnull=False) | Q(entry__isnull=False),
                name="major_change_of_case_or_entry",
            ),
        ]


class ReporterKind(models.TextChoices):
    SCHOOL = "school", "学校"
    HOSPITAL = "hospital", "医疗机构"
    POLICE = "police", "公安机关"
    VILLAGE_COMMITTEE = "village_committee", "村（居）民委员会"
    CIVIL_AFFAIRS = "civil_affairs", "民政部门"
    OTHER = "other", "其他"


class MandatoryReport(models.Model):
    """强制报告（sixian §2(一)6）：谁报告、何时看到了什么。报告本身是一项重大变故。"""

    change = models.OneToOneField(MajorChange, on_delete=models.CASCADE, related_name="report")
    reporter_kind = models.CharField("报告单位类别", max_length=20, choices=ReporterKind.choices)
    reporter_org = models.CharField("报告单位", max_length=100)
    reporter_name = models.CharField("报告人", max_length=50)
    reporter_phone = models.CharField("联系电话", max_length=30, blank=True)
    seen_at = models.DateTimeField("发现时间")
    what_seen = models.TextField("发现的情况")

    class Meta:
        verbose_name = "强制报告"


# ---------------------------------------------------------------- 迁移：个案随儿童迁到新的地方


class TransferStatus(models.TextChoices):
    PENDING = "pending", "待接收"
    ACCEPTED = "accepted", "已接收"
    RETURNED = "returned", "已退回"


class TransferOrigin(models.TextChoices):
    HAND = "hand", "经办人员或督导员提出"
    REGISTRY = "registry", "户籍迁移（户籍名单载入时发现）"


class Transfer(models.Model):
    """一次迁移：转出方提出（或户籍名单显示儿童户籍已迁出个案所在地时自动提出），接收方接收或
    说明理由退回。接收前个案仍归转出方；接收后个案的区划改为迁入地，探访、核查、风险等全部
    历史随个案一起过去。一个个案同一时间只有一次待接收的迁移。"""

    # 迁移的是个案（保障中的儿童），或没有个案的名册儿童（困境、留守）：那时 `entry` 是提出时的
    # 一条登记，接收时这名儿童在册的、没有个案的登记一起迁过去
    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, null=True, blank=True, related_name="transfers"
    )
    entry = models.ForeignKey(
        "cases.RegisterEntry", on_delete=models.CASCADE, null=True, blank=True,
        related_name="transfers",
    )  # fmt: skip
    from_division = models.ForeignKey(
        "registry.Division", on_delete=models.PROTECT, related_name="+", verbose_name="迁出地"
    )
    to_division = models.ForeignKey(
        "registry.Division", on_delete=models.PROTECT, related_name="+", verbose_name="迁入地"
    )
    origin = models.CharField("提出方式", max_length=10, choices=TransferOrigin.choices)
    reason = models.TextField("迁移理由")
    status = models.CharField(
        "状态", max_length=10, choices=TransferStatus.choices, default=TransferStatus.PENDING
    )
    proposed_at = models.DateTimeField("提出时间")
    proposed_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    registry_load = models.ForeignKey(
        "registry.RegistryLoad", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField("办理时间", null=True, blank=True)
    decided_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    return_reason = models.TextField("退回理由", blank=True)

    class Meta:
        verbose_name = "个案迁移"
        constraints = [
            models.UniqueConstraint(
                fields=["case"], condition=Q(status="pending"), name="transfer_one_pending"
            ),
            models.UniqueConstraint(
                fields=["entry"], condition=Q(status="pending"), name="transfer_one_pending_entry"
            ),
            models.CheckConstraint(
                condition=Q(case__isnull=False) | Q(entry__isnull=False),
                name="transfer_of_case_or_entry",
            ),
        ]


# 申请和审批、证明材料、终止告知书（模型在 application_models），困境儿童和留守儿童名册（模型在
# register_models）：这里导入以登记到 cases 应用
from shouhu.web.cases import application_models, register_models  # noqa: E402, F401
