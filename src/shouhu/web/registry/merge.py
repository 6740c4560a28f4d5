"""一人一档：把同一个人的两条人员记录合并，并能原样撤销。

合并时，指向被并入记录的每一行（事实、个案、亲子关系、比对发现、户籍版本……——按模型的外键
自动找出，新加的模型不会漏）改挂到保留的记录上，移动了哪些行逐一记在 `PersonMerge.moved`；
被并入记录的身份证号转为保留记录的曾用号码（部门再用这个号码报送，仍联到这个人），记录本身
留着（`merged_into`），不删除。撤销时按记录把这些行移回、号码还原。两步都记入审计。

不能合并的：两人都有保障中的个案（先终止其中一个）；一人是另一人的父母或子女。
"""

from __future__ import annotations

from typing import Any

from django.db import models, transaction
from django.utils import timezone

from shouhu.core.errors import InvalidInput
from shouhu.web.audit.context import RequestContext
from shouhu.web.audit.models import Action, ObjectType
from shouhu.web.audit.services import audit_record
from shouhu.web.registry.models import (
    FormerNumber,
    ParentLink,
    PendingAbsence,
    Person,
    PersonMerge,
)

FORMER_CREATED = "former_number_created"


def _person_references() -> list[tuple[type[models.Model], str]]:
    """指向人员的全部外键（模型, 字段名），合并记录本身和 merged_into 除外。"""
    out = []
    for relation in Person._meta.related_objects:
        model = relation.related_model
        if not isinstance(relation.field, models.ForeignKey) or model is PersonMerge:
            continue
        if model is Person:
            continue
        out.append((model, relation.field.name))
    return out


def _key(model: type[models.Model], field: str) -> str:
    return f"{model._meta.label}.{field}"


def _movable(model: type[models.Model], field: str, kept: Person, merged: Person) -> list[int]:
    rows = model._default_manager.filter(**{field: merged})
    if model is ParentLink and field == "child":
        # 保留记录已有的父亲或母亲不再挂第二个，被并入记录的这一行原地留着
        # （一人是另一人父母的两条记录，person_merge 已经拒绝合并）
        rows = rows.exclude(relation__in=kept.parent_links.values("relation"))
    if model is PendingAbsence:  # 同一次载入对同一人只挂起一次
        rows = rows.exclude(load__in=PendingAbsence.objects.filter(person=kept).values("load"))
    return list(rows.values_list("pk", flat=True))


def person_merge(*, ctx: RequestContext, kept: Person, merged: Person, reason: str) -> PersonMerge:
    """把 merged 并入 kept。两人须已经过访问层（同一辖区、可写个案的角色）。"""
    reason = reason.strip()
    if not reason:
        raise InvalidInput("请写明合并理由（例如：同一人，身份证号录错一位）。")
    if kept.pk == merged.pk or kept.merged_into_id or merged.merged_into_id:
        raise InvalidInput("这两条记录不能合并：其中一条已并入他人，或是同一条记录。")
    if (
        ParentLink.objects.filter(child=kept, parent=merged).exists()
        or ParentLink.objects.filter(child=merged, parent=kept).exists()
    ):
        raise InvalidInput("一人登记为另一人的父母，不是同一人，不能合并。")
    both_active = [p for p in (kept, merged) if p.cases.filter(status="active").exists()]
    if len(both_active) == 2:
        raise InvalidInput("两人都有保障中的个案：请先终止其中一个，再合并。")
    assert ctx.user is not None
    with transaction.atomic():
        moved: dict[str, Any] = {}
        for model, field in _person_references():
            pks = _movable(model, field, kept, merged)
            if pks:
                model._default_manager.filter(pk__in=pks).update(**{field: kept})
                moved[_key(model, field)] = pks
        old_number = merged.id_number or ""
        merged.id_number = None
        merged.merged_into = kept
        merged.save(update_fields=["id_number", "merged_into"])
        if old_number and old_number != kept.id_number:
            former, created = FormerNumber.objects.get_or_create(
                id_number=old_number, defaults={"person": kept}
            )
            if created:
                moved[FORMER_CREATED] = former.pk
        merge = PersonMerge.objects.create(
            kept=kept,
            merged=merged,
            merged_id_number=old_number,
            moved=moved,
            reason=reason[:200],
            merged_by=ctx.user,
        )
        audit_record(
            ctx=ctx,
            action=Action.UPDATE,
            object_type=ObjectType.PERSON_MERGE,
            object_id=merge.pk,
            detail={"kept": kept.pk, "merged": merged.pk, "moved": _counts(moved)},
        )
    return merge


def person_merge_undo(*, ctx: RequestContext, merge: PersonMerge) -> None:
    """撤销合并：移动过的行移回，号码还原。保留的记录此后又被并入他人时，先撤销那一次。"""
    if merge.undone_at is not None:
        raise InvalidInput("这次合并已经撤销过了。")
    kept, merged = merge.kept, merge.merged
    if kept.merged_into_id is not None:
        raise InvalidInput("保留的记录此后又并入了另一人：请先撤销那一次合并。")
    number = merge.merged_id_number
    if number and Person.objects.filter(id_number=number).exclude(pk=merged.pk).exists():
        raise InvalidInput("被并入记录原来的身份证号现已登记给另一人，不能自动撤销，请联系管理员。")
    assert ctx.user is not None
    with transaction.atomic():
        references = {_key(model, field): (model, field) for model, field in _person_references()}
        for key, pks in merge.moved.items():
            if key == FORMER_CREATED:
                FormerNumber.objects.filter(pk=pks).delete()
                continue
            model, field = references[key]
            model._default_manager.filter(pk__in=pks).update(**{field: merged})
        merged.id_number = number or None
        merged.merged_into = None
        merged.save(update_fields=["id_number", "merged_into"])
        merge.undone_by = ctx.user
        merge.undone_at = timezone.now()
        merge.save(update_fields=["undone_by", "undone_at"])
        audit_record(
            ctx=ctx,
            action=Action.UPDATE,
            object_type=ObjectType.PERSON_MERGE,
            object_id=merge.pk,
            detail={"undo": True, "kept": kept.pk, "merged": merged.pk},
        )


def _counts(moved: dict[str, Any]) -> dict[str, int]:
    return {key: len(pks) for key, pks in moved.items() if isinstance(pks, list)}
