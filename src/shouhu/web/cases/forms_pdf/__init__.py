"""Printable forms (PDF, Chinese font embedded): built from plain frozen dataclasses, so any part
of the platform (the case file, the approval and termination chains) can feed them."""

from shouhu.web.cases.forms_pdf.decisions import (
    ApprovalForm,
    Carer,
    FactLine,
    TerminationNotice,
    approval_form_pdf,
    termination_notice_pdf,
)
from shouhu.web.cases.forms_pdf.layout import missing_glyphs
from shouhu.web.cases.forms_pdf.lost_contact import (
    LostContact,
    Parent,
    lost_contact_finding_pdf,
    lost_contact_receipt_pdf,
)

__all__ = [
    "ApprovalForm",
    "Carer",
    "FactLine",
    "LostContact",
    "Parent",
    "TerminationNotice",
    "approval_form_pdf",
    "lost_contact_finding_pdf",
    "lost_contact_receipt_pdf",
    "missing_glyphs",
    "termination_notice_pdf",
]
