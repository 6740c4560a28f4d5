"""Administrative divisions and the people of the household registry, with parent–child links."""

from __future__ import annotations

from django.db import models
from django.db.models import Q


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
