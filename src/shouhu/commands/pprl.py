"""`shouhu pprl encode|match|result`：部门内部比对（巴彦淖尔通知 §4（三））。

民政：encode 把待核查人员编码（带密钥，不含明文），封成离线交换包交给部门；
部门：match 在本机用同一把（包里带来的、本次专用的）密钥编码自己的名单并比对，只把对上的人
      “是否在执行、起、止”封成答复包；部门不需要平台账号，只需要本部门的交换包密钥；
民政：result 验签、解密答复，按行对回自己的名单，写成表格。
两边都把每次操作记进审计文件（不含姓名、号码）。威胁模型见 docs/pprl-threat-model.md。
"""

from __future__ import annotations

import csv
import io
import json
import uuid
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from pathlib import Path

import click
import numpy as np

from shouhu.commands.package import EXISTING_FILE, _item, _write_new, fail, load_private
from shouhu.core.catalog import DataItem, catalog_load, purpose_label
from shouhu.core.errors import DomainError
from shouhu.core.exchange import ReadResult, read_table
from shouhu.core.exchange.package import PackageRefused, package_open, package_seal
from shouhu.core.exchange.package_keys import PrivateKeys, PublicKeys, TrustStore, public_keys_load
from shouhu.core.identity import mask_id_number, normalize_id_number
from shouhu.core.pprl import (
    PERSON_ZH_V2,
    REQUEST_FILENAME,
    RESPONSE_FILENAME,
    Request,
    Response,
    answers_build,
    link,
    linkage_key_generate,
    persons_encode,
    request_dump,
    request_load,
    response_dump,
    response_load,
)
from shouhu.core.pprl.answers import Term, term_pick
from shouhu.core.pprl.files import (
    DepartmentRecord,
    PersonRow,
    department_read,
    persons_errors,
    persons_item,
    persons_read,
)
from shouhu.core.pprl.psi import (
    Dates,
    PsiAnswer,
    id_items,
    psi_answer,
    psi_dates_read,
    psi_intersection,
    psi_request,
)

AUDIT_DEFAULT = Path("pprl-audit.jsonl")
AUDIT_OPTION = click.option(
    "--audit-log", type=click.Path(dir_okay=False, path_type=Path), default=AUDIT_DEFAULT,
    show_default=True, help="审计文件（逐行 JSON，只追加；不含姓名和号码）。",
)  # fmt: skip


@click.group("pprl")
def pprl() -> None:
    """部门内部比对：不能共享的名单留在部门，民政只得到所问之人是否在执行。"""


def audit(path: Path, event: dict[str, object]) -> None:
    line = json.dumps({"at": datetime.now(UTC).isoformat(timespec="seconds"), **event},
                      ensure_ascii=False)  # fmt: skip
    with path.open("a", encoding="utf-8") as out:
        out.write(line + "\n")


def _checked(result: ReadResult, what: str, *, persons: bool = False) -> ReadResult:
    if result.rejected_whole is not None:
        fail(result.rejected_whole)
    errors = persons_errors(result) if persons else result.errors
    if errors:
        shown = "\n".join(f"  {e.message}" for e in errors[:20])
        fail(f"{what}有 {len(errors)} 处错误，请改正后再运行：\n{shown}")
    return result


def _public(path: Path) -> PublicKeys:
    try:
        return public_keys_load(path.read_bytes())
    except DomainError as exc:
        fail(f"{path}：{exc.message}")


def _purposes(codes: tuple[str, ...]) -> str:
    """命令行上要照着输入代码，所以代码连同中文名：review（定期核查）。"""
    return "、".join(f"{c}（{purpose_label(c)}）" for c in codes)


def _query_item(code: str, keys: PrivateKeys) -> DataItem:
    try:
        return catalog_load(keys.public.agency.division_code).item(code)
    except DomainError as exc:
        fail(exc.message)


# ------------------------------------------------------------------ 民政：encode


@pprl.command("encode")
@click.argument("file", type=EXISTING_FILE)
@click.option("--item", "item_code", required=True, metavar="CODE", help="要查的数据项代码。")
@click.option("--purpose", required=True, help="用途代码（须是该数据项允许的用途）。")
@click.option("--as-of", "as_of", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="查询截至日期（默认今天）。")  # fmt: skip
@click.option("--signing-key", required=True, type=EXISTING_FILE, help="民政私钥文件。")
@click.option("--recipient-key", required=True, type=EXISTING_FILE, help="部门公钥文件。")
@click.option("--out", "out_path", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--psi-key", type=click.Path(dir_okay=False, path_type=Path), default=None,
    help="号码走私有集合求交（需 shouhu[psi]）：客户端私钥写到这里，读答复时要用。",
)  # fmt: skip
@AUDIT_OPTION
def encode_command(
    file: Path, item_code: str, purpose: str, as_of: datetime | None, signing_key: Path,
    recipient_key: Path, out_path: Path, psi_key: Path | None, audit_log: Path,
) -> None:  # fmt: skip
    """把 FILE（待核查人员：案件编号、姓名、身份证号、性别、出生日期）编码成比对请求包。"""
    sender = load_private(signing_key)
    recipient = _public(recipient_key)
    item = _query_item(item_code, sender)
    if purpose not in item.purposes:
        fail(f"数据项“{item.name}”不能用于“{purpose}”，允许的用途：{_purposes(item.purposes)}")
    if recipient.agency.agency_type != item.agency_type:
        fail(f"接收方是{recipient.agency.label}，但数据项“{item.name}”不由该类部门提供")
    table = read_table(file.read_bytes(), filename=file.name, item=persons_item(item))
    rows = persons_read(_checked(table, f"文件「{file.name}」", persons=True))
    if not rows:
        fail(f"文件「{file.name}」没有待核查人员")
    key = linkage_key_generate()
    day = as_of.date() if as_of else date.today()
    fuzzy, psi = _psi_split(rows, psi_key)
    request = Request(
        request_id=str(uuid.uuid4()), schema=PERSON_ZH_V2, key=key, item_code=item.code,
        as_of=day, purpose=purpose, count=len(rows),
        encoded=persons_encode([rows[i].person for i in fuzzy], key, PERSON_ZH_V2),
        rows=np.asarray(fuzzy, dtype=np.int64), psi_request=psi.request, psi_items=psi.items,
    )  # fmt: skip
    sealed = _seal(request_dump(request), REQUEST_FILENAME, item, day, sender, recipient)
    _write_new(out_path, sealed, 0o644)
    if psi_key is not None:
        _write_new(psi_key, psi.key, 0o600)
    audit(audit_log, {
        "event": "pprl_request_created", "request_id": request.request_id, "item": item.code,
        "purpose": purpose, "as_of": day.isoformat(), "persons": len(rows),
        "cases": sorted({r.case_number for r in rows}), "to": recipient.agency.label,
        "linkage_key_id": key.key_id, "psi_items": psi.items, "encoded": len(fuzzy),
    })  # fmt: skip
    click.echo(f"已生成比对请求：{out_path}（{len(rows)} 人，请求编号 {request.request_id}）")
    if psi_key is not None:
        click.echo(
            f"其中 {len(rows) - len(fuzzy)} 人按号码私有集合求交（私钥：{psi_key}，勿外传）。"
        )
    click.echo(f"交给：{recipient.agency.label}。请求中只有带密钥的编码，没有姓名、号码的明文。")


@dataclass(frozen=True)
class _PsiPart:
    request: bytes = b""
    key: bytes = b""
    items: int = 0


def _psi_split(rows: list[PersonRow], psi_key: Path | None) -> tuple[list[int], _PsiPart]:
    """(要做布隆过滤器编码的行, 集合求交部分)。有可用号码的人只走集合求交，不给部门号码哈希。"""
    if psi_key is None:
        return list(range(len(rows))), _PsiPart()
    if psi_key.exists():
        fail(f"{psi_key} 已存在，不覆盖。请换一个文件名")
    items, owners = id_items([normalize_id_number(r.person.id_number) for r in rows])
    try:
        request, key = psi_request(items)
    except DomainError as exc:
        fail(exc.message)
    covered = set(owners)
    return [i for i in range(len(rows)) if i not in covered], _PsiPart(request, key, len(items))


def _seal(
    content: bytes, filename: str, item: DataItem, day: date, sender: PrivateKeys,
    recipient: PublicKeys,
) -> bytes:  # fmt: skip
    try:
        return package_seal(
            content=content, filename=filename, item_code=item.code, period=day.replace(day=1),
            sender=sender, recipient=recipient,
        )  # fmt: skip
    except DomainError as exc:
        fail(exc.message)


def _open(
    path: Path, trusted: tuple[Path, ...], keys: PrivateKeys, filename: str
) -> tuple[bytes, PublicKeys]:
    trust = TrustStore(_public(p) for p in trusted)
    try:
        opened = package_open(path.read_bytes(), trust=trust, recipient=keys, seen=lambda _: False)
    except PackageRefused as exc:
        fail(f"{path}：拒收——{exc.message}")
    if opened.header.filename != filename:
        fail(f"{path} 不是比对{'请求' if filename == REQUEST_FILENAME else '答复'}包")
    signer = trust.get(opened.header.sender_key_id)
    assert signer is not None  # package_open 已核对过签名者在信任库中
    return opened.content, signer


# ------------------------------------------------------------------ 部门：match


@pprl.command("match")
@click.argument("request_path", metavar="REQUEST", type=EXISTING_FILE)
@click.argument("records", type=EXISTING_FILE)
@click.option("--signing-key", required=True, type=EXISTING_FILE, help="本部门私钥文件。")
@click.option("--trust", "trusted", required=True, multiple=True, type=EXISTING_FILE,
              help="民政的公钥文件（可多次给出）。")  # fmt: skip
@click.option("--out", "out_path", required=True, type=click.Path(dir_okay=False, path_type=Path))
@AUDIT_OPTION
def match_command(
    request_path: Path, records: Path, signing_key: Path, trusted: tuple[Path, ...],
    out_path: Path, audit_log: Path,
) -> None:  # fmt: skip
    """在本机把 RECORDS（本部门名单，即该数据项的报送模板）与比对请求 REQUEST 比对，生成答复包。"""
    keys = load_private(signing_key)
    content, asker = _open(request_path, trusted, keys, REQUEST_FILENAME)
    try:
        request = request_load(content)
    except DomainError as exc:
        fail(f"{request_path}：{exc.message}")
    item = _item(request.item_code, keys.public.agency)
    if request.purpose not in item.purposes:
        fail(f"请求的用途“{purpose_label(request.purpose)}”不是数据项“{item.name}”允许的用途，"
             "不予比对")  # fmt: skip
    table = read_table(records.read_bytes(), filename=records.name, item=item)
    own = department_read(_checked(table, f"文件「{records.name}」"))
    mine = persons_encode([r.person for r in own], request.key, request.schema)
    found = link(request.encoded, mine, request.schema)
    links = replace(found, query=request.rows[found.query])
    answers = answers_build(links, [r.term for r in own], request.as_of)
    psi = _psi_answer(request, own)
    response = Response(
        request_id=request.request_id, item_code=item.code, as_of=request.as_of,
        checked=request.count, answers=answers, psi_setup=psi.setup, psi_response=psi.response,
        psi_dates=psi.dates,
    )  # fmt: skip
    sealed = _seal(response_dump(response), RESPONSE_FILENAME, item, request.as_of, keys, asker)
    _write_new(out_path, sealed, 0o644)
    matched = sorted({own[int(r)].record_id for r in links.record})
    audit(audit_log, {
        "event": "pprl_request_answered", "request_id": request.request_id, "item": item.code,
        "purpose": request.purpose, "as_of": request.as_of.isoformat(),
        "from": asker.agency.label, "asked": request.count, "own_records": len(own),
        "psi_items": request.psi_items, "encoded": len(request.encoded),
        "answered": len(answers), "record_ids_matched": matched,
        "linkage_key_id": request.key.key_id,
    })  # fmt: skip
    purpose = purpose_label(request.purpose)
    click.echo(f"比对完成：{asker.agency.label}的请求（用途：{purpose}）{request.count} 人，"
               f"本部门名单 {len(own)} 条，按编码对上 {len(answers)} 人。")  # fmt: skip
    if request.psi_items:
        click.echo(f"另有 {request.psi_items} 个号码经私有集合求交，结果只有民政能解开。")
    click.echo(
        f"答复包：{out_path}（只含对上的人是否在执行、起止日期），请交回{asker.agency.label}。"
    )


def _psi_answer(request: Request, own: list[DepartmentRecord]) -> PsiAnswer:
    """集合求交：本部门截至日期在执行的人的号码（不合格的取近似纠错候选），附各号码的起止日期
    （同一号码几段时取最该答的一段，与编码比对的答复同一规则），加密得只有对上的才解得开。"""
    if not request.psi_request:
        return PsiAnswer(b"", b"")
    live = [r for r in own if r.term.in_force(request.as_of)]
    items, owners = id_items([normalize_id_number(r.person.id_number) for r in live])
    by_item: dict[str, list[Term]] = {}
    for item, owner in zip(items, owners, strict=True):
        by_item.setdefault(item, []).append(live[owner].term)
    distinct = list(by_item)
    dates = []
    for item in distinct:
        term = term_pick(by_item[item], request.as_of)
        dates.append(Dates(term.since, None if term.life else term.until, term.life))
    try:
        return psi_answer(request.psi_request, distinct, request.psi_items, dates)
    except DomainError as exc:
        fail(exc.message)


# ------------------------------------------------------------------ 民政：result

_PSI_BASIS = "身份证号私有集合求交"
_PSI_BASIS_UNDATED = "身份证号私有集合求交（答复未附起止日期，需另行查询）"
_RESULT_HEADER = ["案件编号", "姓名", "身份证号", "查询结果", "起始日期", "终止日期", "比对依据"]
_BASIS_LABELS = {"id": "身份证号一致", "id_near": "身份证号有一位之差，姓名、出生日期相符",
                 "fuzzy": "姓名、出生日期、性别相符（无身份证号佐证，请核实）"}  # fmt: skip


@pprl.command("result")
@click.argument("response_path", metavar="RESPONSE", type=EXISTING_FILE)
@click.argument("file", type=EXISTING_FILE)
@click.option("--item", "item_code", required=True, metavar="CODE", help="所查的数据项代码。")
@click.option("--signing-key", required=True, type=EXISTING_FILE, help="民政私钥文件。")
@click.option("--trust", "trusted", required=True, multiple=True, type=EXISTING_FILE,
              help="部门的公钥文件。")  # fmt: skip
@click.option("--out", "out_path", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--psi-key", type=EXISTING_FILE, default=None, help="生成请求时保存的集合求交私钥。")
@AUDIT_OPTION
def result_command(
    response_path: Path, file: Path, item_code: str, signing_key: Path,
    trusted: tuple[Path, ...], out_path: Path, psi_key: Path | None, audit_log: Path,
) -> None:  # fmt: skip
    """打开答复包 RESPONSE，按行对回待核查人员表 FILE（须是生成请求时的同一份），写成 CSV。"""
    keys = load_private(signing_key)
    content, replier = _open(response_path, trusted, keys, RESPONSE_FILENAME)
    try:
        response = response_load(content)
    except DomainError as exc:
        fail(f"{response_path}：{exc.message}")
    item = _query_item(item_code, keys)
    if response.item_code != item.code:
        fail(f"答复是数据项“{response.item_code}”的，不是“{item.code}”")
    table = read_table(file.read_bytes(), filename=file.name, item=persons_item(item))
    rows = persons_read(_checked(table, f"文件「{file.name}」", persons=True))
    if len(rows) != response.checked or any(a.row >= len(rows) for a in response.answers):
        fail(f"文件「{file.name}」与请求时的名单不一致（请求 {response.checked} 人，"
             f"现有 {len(rows)} 人），请用生成请求时的同一份文件")  # fmt: skip
    psi = _psi_result(rows, response, psi_key)
    _write_new(out_path, _result_csv(rows, response, psi), 0o600)
    in_force = sum(a.in_force for a in response.answers) + len(psi.live)
    audit(audit_log, {
        "event": "pprl_response_read", "request_id": response.request_id, "item": item.code,
        "from": replier.agency.label, "asked": response.checked,
        "answered": len(response.answers), "in_force": in_force,
    })  # fmt: skip
    click.echo(
        f"共 {response.checked} 人，{len(response.answers)} 人在部门名单中，"
        f"其中 {in_force} 人截至 {response.as_of.isoformat()} 在执行。结果：{out_path}"
    )


@dataclass(frozen=True)
class _PsiResult:
    live: set[int] = field(default_factory=set)  # 在执行的行
    other: set[int] = field(default_factory=set)  # 不在执行（或不在名单中）的行
    dates: dict[int, Dates] = field(default_factory=dict)  # 在执行的行的起止日期


def _psi_result(rows: list[PersonRow], response: Response, psi_key: Path | None) -> _PsiResult:
    """集合求交的结果；没用集合求交时为空。"""
    if not response.psi_setup:
        return _PsiResult()
    if psi_key is None:
        fail("答复里有私有集合求交的结果，请用 --psi-key 给出生成请求时保存的私钥文件")
    _, owners = id_items([normalize_id_number(r.person.id_number) for r in rows])
    key = psi_key.read_bytes()
    try:
        hits = psi_intersection(key, response.psi_setup, response.psi_response)
        dated = psi_dates_read(key, response.psi_response, response.psi_dates, hits)
    except DomainError as exc:
        fail(exc.message)
    live = {owners[i] for i in hits if i < len(owners)}
    dates = {owners[i]: d for i, d in dated.items() if i < len(owners)}
    return _PsiResult(live, set(owners) - live, dates)


def _result_csv(rows: list[PersonRow], response: Response, psi: _PsiResult) -> bytes:
    by_row = {a.row: a for a in response.answers}
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(_RESULT_HEADER)
    for index, row in enumerate(rows):
        if index in psi.live or index in psi.other:
            status = "在执行" if index in psi.live else "未在执行（或不在部门名单中）"
            masked = mask_id_number(row.person.id_number)
            d = psi.dates.get(index)
            since = d.since.isoformat() if d and d.since else ""
            until = d.until.isoformat() if d and d.until else ""
            basis = _PSI_BASIS if d or index not in psi.live else _PSI_BASIS_UNDATED
            writer.writerow([row.case_number, row.person.name, masked, status, since, until, basis])
            continue
        answer = by_row.get(index)
        status = (
            "部门名单中未查到" if answer is None else ("在执行" if answer.in_force else "已结束")
        )
        writer.writerow([
            row.case_number, row.person.name, mask_id_number(row.person.id_number), status,
            answer.since.isoformat() if answer and answer.since else "",
            answer.until.isoformat() if answer and answer.until else "",
            _BASIS_LABELS.get(answer.basis, "") if answer else "",
        ])  # fmt: skip
    return ("\ufeff" + out.getvalue()).encode("utf-8")
