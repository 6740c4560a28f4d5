"""读申请：审批经过、材料清单、儿童页面上的申请，以及给打印模块的两份数据（终止保障告知书、
审批表）。都是只读的冻结数据类；申请须已经过访问层（`access.access_application`）。"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import QuerySet

from shouhu.core.policy.vocabulary import (
    DOCUMENT_LABELS,
    FACT_DOCUMENT_NEEDS,
    FACT_DOCUMENTS,
    FACT_LABELS,
    SUBJECT_LABELS,
)
from shouhu.core.policy.wording import reason_label
from shouhu.web import access
from shouhu.web.cases.application_models import (
    OPEN_STAGES,
    Application,
    ApplicationKind,
    Decision,
    DocumentStatus,
    Stage,
)
from shouhu.web.cases.approvals import (
    approving_body,
    documents_latest,
    documents_needed_for,
    notice_text_shown,
)
from shouhu.web.cases.work_panel import person_name

# 每项材料能用哪些文书（给填写人看）：由事实类型的文书清单反查
_ACCEPTED = {need: FACT_DOCUMENTS[t] for t, need in FACT_DOCUMENT_NEEDS.items()}


@dataclass(frozen=True)
class StepLine:
    stage_label: str
    decision: str
    decision_label: str
    by: str
    at: datetime
    reason: str


@dataclass(frozen=True)
class DocumentRow:
    need: str
    label: str
    accepted: tuple[str, ...]
    needed: bool
    status: str  # attached / missing / 空（还没有）
    status_label: str
    note: str
    document_id: int | None
    size_kb: int


@dataclass(frozen=True)
class ApplicationLine:
    """申请列表和儿童页面上的一行。"""

    pk: int
    kind: str
    kind_label: str
    child_name: str
    stage: str
    stage_label: str
    returned: bool
    created_at: datetime
    steps: tuple[StepLine, ...]

    @property
    def open(self) -> bool:
        return self.stage in OPEN_STAGES


def claimed_text(app: Application) -> tuple[str, ...]:
    """“父亲：服刑在押”“儿童：查找不到生父母”。"""
    return tuple(f"{SUBJECT_LABELS[c['subject']]}：{FACT_LABELS[c['type']]}" for c in app.claimed)


def application_steps(app: Application) -> tuple[StepLine, ...]:
    return tuple(
        StepLine(
            Stage(s.stage).label,
            s.decision,
            Decision(s.decision).label,
            person_name(s.by),
            s.at,
            s.reason,
        )
        for s in app.steps.select_related("by").order_by("at", "pk")
    )


def application_documents(app: Application) -> tuple[DocumentRow, ...]:
    """需要的材料（按清单次序），再加清单外另行上传的。"""
    latest = documents_latest(app)
    needed = documents_needed_for(app)
    rows = []
    for need in (*needed, *(n for n in latest if n not in needed)):
        doc = latest.get(need)
        rows.append(DocumentRow(
            need=need, label=DOCUMENT_LABELS[need], accepted=_ACCEPTED.get(need, ()),
            needed=need in needed, status=doc.status if doc else "",
            status_label=DocumentStatus(doc.status).label if doc else "未上传",
            note=doc.note if doc else "",
            document_id=doc.pk if doc and doc.status == DocumentStatus.ATTACHED else None,
            size_kb=(doc.size + 1023) // 1024 if doc else 0,
        ))  # fmt: skip
    return tuple(rows)


def application_line(app: Application) -> ApplicationLine:
    return ApplicationLine(
        app.pk, app.kind, ApplicationKind(app.kind).label, app.child.name, app.stage,
        Stage(app.stage).label, app.returned, app.created_at, application_steps(app),
    )  # fmt: skip


def applications_waiting(visible: QuerySet[Application], stage: str) -> QuerySet[Application]:
    """在这一环节等着办理的（含退回到这一环节的）。"""
    return visible.filter(stage=stage).select_related("child").order_by("-returned", "created_at")


def applications_of_child(
    visible: QuerySet[Application], child_id: int
) -> tuple[ApplicationLine, ...]:
    """儿童页面上的申请和审批经过（在办的在前）。"""
    apps = visible.filter(child_id=child_id).select_related("child").order_by("-created_at")
    lines = [application_line(a) for a in apps[:10]]
    return tuple(sorted(lines, key=lambda line: line.stage not in OPEN_STAGES))


# ---------------------------------------------------------------- 给打印模块（cases/printing）


@dataclass(frozen=True)
class TerminationNoticeData:
    """终止保障告知书：儿童、监护人、原因和书面理由、终止日期、批准机关、正文。"""

    child_name: str
    child_id_number: str
    guardian_name: str
    reason_code: str
    reason_label: str
    reason: str
    closed_on: date
    approving_body: str
    approved_at: datetime | None
    text: str


def termination_notice_data(
    *, application: Application, disclosure: access.Disclosure
) -> TerminationNoticeData | None:
    """已批准的终止申请的告知书数据；还没批准（没有告知书）时为 None。告知书正文里的类别按
    这个用户的授权显示（`access.category_text`）。"""
    notice = getattr(application, "notice", None)
    if notice is None:
        return None
    child = application.child
    category = application.case.category if application.case else application.category
    return TerminationNoticeData(
        child_name=child.name, child_id_number=child.id_number,
        guardian_name=notice.guardian_name, reason_code=notice.reason_code,
        reason_label=reason_label(notice.reason_code), reason=notice.reason,
        closed_on=notice.closed_on, approving_body=notice.approving_body,
        approved_at=application.decided_at,
        text=notice_text_shown(notice.text, access.category_text(disclosure, category)),
    )  # fmt: skip


@dataclass(frozen=True)
class ApprovalFormData:
    """审批表：儿童、申请类别、所依据的情形、监护人、材料、各环节的意见（谁、何时、决定、理由）。"""

    kind_label: str
    child_name: str
    child_id_number: str
    child_birth_date: date | None
    division_name: str
    category_label: str
    claimed: tuple[str, ...]
    statement: str
    carer_name: str
    carer_relation: str
    carer_phone: str
    reason: str
    documents: tuple[DocumentRow, ...]
    missing_override: str
    steps: tuple[StepLine, ...]
    approving_body: str


def approval_form_data(
    *, application: Application, disclosure: access.Disclosure
) -> ApprovalFormData:
    app, child = application, application.child
    return ApprovalFormData(
        kind_label=ApplicationKind(app.kind).label, child_name=child.name,
        child_id_number=child.id_number, child_birth_date=child.birth_date,
        division_name=app.division.name,
        category_label=access.category_text(disclosure, app.category, app.orphan_type),
        claimed=claimed_text(app), statement=app.statement, carer_name=app.carer_name,
        carer_relation=app.carer_relation, carer_phone=app.carer_phone, reason=app.reason,
        documents=application_documents(app), missing_override=app.missing_override,
        steps=application_steps(app), approving_body=approving_body(app.division),
    )  # fmt: skip
