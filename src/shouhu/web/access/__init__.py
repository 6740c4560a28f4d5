"""访问层：唯一的入口。每次为某个用户读取人员、事实、个案、发现、疑义或报送数据，都经过这里。

用户只看到本辖区子树（`Division.path` 前缀）里、本角色允许的东西（`accounts.permissions`）。
要一个“不是你的”东西和要一个“不存在”的东西，得到完全相同的答复，每次拒绝都记入审计日志。

按对象分在几个模块里（persons、findings、objections、exchange），共同的形状在 `_gate`；
调用方只从这里导入：`from shouhu.web import access`，`access.access_person(ctx, pk)`。
"""

from shouhu.web.access.disclosure import Disclosure, disclosure_for, fact_level
from shouhu.web.access.exchange import (
    access_credential_submission,
    access_item,
    access_job,
    access_package_import,
    access_receipt_list,
    access_submission,
    access_submitter_agency,
    access_timeliness,
    access_upload,
    agencies_visible_to,
    may_read_scope,
    submissions_visible_to,
)
from shouhu.web.access.findings import (
    access_finding,
    access_findings_queue,
    access_run,
    access_run_list,
    access_run_start,
    findings_visible_to,
    runs_visible_to,
)
from shouhu.web.access.objections import (
    access_objection,
    access_objection_queue,
    may_answer_objection,
    objections_visible_to,
)
from shouhu.web.access.persons import (
    access_case,
    access_dashboard,
    access_fact,
    access_person,
    access_person_list,
    cases_visible_to,
    division_in_scope,
    divisions_visible_to,
    facts_in_scope,
    facts_visible_to,
    may_see_id_numbers,
    persons_visible_to,
)

__all__ = [
    "Disclosure",
    "access_case",
    "access_credential_submission",
    "access_dashboard",
    "access_fact",
    "access_finding",
    "access_findings_queue",
    "access_item",
    "access_job",
    "access_objection",
    "access_objection_queue",
    "access_package_import",
    "access_person",
    "access_person_list",
    "access_receipt_list",
    "access_run",
    "access_run_list",
    "access_run_start",
    "access_submission",
    "access_submitter_agency",
    "access_timeliness",
    "access_upload",
    "agencies_visible_to",
    "cases_visible_to",
    "disclosure_for",
    "division_in_scope",
    "divisions_visible_to",
    "fact_level",
    "facts_in_scope",
    "facts_visible_to",
    "findings_visible_to",
    "may_answer_objection",
    "may_read_scope",
    "may_see_id_numbers",
    "objections_visible_to",
    "persons_visible_to",
    "runs_visible_to",
    "submissions_visible_to",
]
