"""Every list of the platform can be taken away as Excel through the one export path (issue 17:
"every table and list in the platform exportable to XLSX"). A list page added later must either
name its export here or be named, with the reason, among the lists that have none yet — so a gap is
a decision someone wrote down, not an oversight. The exports themselves are tested with their
pages (content, masking, audit); the every-page walk requests each of them for every role."""

from __future__ import annotations

import re

from django.urls import get_resolver

# list page → its export
LIST_EXPORTS = {
    "comparison_findings": "comparison_findings_export",
    "person_list": "person_export",
    "case_work_list": "case_work_export",
    "application_list": "application_export",
    "objection_queue": "objection_queue_export",
    "dashboard": "dashboard_export",
    "meeting_board": "meeting_board_export",
    "audit_desk": "audit_export",
    "share_list": "share_export",
    "subsidy_roster": "subsidy_export",
    "stat_reports": "stat_report_export",
    "exchange_receipts": "exchange_receipts_export",
    "query_log": "query_log_export",
}
# list pages without an export yet, and why
NO_EXPORT_YET = {
    "objection_mine": "a caseworker's own objections: few, each opens to its page",
    "notification_list": "the bell's notices: not a working list",
    "exchange_timeliness": "not yet: departments' timeliness grid (the dashboard export has it)",
    "registry_load_list": "not yet: each load's change report is exported on its own page",
    "duplicate_list": "not yet: probable duplicates are worked one pair at a time",
    "case_transfer_list": "not yet",
    "admin_users": "not yet: accounts (no children's data)",
    "admin_agencies": "not yet: departments (no children's data)",
    "admin_roster": "not yet: the roster of village child directors",
    "admin_credentials": "API credentials: secrets are never exported",
    "admin_jobs": "background jobs: operational, no children's data",
}
LIST_NAME = re.compile(
    r"(_list|_queue|_findings|_receipts|_roster|_reports|_board|_desk|_users"
    r"|_agencies|_credentials|_jobs|_timeliness|_mine|_log)$|^dashboard$"
)


def _names() -> set[str]:
    return {name for name in get_resolver().reverse_dict if isinstance(name, str)}


def test_every_list_page_has_an_export_or_a_written_reason() -> None:
    lists = {name for name in _names() if LIST_NAME.search(name)}
    undecided = lists - set(LIST_EXPORTS) - set(NO_EXPORT_YET)
    assert not undecided, f"give these lists an export or a reason: {sorted(undecided)}"
    assert not set(LIST_EXPORTS) & set(NO_EXPORT_YET)


def test_the_named_exports_exist() -> None:
    names = _names()
    missing = {p: e for p, e in LIST_EXPORTS.items() if p not in names or e not in names}
    assert not missing, missing
