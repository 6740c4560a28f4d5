"""补贴名册：每县每月一份，草稿 → 已审核 → 已批准（锁定）；名册行、财政发放结果、多发与追回。

已批准的名册和它的行不再改动：迁移在 PostgreSQL 和 SQLite 上各装了触发器，任何 UPDATE、
DELETE（连同往已批准名册里 INSERT 行）都被数据库拒绝，绕过 ORM 的原始 SQL 也一样。更正进下一个
月的名册（应发减已发，见 shouhu.core.policy.roster）。财政的发放结果另存一张表，不改名册行。
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q


class RosterState(models.TextChoices):
    DRAFT = "draft", "草稿"
    REVIEWED = "reviewed", "已审核"
    APPROVED = "approved", "已批准（锁定）"


class Basis(models.TextChoices):
    """补贴依据（shouhu.core.policy.subsidy.BASES）。"""

    SCATTERED_ORPHAN = "scattered_orphan", "散居孤儿"
    INSTITUTIONAL_ORPHAN = "institutional_orphan", "集中养育孤儿"
    DE_FACTO_UNSUPPORTED = "de_facto_unsupported", "事实无人抚养儿童"
    HIV_INFECTED = "hiv_infected", "艾滋病病毒感染儿童"


class SubsidyRoster(models.Model):
    division = models.ForeignKey(
        "registry.Division", on_delete=models.PROTECT, related_name="subsidy_rosters"
    )
    month = models.DateField("发放月份")  # 当月1日
    state = models.CharField(
        "状态", max_length=10, choices=RosterState.choices, default=RosterState.DRAFT
    )
    line_count = models.PositiveIntegerField("人数", default=0)
    gross_fen = models.BigIntegerField("应发（分）", default=0)
    offset_fen = models.BigIntegerField("抵扣多发（分）", default=0)
    net_fen = models.BigIntegerField("实发（分）", default=0)
    # {"by_basis": {依据: 分}, "children": {依据: 人数}}：按类别的合计，加得回总数
    totals = models.JSONField("分类合计", default=dict)
    built_at = models.DateTimeField("生成时间")
    built_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField("审核时间", null=True, blank=True)
    reviewed_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField("批准时间", null=True, blank=True)
    approved_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = "补贴名册"
        constraints = [
            models.UniqueConstraint(fields=["division", "month"], name="roster_one_per_month"),
            models.CheckConstraint(
                condition=Q(net_fen=models.F("gross_fen") - models.F("offset_fen")),
                name="roster_net_is_gross_less_offset",
            ),
        ]


class RosterLine(models.Model):
    """名册的一行：一个保障对象本月发多少。months 是本月发放的各月 [[YYYY-MM-01, 分, 补发?], …]。
    收款人（户名、开户行、账号）取生成名册时的照料安排，此后不随照料安排变动。"""

    roster = models.ForeignKey(SubsidyRoster, on_delete=models.PROTECT, related_name="lines")
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="+")
    basis = models.CharField("补贴依据", max_length=24, choices=Basis.choices)
    months = models.JSONField("发放月份", default=list)
    gross_fen = models.BigIntegerField("应发（分）")
    offset_fen = models.BigIntegerField("抵扣（分）", default=0)
    net_fen = models.BigIntegerField("实发（分）")
    account_holder = models.CharField("户名", max_length=50, blank=True)
    bank_name = models.CharField("开户银行", max_length=60, blank=True)
    bank_account = models.CharField("银行账号", max_length=40, blank=True)

    class Meta:
        verbose_name = "名册行"
        constraints = [
            models.UniqueConstraint(fields=["roster", "case"], name="roster_line_one_per_case"),
            models.CheckConstraint(
                condition=Q(net_fen=models.F("gross_fen") - models.F("offset_fen"))
                & Q(offset_fen__gte=0)
                & Q(net_fen__gte=0),
                name="roster_line_net_is_gross_less_offset",
            ),
        ]


class PaymentStatus(models.TextChoices):
    PAID = "paid", "已发放"
    FAILED = "failed", "发放失败"
    ACCOUNT_PROBLEM = "account_problem", "账户有误"


class PaymentResultImport(models.Model):
    """一次财政发放结果导入。同一名册同一文件内容只导入一次。"""

    roster = models.ForeignKey(SubsidyRoster, on_delete=models.PROTECT, related_name="imports")
    filename = models.CharField("文件名", max_length=200)
    content_sha256 = models.CharField("内容哈希", max_length=64)
    rows = models.PositiveIntegerField("行数", default=0)
    paid_fen = models.BigIntegerField("已发放（分）", default=0)
    failed_fen = models.BigIntegerField("未发放（分）", default=0)
    imported_at = models.DateTimeField("导入时间", auto_now_add=True)
    imported_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = "发放结果导入"
        constraints = [
            models.UniqueConstraint(
                fields=["roster", "content_sha256"], name="payment_result_import_once"
            ),
        ]


class PaymentResult(models.Model):
    """财政反馈的一行结果。后导入的覆盖不了先导入的：一行只记一次（改正走下月名册）。"""

    line = models.OneToOneField(RosterLine, on_delete=models.PROTECT, related_name="result")
    result_import = models.ForeignKey(
        PaymentResultImport, on_delete=models.PROTECT, related_name="results"
    )
    status = models.CharField("发放结果", max_length=16, choices=PaymentStatus.choices)
    paid_fen = models.BigIntegerField("实际发放（分）")
    reason = models.CharField("失败原因", max_length=200, blank=True)

    class Meta:
        verbose_name = "发放结果"


class RecoveryMethod(models.TextChoices):
    REPAYMENT = "repayment", "退回"
    OFFSET = "offset", "抵扣"


class Overpayment(models.Model):
    """多发的一个月（末月之后实际发出的），按当时实发金额记；method 是经办人员选定的追回方式。"""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="+")
    month = models.DateField("多发月份")
    basis = models.CharField("补贴依据", max_length=24, choices=Basis.choices)
    fen = models.BigIntegerField("多发金额（分）")
    found_in = models.ForeignKey(
        SubsidyRoster, on_delete=models.PROTECT, related_name="overpayments"
    )
    method = models.CharField("追回方式", max_length=10, choices=RecoveryMethod.choices, blank=True)

    class Meta:
        verbose_name = "多发"
        constraints = [
            models.UniqueConstraint(fields=["case", "month"], name="overpayment_once_per_month"),
        ]


class Recovery(models.Model):
    """一笔追回：退回（收到的金额和日期），或抵扣（在某个名册行里扣减）。"""

    overpayment = models.ForeignKey(
        Overpayment, on_delete=models.PROTECT, related_name="recoveries"
    )
    method = models.CharField("方式", max_length=10, choices=RecoveryMethod.choices)
    fen = models.BigIntegerField("金额（分）")
    line = models.ForeignKey(
        RosterLine, on_delete=models.CASCADE, null=True, blank=True, related_name="offsets"
    )
    recorded_on = models.DateField("日期")
    recorded_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = "多发追回"
        constraints = [models.CheckConstraint(condition=Q(fen__gt=0), name="recovery_positive")]
