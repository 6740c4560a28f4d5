"""人工关联：经办人员核对后认定一条部门记录说的是户籍中的哪个人。

关联不是记录的内容（部门所填的号码、姓名原样留着），所以改的是记录的 `person` 和关联方式，
不另出版本；下次比对时这条记录带此人的号码（`comparison/export.py` 采信人工确认的关联）。
"""

from __future__ import annotations

from django.db import transaction

from shouhu.core.errors import InvalidInput
from shouhu.core.identity.links import MANUAL, TRUSTED_LINK_METHODS
from shouhu.web.audit.context import RequestContext
from shouhu.web.audit.models import Action, ObjectType
from shouhu.web.audit.services import audit_record
from shouhu.web.exchange.models import Fact
from shouhu.web.registry.models import Person

ALREADY_LINKED = "这条记录已可靠关联到一个人，无需再选。"


def fact_link_manual(*, ctx: RequestContext, fact: Fact, person: Person) -> Fact:
    """把记录关联到 person（调用方已经核对过用户能看到这条记录和这个人）。"""
    with transaction.atomic():
        locked = Fact.objects.select_for_update().get(pk=fact.pk)
        if not locked.is_current:
            raise InvalidInput("这条记录已被更正，请对最新版本办理。")
        if locked.person_id is not None and locked.link_method in TRUSTED_LINK_METHODS:
            raise InvalidInput(ALREADY_LINKED)
        before = locked.link_method or "unlinked"
        locked.person, locked.link_method, locked.link_confidence = person, MANUAL, 100
        locked.save(update_fields=["person", "link_method", "link_confidence"])
        audit_record(
            ctx=ctx,
            action=Action.UPDATE,
            object_type=ObjectType.FACT,
            object_id=locked.pk,
            detail={"link": MANUAL, "was": before, "person": person.pk},
        )
    return locked
