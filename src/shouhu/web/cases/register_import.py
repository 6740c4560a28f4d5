"""台账导入（台账迁移）：县里原有的孤儿和事实无人抚养儿童台账变成个案，保留真实的纳入日期和照料人。

两步：`register_import_upload` 收下文件、建议列的对应关系；经办人员确认后
`register_import_run` 在一个事务里导入——中途出错什么也不留下。同一辖区同一文件内容只导入一次。

每一行按身份证号与经办人员辖区内的户籍人员匹配。找不到人、姓名与户籍不符、值有误、
与文件中另一行是同一人、已有保障中的个案（或同一纳入日期的个案）的行不导入，逐行写明原因
（第几行、哪一列），可下载。导入时不按认定规则复核资格：台账上的儿童是已经认定过的，
与规则不一致的由比对发现去处理。
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from django.db import IntegrityError, transaction
from django.utils import timezone

from shouhu.core.errors import DomainError, ErrorCode, InvalidInput
from shouhu.core.exchange import CellError
from shouhu.core.exchange.messages import cell_error, mask_id
from shouhu.core.identity import normalize_name
from shouhu.core.policy.vocabulary import category_for_log
from shouhu.web.audit.context import RequestContext
from shouhu.web.audit.models import Action, ObjectType
from shouhu.web.audit.services import audit_record
from shouhu.web.cases.models import (
    CareArrangement,
    Case,
    CaseStatus,
    RegisterImport,
    RegisterImportStatus,
)
from shouhu.web.cases.register_columns import (
    FIELD_BY_KEY,
    RegisterRow,
    RowReader,
    mapping_problems,
    mapping_propose,
)
from shouhu.web.cases.register_files import sheet_read
from shouhu.web.cases.services import case_open
from shouhu.web.exchange.errorlists import errors_pack
from shouhu.web.registry.models import Division, Person

MAX_BYTES = 20 * 1024 * 1024
CHUNK = 500
IMPORTED_REASON_CODE = "register_import"  # 终止原因代码：迁移前已终止，理由照录原台账
ALREADY_IMPORTED = "这个文件已经导入过（内容完全相同），不再重复导入。"


@dataclass(frozen=True)
class UploadOutcome:
    register_import: RegisterImport
    earlier: bool  # 同一文件此前已经导入过：这是那一次的导入


@dataclass(frozen=True)
class ImportOutcome:
    register_import: RegisterImport
    cases_created: int
    problems: list[CellError]


def register_import_upload(
    *, ctx: RequestContext, division: Division, filename: str, data: bytes
) -> UploadOutcome:
    """收下台账文件，读出表头并建议对应关系。同一文件已导入过或已上传待确认的，返回那一次。"""
    name = (filename or "台账.xlsx").replace("\\", "/").rsplit("/", 1)[-1][:200]
    if len(data) > MAX_BYTES:
        raise InvalidInput(f"文件「{name}」太大，台账文件应不超过 {MAX_BYTES // 2**20} MB。")
    digest = hashlib.sha256(data).hexdigest()
    same = RegisterImport.objects.filter(division=division, content_sha256=digest).defer("data")
    done = same.filter(status=RegisterImportStatus.IMPORTED).first()
    if done is not None:
        return UploadOutcome(done, earlier=True)
    pending = same.first()  # 上传过、还没确认：接着确认那一次，不另起一条
    if pending is not None:
        return UploadOutcome(pending, earlier=False)
    sheet = sheet_read(data, name)
    with transaction.atomic():
        upload = RegisterImport.objects.create(
            division=division,
            filename=name,
            content_sha256=digest,
            data=data,
            mapping={"headers": sheet.headers, "columns": mapping_propose(sheet.headers)},
            rows_total=len(sheet.rows),
            uploaded_by=ctx.user,
        )
        audit_record(
            ctx=ctx,
            action=Action.CREATE,
            object_type=ObjectType.REGISTER_IMPORT,
            object_id=upload.pk,
            detail={"sha256": digest, "rows": len(sheet.rows), "columns": len(sheet.headers)},
        )
    return UploadOutcome(upload, earlier=False)


def register_import_run(
    *, ctx: RequestContext, register_import: RegisterImport, columns: Sequence[str]
) -> ImportOutcome:
    """按确认的列对应关系导入：一个事务，全部成功或什么也不留下。"""
    headers = list(register_import.mapping.get("headers", []))
    chosen = [str(key) for key in columns]
    problems = mapping_problems(headers, chosen)
    if problems:
        raise InvalidInput("".join(problems))
    try:
        with transaction.atomic():
            return _run(ctx, register_import, headers, chosen)
    except IntegrityError:  # 另一人同时导入了同一个文件（唯一约束兜底）
        raise DomainError(ALREADY_IMPORTED, code=ErrorCode.CONFLICT) from None


def _run(
    ctx: RequestContext, upload: RegisterImport, headers: list[str], columns: list[str]
) -> ImportOutcome:
    locked = RegisterImport.objects.select_for_update().get(pk=upload.pk)
    if (
        locked.status == RegisterImportStatus.IMPORTED
        or RegisterImport.objects.filter(
            division_id=locked.division_id,
            content_sha256=locked.content_sha256,
            status=RegisterImportStatus.IMPORTED,
        ).exists()
    ):
        raise DomainError(ALREADY_IMPORTED, code=ErrorCode.CONFLICT)
    sheet = sheet_read(bytes(locked.data), locked.filename)
    reader = RowReader(
        filename=locked.filename, headers=headers, mapping=columns, today=timezone.localdate()
    )
    rows, problems = _read_rows(reader, sheet.rows)
    matched, more = _Matcher(locked, headers, columns).match(rows)
    problems = sorted(problems + more, key=lambda p: p.row)
    for row, child in matched:
        _case_create(ctx, locked, row, child)
    locked.status = RegisterImportStatus.IMPORTED
    locked.mapping = {"headers": headers, "columns": columns}
    locked.rows_total, locked.cases_created = len(sheet.rows), len(matched)
    locked.problems = errors_pack(problems)
    locked.imported_at, locked.imported_by = timezone.now(), ctx.user
    locked.save(
        update_fields=[
            "status", "mapping", "rows_total", "cases_created", "problems", "imported_at",
            "imported_by",
        ]
    )  # fmt: skip
    audit_record(
        ctx=ctx,
        action=Action.UPDATE,
        object_type=ObjectType.REGISTER_IMPORT,
        object_id=locked.pk,
        detail={
            "sha256": locked.content_sha256,
            "rows": len(sheet.rows),
            "cases": len(matched),
            "not_imported": len({p.row for p in problems}),
        },
    )
    return ImportOutcome(locked, len(matched), problems)


def _read_rows(
    reader: RowReader, raw_rows: list[tuple[int, list[object]]]
) -> tuple[list[RegisterRow], list[CellError]]:
    rows: list[RegisterRow] = []
    problems: list[CellError] = []
    for number, cells in raw_rows:
        row, errors = reader.read(number, cells)
        problems.extend(errors)
        if row is not None:
            rows.append(row)
    return rows, problems


class _Matcher:
    """把读通的行与辖区内的户籍人员对上，找出不能导入的行。"""

    def __init__(self, upload: RegisterImport, headers: list[str], columns: list[str]) -> None:
        self.upload = upload
        self.id_column = self._column(headers, columns, "id_number")
        self.name_column = self._column(headers, columns, "name")
        self.date_column = self._column(headers, columns, "opened_on")

    @staticmethod
    def _column(headers: list[str], columns: list[str], key: str) -> str:
        return headers[columns.index(key)] if key in columns else FIELD_BY_KEY[key].label

    def match(
        self, rows: list[RegisterRow]
    ) -> tuple[list[tuple[RegisterRow, Person]], list[CellError]]:
        persons: dict[str, Person] = {}
        self.active: set[int] = set()
        self.opened: set[tuple[int, date]] = set()
        numbers = sorted({r.id_number for r in rows})
        for start in range(0, len(numbers), CHUNK):  # 数据库对一条语句的参数个数有上限
            found = Person.objects.filter(
                division__path__startswith=self.upload.division.path,
                id_number__in=numbers[start : start + CHUNK],
            )
            chunk = {p.id_number: p for p in found if p.id_number}
            persons.update(chunk)
            cases = Case.objects.filter(child__in=list(chunk.values()))
            self.active.update(
                cases.filter(status=CaseStatus.ACTIVE).values_list("child_id", flat=True)
            )
            self.opened.update(cases.values_list("child_id", "opened_on"))
        self.rows_of: dict[str, list[int]] = defaultdict(list)
        for row in rows:
            self.rows_of[row.id_number].append(row.row)
        matched: list[tuple[RegisterRow, Person]] = []
        problems: list[CellError] = []
        for row in rows:
            person = persons.get(row.id_number)
            problem = self._problem(row, person)
            if problem is not None:
                problems.append(problem)
            elif person is not None:
                matched.append((row, person))
        return matched, problems

    def _problem(self, row: RegisterRow, person: Person | None) -> CellError | None:
        masked = mask_id(row.id_number)
        others = [str(n) for n in self.rows_of[row.id_number] if n != row.row]
        if others:
            text = (
                f"与第{'、'.join(others)}行是同一个身份证号，同一名儿童只能有一行，这几行都没有导入"
            )
            return self._error(row, self.id_column, masked, text)
        if person is None:
            text = "在本辖区的户籍人员中找不到这个身份证号，请核对号码，或先核实户籍"
            return self._error(row, self.id_column, masked, text)
        if normalize_name(person.name) != row.name:
            text = "与户籍登记的姓名不一致（身份证号可能填错了），请核对后重新上传"
            return self._error(row, self.name_column, row.name, text)
        if person.birth_date and row.opened_on < person.birth_date:
            text = "早于儿童的出生日期"
            return self._error(row, self.date_column, row.opened_on.isoformat(), text)
        if not row.closed and person.pk in self.active:
            text = "该儿童在平台上已有保障中的个案，不重复导入"
            return self._error(row, self.id_column, masked, text)
        if (person.pk, row.opened_on) in self.opened:
            text = "该儿童在平台上已有同一纳入保障日期的个案，不重复导入"
            return self._error(row, self.date_column, row.opened_on.isoformat(), text)
        return None

    def _error(self, row: RegisterRow, column: str, shown: str, problem: str) -> CellError:
        return cell_error(self.upload.filename, row.row, column, shown, problem)


def _case_create(
    ctx: RequestContext, upload: RegisterImport, row: RegisterRow, child: Person
) -> Case:
    if row.closed:
        case = _closed_case_create(ctx, upload, row, child)
    else:
        case = case_open(
            ctx=ctx,
            child=child,
            category=row.category,
            orphan_type=row.orphan_type,
            opened_on=row.opened_on,
            placement=row.placement,
            monthly_amount_fen=row.monthly_amount_fen,
            register_import=upload,
        )
    if row.carer is not None:
        care = _care_create(ctx, case, row)
        audit_record(
            ctx=ctx,
            action=Action.CREATE,
            object_type=ObjectType.CASE,
            object_id=case.pk,
            detail={"care_arrangement": care.pk, "carer_in_registry": care.carer_id is not None},
        )
    return case


def _closed_case_create(
    ctx: RequestContext, upload: RegisterImport, row: RegisterRow, child: Person
) -> Case:
    """迁移前已终止的个案：照录原台账的终止日期和原因，作为这名儿童的历史。"""
    assert row.closed_on is not None
    case = Case.objects.create(
        child=child,
        category=row.category,
        orphan_type=row.orphan_type,
        status=CaseStatus.CLOSED,
        division_id=child.division_id,
        opened_on=row.opened_on,
        opened_by=ctx.user,
        closed_on=row.closed_on,
        closed_by=ctx.user,
        close_reason_code=IMPORTED_REASON_CODE,
        close_reason=row.close_reason,
        placement=row.placement,
        monthly_amount_fen=row.monthly_amount_fen,
        register_import=upload,
    )
    audit_record(
        ctx=ctx,
        action=Action.CREATE,
        object_type=ObjectType.CASE,
        object_id=case.pk,
        detail={
            "child": child.pk,
            "category": category_for_log(row.category),
            "orphan_type": row.orphan_type,
            "status": CaseStatus.CLOSED,
            "register_import": upload.pk,
        },
    )
    return case


def _care_create(ctx: RequestContext, case: Case, row: RegisterRow) -> CareArrangement:
    carer = row.carer
    assert carer is not None
    linked = None
    if carer.id_number:
        linked = Person.objects.filter(
            id_number=carer.id_number, division__path__startswith=case.division.path
        ).first()
    return CareArrangement.objects.create(
        case=case,
        carer_name=carer.name,
        carer_id_number=carer.id_number,
        carer=linked,
        relation=carer.relation,
        phone=carer.phone,
        address=carer.address,
        bank_name=carer.bank_name,
        bank_account=carer.bank_account,
        started_on=row.opened_on,
        ended_on=row.closed_on,
        created_by=ctx.user,
    )
