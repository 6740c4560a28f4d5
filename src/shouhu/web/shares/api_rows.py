"""接口报来的反馈行：与上传的名单同样的校验（`services.feedback_problem`），逐行说明问题。"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ninja import Field, Schema

from shouhu.web.shares.models import ShareList
from shouhu.web.shares.services import FeedbackInput, feedback_problem


class ApiFeedbackRow(Schema):
    ref: str = Field(..., max_length=40, description="名单编号，取名单时给出的 ref")
    outcome: str = Field(..., max_length=20, description="done / not_applicable / could_not")
    done_on: date | None = Field(None, description="办理日期（done 必填）")
    reference: str = Field("", max_length=60, description="办理编号，如参保登记号")
    reason: str = Field("", max_length=200, description="原因（could_not 必填）")


@dataclass(frozen=True)
class ApiProblem:
    row: int
    column: str
    message: str


def read_api_rows(
    share_list: ShareList, rows: list[ApiFeedbackRow], *, today: date
) -> tuple[dict[int, FeedbackInput], list[ApiProblem]]:
    ids = set(share_list.entries.values_list("pk", flat=True))
    prefix = f"{share_list.pk}-"
    found: dict[int, FeedbackInput] = {}
    problems: list[ApiProblem] = []
    for number, row in enumerate(rows, start=1):
        tail = row.ref[len(prefix) :] if row.ref.startswith(prefix) else ""
        entry_id = int(tail) if tail.isdigit() and len(tail) < 19 else -1
        if entry_id not in ids:
            problems.append(ApiProblem(number, "ref", "不是这份名单上的编号"))
            continue
        if entry_id in found:
            problems.append(ApiProblem(number, "ref", "同一编号在这批里出现了两次"))
            continue
        given = FeedbackInput(row.outcome, row.done_on, row.reference, row.reason)
        problem = feedback_problem(given, today=today)
        if problem is not None:
            problems.append(ApiProblem(number, problem[0], problem[1]))
            continue
        found[entry_id] = given
    return found, problems
