"""申请和审批（纳入保障、终止保障）与证明材料：村（居）登记 → 乡镇（街道）初审 → 县级民政审批。

模型在这里，由 `cases.models` 末尾导入登记；服务在 `cases.applications`，材料文件在
`cases.documents`。每一步（登记、报送、退回、批准）是一行 `ApplicationStep`，只增不改：
申请页面和儿童页面上的审批经过就是这些行。
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Final

from django.db import models
from django.db.models import Q

from shouhu.core.policy.vocabulary import DOCUMENT_LABELS
from shouhu.web.accounts.models import User
from shouhu.web.accounts.permissions import Role
from shouhu.web.cases.models import Case, Category, OrphanType, Review


class ApplicationKind(models.TextChoices):
    ENROL = "enrol", "申请纳入保障"
    TERMINATE = "terminate", "终止保障"


class Stage(models.TextChoices):
    """申请现在在哪一步。前三步按次序；批准后不再变。"""

    VILLAGE = "village", "村（居）登记"
    TOWNSHIP = "township", "乡镇（街道）初审"
    COUNTY = "county", "县级民政审批"
    APPROVED = "approved", "已批准"
    SUPERSEDED = "superseded", "已另行办理"  # 个案已经别的途径纳入或终止（services 标记）
    WITHDRAWN = "withdrawn", "已撤回"  # 申请人（家庭）撤回，或提出终止的一方撤回，写明理由


OPEN_STAGES = (Stage.VILLAGE, Stage.TOWNSHIP, Stage.COUNTY)


# 各角色办理的环节：谁登记，申请就从这里开始
ROLE_STAGE: Final = MappingProxyType(
    {Role.CHILD_DIRECTOR: Stage.VILLAGE, Role.SUPERVISOR: Stage.TOWNSHIP,
     Role.CASEWORKER: Stage.COUNTY}
)  # fmt: skip
# 督导员也可以替村（居）办理登记一环（帮助儿童主任不在岗的村）
STAGE_ROLES: Final = MappingProxyType(
    {Stage.VILLAGE: frozenset({Role.CHILD_DIRECTOR, Role.SUPERVISOR}),
     Stage.TOWNSHIP: frozenset({Role.SUPERVISOR}), Stage.COUNTY: frozenset({Role.CASEWORKER})}
)  # fmt: skip


def stage_of(user: User) -> str:
    """这名用户登记的申请从哪一环节开始；不办理申请的角色为空。"""
    return ROLE_STAGE.get(user.role, "")


def may_act(user: User, stage: str) -> bool:
    return user.role in STAGE_ROLES.get(stage, frozenset())


class Decision(models.TextChoices):
    REGISTER = "register", "登记"
    PASS = "pass", "通过，报上一级"
    RETURN = "return", "退回"
    APPROVE = "approve", "批准"
    WITHDRAW = "withdraw", "撤回"


class Application(models.Model):
    """一份申请：为一名儿童申请纳入保障（主动帮助申请），或终止一个保障中的个案。

    纳入：类别、所依据的事实（`claimed`：[{"subject": "father", "type": "imprisoned"}]）、
    监护人或照料人、申请人陈述的情况。终止：个案、原因代码、书面理由（可由核查“建议终止”提出）。
    `case` 在纳入获批后是开出的个案；终止时是要终止的个案。
    """

    kind = models.CharField("申请类别", max_length=12, choices=ApplicationKind.choices)
    child = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="+")
    division = models.ForeignKey("registry.Division", on_delete=models.PROTECT, related_name="+")
    stage = models.CharField("办理环节", max_length=10, choices=Stage.choices)
    returned = models.BooleanField("被退回待处理", default=False)
    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, null=True, blank=True, related_name="applications"
    )
    category = models.CharField("保障类别", max_length=24, choices=Category.choices, blank=True)
    orphan_type = models.CharField(
        "孤儿类型", max_length=16, choices=OrphanType.choices, blank=True
    )
    claimed = models.JSONField("所依据的情形", default=list, blank=True)
    statement = models.TextField("申请情况说明", blank=True)
    carer_name = models.CharField("监护人或照料人姓名", max_length=50, blank=True)
    carer_id_number = models.CharField("监护人或照料人身份证号", max_length=18, blank=True)
    carer_relation = models.CharField("与儿童关系", max_length=20, blank=True)
    carer_phone = models.CharField("联系电话", max_length=30, blank=True)
    reason_code = models.CharField("终止原因代码", max_length=40, blank=True)
    reason = models.TextField("终止理由（书面说明）", blank=True)
    review = models.ForeignKey(
        Review, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    missing_override = models.TextField("缺少材料仍批准的理由", blank=True)
    created_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("登记时间", auto_now_add=True)
    decided_at = models.DateTimeField("批准时间", null=True, blank=True)

    class Meta:
        verbose_name = "申请"
        indexes = [models.Index(fields=["stage", "division"])]
        constraints = [
            models.UniqueConstraint(
                fields=["child", "kind"],
                condition=Q(stage__in=["village", "township", "county"]),
                name="application_one_open_per_child_and_kind",
            ),
        ]


class ApplicationStep(models.Model):
    """审批经过的一步：谁、何时、在哪一环节、作何决定、理由（退回时必填）。只增不改。"""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="steps")
    stage = models.CharField("环节", max_length=10, choices=Stage.choices)
    decision = models.CharField("决定", max_length=10, choices=Decision.choices)
    reason = models.TextField("意见或理由", blank=True)
    by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField("时间")

    class Meta:
        verbose_name = "审批经过"
        ordering = ["at", "pk"]


DocumentNeed = models.TextChoices(  # type: ignore[misc]
    "DocumentNeed", [(code.upper(), (code, label)) for code, label in DOCUMENT_LABELS.items()]
)


class DocumentStatus(models.TextChoices):
    ATTACHED = "attached", "已上传"
    MISSING = "missing", "缺少（已说明）"


class CaseDocument(models.Model):
    """一项证明材料：上传的扫描件（加密存放），或“缺少”并写明情况。

    每次上传或标记是新的一行，同一申请同一项材料以最新的一行为准（旧的留着，不丢）。
    文件名随机、不含个人信息；原文件名不存（常写着儿童姓名）。批准纳入后材料也挂到个案上。
    """

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="documents")
    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, null=True, blank=True, related_name="documents"
    )
    need = models.CharField("材料", max_length=32, choices=DocumentNeed.choices)
    status = models.CharField("状态", max_length=10, choices=DocumentStatus.choices)
    note = models.CharField("说明", max_length=200, blank=True)
    file_name = models.CharField("存放文件名", max_length=64, blank=True)
    content_type = models.CharField("文件类型", max_length=40, blank=True)
    size = models.PositiveIntegerField("大小（字节）", default=0)
    sha256 = models.CharField("内容哈希", max_length=64, blank=True)
    recorded_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField("记录时间", auto_now_add=True)

    class Meta:
        verbose_name = "证明材料"
        indexes = [models.Index(fields=["application", "need"])]


class TerminationNotice(models.Model):
    """终止保障告知书（给监护人，书面说明理由）：终止申请批准时生成，内容在批准时定下，不再改。"""

    application = models.OneToOneField(Application, on_delete=models.PROTECT, related_name="notice")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="+")
    guardian_name = models.CharField("监护人或照料人", max_length=50, blank=True)
    reason_code = models.CharField("终止原因代码", max_length=40)
    reason = models.TextField("终止理由")
    closed_on = models.DateField("终止保障日期")
    approving_body = models.CharField("批准机关", max_length=100)
    text = models.TextField("告知书正文")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "终止保障告知书"
