"""困境儿童和农村留守儿童名册（sixian §2(一)1、§2(二)）：登记在儿童身上，不另建档案。

一条 `RegisterEntry` 是儿童在某一名册上的一段登记（类型、理由、开始和结束、谁登记谁结束）。
儿童有保障中的个案时，登记挂到这个个案上：探访、核查、风险都在个案档案里，名册只是多一个身份；
没有个案的儿童，登记本身记下下次探访的到期日，探访仍是同一张 `Visit` 表（`Visit.entry`），
同一张手机表单、同一套五项情况。帮扶措施（`SupportMeasure`）逐条记录。规则算出的 §8 标签提出
登记（`RegisterProposal`），经办人员登记或说明理由不予登记。模型由 `cases.models` 末尾导入登记。
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from shouhu.core.registers import (
    END_REASONS,
    ENTRY_KIND_LABELS,
    PROPOSAL_STATUS_LABELS,
    REGISTER_LABELS,
    SUPPORT_MEASURES,
)


class RegisterEntry(models.Model):
    child = models.ForeignKey(
        "registry.Person", on_delete=models.PROTECT, related_name="register_entries"
    )
    division = models.ForeignKey("registry.Division", on_delete=models.PROTECT, related_name="+")
    register = models.CharField("名册", max_length=16, choices=list(REGISTER_LABELS.items()))
    kind = models.CharField("登记类型", max_length=24, choices=list(ENTRY_KIND_LABELS.items()))
    reason = models.TextField("登记理由")
    # 儿童有保障中的个案时，探访和核查都在个案上
    case = models.ForeignKey(
        "cases.Case", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    proposal = models.ForeignKey(
        "cases.RegisterProposal", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # 留守儿童：父母去向、委托照护人（sixian §2(二)7）
    father_whereabouts = models.CharField("父亲去向", max_length=24, blank=True)
    mother_whereabouts = models.CharField("母亲去向", max_length=24, blank=True)
    carer_name = models.CharField("委托照护人", max_length=50, blank=True)
    carer_relation = models.CharField("与儿童关系", max_length=20, blank=True)
    carer_phone = models.CharField("照护人电话", max_length=30, blank=True)
    started_on = models.DateField("登记日期")
    entered_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    visit_due_on = models.DateField("下次探访到期", null=True, blank=True)
    # 没有个案时：经办人员确认的风险等级（默认一般，每季度探访）；重大变故、强制报告使儿童临时
    # 按高风险，直到经办人员复核（cases.register_risk）
    risk_level = models.CharField(
        "风险等级", max_length=8, default="general",
        choices=[("high", "高风险"), ("key", "重点"), ("general", "一般")],
    )  # fmt: skip
    ended_on = models.DateField("结束日期", null=True, blank=True)
    end_reason_code = models.CharField(
        "结束原因", max_length=24, blank=True, choices=list(END_REASONS.items())
    )
    end_reason = models.TextField("结束理由", blank=True)
    ended_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = "名册登记"
        constraints = [
            models.UniqueConstraint(
                fields=["child", "kind"],
                condition=Q(ended_on__isnull=True),
                name="register_entry_one_open_per_kind",
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | ~Q(end_reason=""),
                name="register_entry_ended_with_reason",
            ),
        ]
        indexes = [models.Index(fields=["register", "ended_on"])]


class SupportMeasure(models.Model):
    """一项帮扶措施：类型、日期、谁做的、说明。只增不改。"""

    entry = models.ForeignKey(RegisterEntry, on_delete=models.CASCADE, related_name="measures")
    kind = models.CharField("措施类型", max_length=24, choices=list(SUPPORT_MEASURES.items()))
    on = models.DateField("日期")
    note = models.TextField("说明", blank=True)
    recorded_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField("记录时间", auto_now_add=True)

    class Meta:
        verbose_name = "帮扶措施"
        ordering = ["-on", "-pk"]


class RegisterProposal(models.Model):
    """规则提出的登记：儿童的 §8 标签（`labels`）说是困境儿童，而名册上还没有。

    不予登记的写明理由；同样的标签不再提出，标签变了（新增重病）再提出。
    """

    child = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="+")
    division = models.ForeignKey("registry.Division", on_delete=models.PROTECT, related_name="+")
    labels = models.JSONField("规则标签", default=list)
    kinds = models.JSONField("提出的登记类型", default=list)
    status = models.CharField(
        "状态", max_length=10, choices=list(PROPOSAL_STATUS_LABELS.items()), default="open"
    )
    proposed_at = models.DateTimeField("提出时间", auto_now_add=True)
    decided_at = models.DateTimeField("办理时间", null=True, blank=True)
    decided_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    dismiss_reason = models.TextField("不予登记的理由", blank=True)

    class Meta:
        verbose_name = "名册登记建议"
        constraints = [
            models.UniqueConstraint(
                fields=["child"], condition=Q(status="open"), name="register_proposal_one_open"
            ),
        ]
