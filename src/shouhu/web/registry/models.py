"""Administrative divisions and the people of the household registry, with parent–child links."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from shouhu.core.identity.registry import PERSON_STATUS_LABELS


class DivisionLevel(models.TextChoices):
    PROVINCE = "province", "省/自治区"
    CITY = "city", "市/盟"
    COUNTY = "county", "县/区/旗"
    TOWNSHIP = "township", "乡镇/苏木/街道"
    VILLAGE = "village", "村/嘎查/居"


class Division(models.Model):
    """A GB/T 2260 division. `path` lists the ancestors' codes so a subtree is one prefix query."""

    code = models.CharField("区划代码", max_length=12, primary_key=True)
    name = models.CharField("名称", max_length=60)
    level = models.CharField("层级", max_length=10, choices=DivisionLevel.choices)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    path = models.CharField(max_length=80, db_index=True, help_text="/150000/150800/150802/")
    synthetic = models.BooleanField("演示数据", default=False)

    class Meta:
        verbose_name = "行政区划"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


RegistryStatus = models.TextChoices(  # type: ignore[misc]
    "RegistryStatus",
    [(code.upper(), (code, label)) for code, label in PERSON_STATUS_LABELS.items()],
)


class LinkBasis(models.TextChoices):
    ID_NUMBER = "id_number", "户籍登记的父母身份证号"
    HOUSEHOLD_NAME = "household_name", "同户中姓名唯一一致"
    DEMO = "demo", "演示数据"


class Gender(models.TextChoices):
    MALE = "M", "男"
    FEMALE = "F", "女"


class Person(models.Model):
    """A person of the household registry (户籍). `id_number` is the GB 11643 resident ID."""

    id_number = models.CharField("身份证号", max_length=18, null=True, blank=True, unique=True)
    name = models.CharField("姓名", max_length=50)
    name_pinyin = models.CharField("姓名拼音", max_length=120, db_index=True)
    gender = models.CharField("性别", max_length=1, choices=Gender.choices, blank=True)
    birth_date = models.DateField("出生日期", null=True, blank=True)
    division = models.ForeignKey(
        Division, on_delete=models.PROTECT, related_name="persons", verbose_name="户籍地"
    )
    registry_status = models.CharField(
        "户籍状态", max_length=10, choices=RegistryStatus.choices, default=RegistryStatus.REGISTERED
    )
    household_number = models.CharField("户号", max_length=50, blank=True)
    merged_into = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        help_text="合并为同一人后，被并入的记录指向保留的记录（可撤销）",
    )  # fmt: skip
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "人员"
        indexes = [models.Index(fields=["name"]), models.Index(fields=["birth_date"])]

    def __str__(self) -> str:
        return f"人员#{self.pk}"


class Relation(models.TextChoices):
    FATHER = "father", "父亲"
    MOTHER = "mother", "母亲"


class ParentLink(models.Model):
    """The child's father or mother, as the registry records them."""

    child = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="parent_links")
    parent = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="child_links")
    relation = models.CharField("关系", max_length=6, choices=Relation.choices)
    basis = models.CharField(
        "依据", max_length=16, choices=LinkBasis.choices, default=LinkBasis.ID_NUMBER
    )

    class Meta:
        verbose_name = "亲子关系"
        constraints = [
            models.UniqueConstraint(
                fields=["child", "relation"], name="parent_link_one_per_relation"
            ),
            models.CheckConstraint(
                condition=~Q(child=models.F("parent")), name="parent_link_not_self"
            ),
        ]


# ---------------------------------------------------------------- 户籍基线的载入与历史
#
# 户籍数据经报送（上传、命令行、接口、离线包）进入平台：每一次载入是一条 RegistryLoad，
# 每个人的每一次变化是一条 PersonVersion（带载入和日期，从不覆盖、从不删除）；Person 与
# ParentLink 只是“当前状态”的投影，历史在版本里。


class LoadMode(models.TextChoices):
    FULL = "full", "全量名单"
    DELTA = "delta", "变动名单"


class LoadStatus(models.TextChoices):
    APPLIED = "applied", "已载入"
    HELD = "held", "已载入，待确认移出人员"
    CONFIRMED = "confirmed", "已载入，移出人员已确认"
    DISCARDED = "discarded", "已载入，移出人员未采纳"


class RegistryLoad(models.Model):
    """一次户籍数据的载入：来自一份报送，范围是报送部门的辖区。"""

    submission = models.OneToOneField(
        "exchange.Submission", on_delete=models.PROTECT, related_name="registry_load"
    )
    scope = models.ForeignKey(Division, on_delete=models.PROTECT, related_name="+")
    mode = models.CharField("名单类型", max_length=5, choices=LoadMode.choices)
    status = models.CharField("状态", max_length=10, choices=LoadStatus.choices)
    counts = models.JSONField("变动统计", default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "户籍数据载入"
        ordering = ["-pk"]


class ChangeKind(models.TextChoices):
    NEW = "new", "新登记"
    UPDATED = "updated", "信息变更"
    MOVED = "moved", "户籍地变更"
    NUMBER_CHANGED = "number_changed", "身份证号变更"
    DECEASED = "deceased", "死亡"
    CANCELLED = "cancelled", "注销"
    MOVED_OUT = "moved_out", "迁出"
    ABSENT = "absent", "不在全量名单中"
    RESTORED = "restored", "重新在册"
    PARENTS = "parents", "父母登记变更"


class PersonVersion(models.Model):
    """一个人户籍信息的一个版本：变化后的全部登记项，和与上一版相比变了什么。"""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="versions")
    load = models.ForeignKey(
        RegistryLoad, on_delete=models.PROTECT, null=True, blank=True, related_name="versions"
    )
    valid_from = models.DateField("生效日期")
    changes = models.JSONField("变化", default=list)  # ChangeKind 的值
    id_number = models.CharField("身份证号", max_length=18, blank=True)
    former_id_number = models.CharField("原身份证号", max_length=18, blank=True)
    name = models.CharField("姓名", max_length=50)
    gender = models.CharField("性别", max_length=1, blank=True)
    birth_date = models.DateField("出生日期", null=True, blank=True)
    division_code = models.CharField("户籍地", max_length=12)
    household_number = models.CharField("户号", max_length=50, blank=True)
    status = models.CharField("户籍状态", max_length=10, choices=RegistryStatus.choices)
    father_id_number = models.CharField("父亲身份证号", max_length=18, blank=True)
    mother_id_number = models.CharField("母亲身份证号", max_length=18, blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "户籍信息版本"
        ordering = ["person", "pk"]


class FormerNumber(models.Model):
    """不再使用的身份证号（15 位升 18 位、重新编号）：部门记录带旧号码时仍能联到这个人。"""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="former_numbers")
    id_number = models.CharField("原身份证号", max_length=18, unique=True)
    load = models.ForeignKey(
        RegistryLoad, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = "曾用身份证号"


class IssueKind(models.TextChoices):
    NUMBER_CLAIMED = "number_claimed", "两人使用同一身份证号"
    PARENT_YOUNGER = "parent_younger", "父母不比子女年长"
    PARENT_UNRESOLVED = "parent_unresolved", "父母只有姓名，未能唯一确定"
    DIVISION_UNKNOWN = "division_unknown", "区划代码不在区划表中，按上级区划登记"
    NUMBER_TAKEN = "number_taken", "新号码已属于另一人"


class RegistryIssue(models.Model):
    """载入时不能自动处理、需要核实的问题；不含身份证号全文（只存人员和行号）。"""

    load = models.ForeignKey(RegistryLoad, on_delete=models.CASCADE, related_name="issues")
    kind = models.CharField("问题", max_length=20, choices=IssueKind.choices)
    row = models.PositiveIntegerField("行号")
    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    note = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        verbose_name = "户籍载入问题"
        ordering = ["load", "row"]


class PendingAbsence(models.Model):
    """全量名单中没有、本应标记为“不在名单中”的人：比例超过阈值时等经办人员确认。"""

    load = models.ForeignKey(RegistryLoad, on_delete=models.CASCADE, related_name="pending")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = "待确认的移出人员"
        constraints = [
            models.UniqueConstraint(fields=["load", "person"], name="pending_absence_once")
        ]


class PersonMerge(models.Model):
    """两条人员记录合并为一人（一人一档）：被并入记录的事实、个案、亲子关系、发现等改挂到保留的
    记录上，移动了哪些行逐一记下，撤销时原样移回。"""

    kept = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    merged = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    merged_id_number = models.CharField("被并入记录的身份证号", max_length=18, blank=True)
    moved = models.JSONField("移动的记录", default=dict)  # "应用.模型.字段" → [主键]
    reason = models.CharField("合并理由", max_length=200)
    merged_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    merged_at = models.DateTimeField(auto_now_add=True)
    undone_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    undone_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "人员合并"
        ordering = ["-pk"]
