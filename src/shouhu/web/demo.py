"""`shouhu demo`：建立演示地区——巴彦淖尔市临河区的合成人口、各部门报送的事实、台账和
每个角色一个演示用户；另有五原县的少量人口和一名经办人员，用来看到“只能看本辖区”。

幂等：已为同一种子和人口数建过时什么也不改，只重新打印登录信息。数据来自
`shouhu.engine.synth.synth_region`，事实与人员的关联用真值（演示不依赖关联算法）。
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import json
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from openpyxl import Workbook

from shouhu.core.catalog import DataItem, catalog_load
from shouhu.core.errors import InvalidInput
from shouhu.core.exchange.values import BadValue, parse_date
from shouhu.core.identity.links import DEMO
from shouhu.core.identity.registry import REGISTRY_ITEM
from shouhu.core.policy.dates import add_months
from shouhu.core.policy.vocabulary import CATEGORY_LABELS
from shouhu.engine.synth import SynthRegion, synth_region
from shouhu.engine.synth.facts import FACT_FIELDS
from shouhu.web.accounts.models import Agency, AgencyType, User
from shouhu.web.accounts.permissions import Role
from shouhu.web.accounts.roster import roster_add, roster_link
from shouhu.web.accounts.second_factor import (
    second_factor_enrol_known,
    second_factor_enrolled,
    second_factor_required,
    totp_now,
)
from shouhu.web.accounts.services import agency_create, user_create
from shouhu.web.audit.context import RequestContext
from shouhu.web.audit.models import Action, ObjectType, Purpose
from shouhu.web.audit.services import audit_record
from shouhu.web.cases.demo_applications import demo_applications
from shouhu.web.cases.demo_transfers import demo_transfer
from shouhu.web.cases.demo_work import demo_casework, demo_registers
from shouhu.web.cases.models import Placement
from shouhu.web.cases.register_import import register_import_run, register_import_upload
from shouhu.web.comparison.execute import comparison_run_first
from shouhu.web.exchange.items import item_name
from shouhu.web.exchange.models import Channel, Fact, Submission
from shouhu.web.exchange.sealing import fact_row_seal
from shouhu.web.exchange.services import receipt_number, submission_ingest
from shouhu.web.grants.services import grants_ensure_defaults
from shouhu.web.meetings.demo import demo_meetings
from shouhu.web.registry.divisions import division_table_sync
from shouhu.web.registry.models import Division, Person
from shouhu.web.shares.demo_work import demo_shares
from shouhu.web.statistics.reports import periods_closed, report_submit
from shouhu.web.subsidies.services import roster_build

DEMO_PASSWORD = "shouhu-demo-2026"  # 仅用于本机演示；README 中有说明
DEMO_URL = "http://127.0.0.1:8000/"
PROVINCE, CITY, COUNTY, SECOND_COUNTY = "150000", "150800", "150802", "150821"
SECOND_COUNTY_PERSONS = 120
DATE_FIELDS = frozenset({"date", "start", "end", "valid_until"})
BOOL_FIELDS = frozenset({"qualifying", "life", "consent"})

# 部门名称：县名 + 后缀（公安为市局的分局）。
AGENCY_SUFFIX = {
    "civil_affairs": "民政局",
    "court": "人民法院",
    "procuratorate": "人民检察院",
    "public_security": "公安分局",
    "justice": "司法局",
    "education": "教育局",
    "big_data_center": "大数据中心",
    "finance": "财政局",
    "health": "卫生健康委员会",
    "medical_insurance": "医疗保障局",
    "rural_revitalization": "乡村振兴局",
    "womens_federation": "妇女联合会",
    "disabled_federation": "残疾人联合会",
    "human_resources": "人力资源和社会保障局",
    "housing": "住房和城乡建设局",
    "youth_league": "团委",
    "trade_union": "总工会",
    "elders_committee": "关心下一代工作委员会",
    "women_children_committee": "妇女儿童工作委员会",
}


def _item_code(agency_type: str, fact_type: str) -> str:
    """报送这类事实的数据项：数据目录里该部门第一个产生这类事实的数据项（目录是唯一来源）。"""
    for item in catalog_load(COUNTY).items_for(agency_type):
        if fact_type in item.fact_types:
            return item.code
    raise LookupError(f"数据目录中{agency_type}没有产生{fact_type}事实的数据项")


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: str
    division: str
    agency: str
    secret: str = ""  # 动态验证码的密钥（须用第二因素的角色）


def _marker(seed: int, persons: int) -> str:
    return f"演示-{seed}-{persons}-"


def demo_build(
    *, persons: int = 20_000, seed: int = 2026, echo: Callable[[str], Any] = print
) -> str:
    """建立演示地区并返回登录说明（中文）。已建过同样的演示时不做任何改动。"""
    existing = (
        Submission.objects.filter(channel=Channel.DEMO).values_list("filename", flat=True).first()
    )
    if existing is not None:
        if existing.startswith(_marker(seed, persons)):
            echo("演示数据已存在，未做改动。")
            _second_factors()  # 早先建的演示库还没有动态验证码
            return _report(_logins(), seed=seed, persons=persons)
        return (
            "数据库里已有另一组演示数据（种子或人口数不同），未做改动。如需重建，请换一个空的"
            "数据目录（设置 SHOUHU_DATA_DIR）后再运行 shouhu demo。"
        )
    as_of = timezone.localdate()
    echo(f"正在合成临河区 {persons:,} 人的户籍、部门事实和台账……")
    main = synth_region(persons=persons, seed=seed, division_codes=[COUNTY], as_of=as_of)
    # 五原县在区划表里没有乡村两级：只用县级代码（合成的村代码不在区划表里，入不了库）
    second = synth_region(
        persons=SECOND_COUNTY_PERSONS,
        seed=seed,
        division_codes=[SECOND_COUNTY],
        as_of=as_of,
        county_only=True,
    )
    echo("正在写入数据库……")
    division_table_sync()
    with transaction.atomic():
        agencies = _agencies()
        users = _users(agencies, main)
        _second_factors()
        caseworkers = ("demo_caseworker", "demo_caseworker_wuyuan")
        for region, username in zip((main, second), caseworkers, strict=True):
            caseworker = User.objects.select_related("division").get(username=username)
            _load(region, agencies, caseworker, _marker(seed, persons))
        _subsidy_roster(User.objects.select_related("division").get(username=caseworkers[0]))
        admin_ctx = RequestContext(
            user=users["administrator"], client_ip="", purpose=Purpose.ADMINISTRATION
        )
        grants_ensure_defaults(ctx=admin_ctx)
        _roster(admin_ctx, users)
        demo_casework(
            caseworker=User.objects.select_related("division").get(username="demo_caseworker"),
            director=users[Role.CHILD_DIRECTOR],
            today=as_of,
        )
        demo_registers(
            caseworkers=[User.objects.select_related("division").get(username=name)
                         for name in caseworkers],
            director=users[Role.CHILD_DIRECTOR],
            today=as_of,
        )  # fmt: skip
        demo_applications(
            supervisor=users[Role.SUPERVISOR],
            director=users[Role.CHILD_DIRECTOR],
            today=as_of,
        )
        demo_transfer(
            sender=User.objects.select_related("division").get(username=caseworkers[1]),
            township=users[Role.SUPERVISOR],
        )
        demo_shares(
            caseworker=User.objects.select_related("division").get(username="demo_caseworker"),
            department=User.objects.get(username="demo_department"),
        )
        demo_meetings(
            caseworker=User.objects.select_related("division").get(username="demo_caseworker")
        )
        audit_record(
            ctx=admin_ctx,
            action=Action.CREATE,
            object_type=ObjectType.DEMO,
            object_id=seed,
            detail={"persons": persons, "seed": seed, "as_of": as_of.isoformat()},
        )
    comparison_run_first(user=users["administrator"], code=COUNTY, as_of=as_of, echo=echo)
    _monthly_report(as_of)
    return _report(_logins(), seed=seed, persons=persons)


def _monthly_report(today: date) -> None:
    """临河区上报上月的统计月报（经真实的服务），巴彦淖尔市的领导登录就有一份待审核。"""
    caseworker = User.objects.select_related("division").get(username="demo_caseworker")
    ctx = RequestContext(user=caseworker, client_ip="", purpose=Purpose.STATISTICS)
    month, _ = periods_closed(today)
    report_submit(ctx=ctx, period=month)


# ---------------------------------------------------------------- 部门与用户


def _agencies() -> dict[tuple[str, str], Agency]:
    """临河区每类部门一个，另有自治区民政厅、市民政局和五原县民政局；事实需要时再补五原县的其他
    部门。"""
    found: dict[tuple[str, str], Agency] = {}
    county = Division.objects.get(code=COUNTY)
    for agency_type in AgencyType.values:
        found[(COUNTY, agency_type)] = _agency(county, agency_type)
    found[(CITY, "civil_affairs")] = _agency(Division.objects.get(code=CITY), "civil_affairs")
    province = Division.objects.get(code=PROVINCE)
    found[(PROVINCE, "civil_affairs")] = agency_create(
        name=f"{province.name}民政厅", agency_type="civil_affairs", division=province
    )
    second = Division.objects.get(code=SECOND_COUNTY)
    found[(SECOND_COUNTY, "civil_affairs")] = _agency(second, "civil_affairs")
    return found


def _agency(division: Division, agency_type: str) -> Agency:
    name = division.name + AGENCY_SUFFIX[agency_type]
    if agency_type == "public_security" and division.level == "county":
        name = f"巴彦淖尔市公安局{division.name}分局"
    return agency_create(name=name, agency_type=agency_type, division=division)


def _users(agencies: dict[tuple[str, str], Agency], region: SynthRegion) -> dict[str, User]:
    village = _busiest_village(region)
    township = village[:9]
    plan = [
        ("demo_submitter", Role.DATA_SUBMITTER, COUNTY, (COUNTY, "court")),
        ("demo_police", Role.DATA_SUBMITTER, COUNTY, (COUNTY, "public_security")),
        ("demo_caseworker", Role.CASEWORKER, COUNTY, (COUNTY, "civil_affairs")),
        ("demo_director", Role.CHILD_DIRECTOR, village, (COUNTY, "civil_affairs")),
        ("demo_supervisor", Role.SUPERVISOR, township, (COUNTY, "civil_affairs")),
        ("demo_department", Role.DEPARTMENT_USER, COUNTY, (COUNTY, "medical_insurance")),
        ("demo_leader", Role.LEADER, CITY, (CITY, "civil_affairs")),
        ("demo_province", Role.LEADER, PROVINCE, (PROVINCE, "civil_affairs")),
        ("demo_auditor", Role.AUDITOR, CITY, (CITY, "civil_affairs")),
        ("demo_security", Role.SECURITY_ADMIN, CITY, (CITY, "civil_affairs")),
        ("demo_admin", Role.ADMINISTRATOR, COUNTY, (COUNTY, "big_data_center")),
        (
            "demo_caseworker_wuyuan",
            Role.CASEWORKER,
            SECOND_COUNTY,
            (SECOND_COUNTY, "civil_affairs"),
        ),
    ]
    users: dict[str, User] = {}
    for username, role, division, agency_key in plan:
        user = user_create(
            username=username,
            password=DEMO_PASSWORD,
            role=role,
            division=Division.objects.get(code=division),
            agency=agencies[agency_key],
            full_name=f"演示{Role(role).label}",
        )
        users.setdefault(role, user)
    return users


ROSTER_NAMES = ("赵春梅", "钱国强", "孙丽娟", "李建华", "周秀英")


def _roster(ctx: RequestContext, users: dict[str, User]) -> None:
    """儿童主任和督导员名册（经名册服务）：演示的督导员和儿童主任（与账户相连），同一乡镇另几个
    村的儿童主任——多数村的儿童主任没有平台账户，只在名册上、用电话联系。"""
    director, supervisor = users[Role.CHILD_DIRECTOR], users[Role.SUPERVISOR]
    for user, phone in ((supervisor, "13904780001"), (director, "13904780002")):
        member = roster_add(ctx=ctx, duty=user.role, full_name=user.full_name, phone=phone,
                            division=user.division)  # fmt: skip
        roster_link(ctx=ctx, member=member, user=user)
    villages = Division.objects.filter(parent=supervisor.division).exclude(pk=director.division_id)
    others = villages.order_by("code")[: len(ROSTER_NAMES)]
    for n, (village, name) in enumerate(zip(others, ROSTER_NAMES, strict=False)):
        roster_add(ctx=ctx, duty=Role.CHILD_DIRECTOR, full_name=name,
                   phone=f"1390478{n + 1:04d}", division=village)  # fmt: skip


def _busiest_village(region: SynthRegion) -> str:
    """保障中个案最多的村（居）：儿童主任一登录就有事可看。"""
    counts: dict[str, int] = defaultdict(int)
    for row in region.register.to_pylist():
        if row["status"] == "active" and len(row["division_code"]) == 12:
            counts[row["division_code"]] += 1
    if counts:
        return max(sorted(counts), key=lambda code: counts[code])
    village = (
        Division.objects.filter(code__startswith=COUNTY, level="village").order_by("code").first()
    )
    return village.code if village else COUNTY


def demo_secret(username: str) -> str:
    """演示账户动态验证码的密钥：由用户名算出，公开（与演示密码一样只供本机演示）。"""
    digest = hashlib.sha256(f"shouhu-demo-totp:{username}".encode()).digest()
    return base64.b32encode(digest[:20]).decode()


def demo_code(username: str) -> str:
    """演示账户当前的六位验证码（`shouhu demo --code 用户名`）；不是演示账户的不给。"""
    user = User.objects.filter(username=username, username__startswith="demo_").first()
    if user is None or not second_factor_required(user):
        raise InvalidInput(f"{username} 不是须用动态验证码的演示账户。")
    return totp_now(demo_secret(username))


def _second_factors() -> None:
    """SHOUHU_DEMO_SECOND_FACTOR=known（默认）：须用第二因素的演示账户用公开的密钥登记好，
    登录时用 `shouhu demo --code 用户名` 或任一身份验证器得到验证码；=enrol 时留给本人首次
    登录时扫码登记。已登记的不动。"""
    if settings.DEMO_SECOND_FACTOR != "known":
        return
    for user in User.objects.filter(username__startswith="demo_").order_by("id"):
        if second_factor_required(user) and not second_factor_enrolled(user):
            second_factor_enrol_known(user=user, secret=demo_secret(user.username))


def _logins() -> list[DemoLogin]:
    users = User.objects.filter(username__startswith="demo_").select_related("division", "agency")
    known = settings.DEMO_SECOND_FACTOR == "known"
    return [
        DemoLogin(
            u.username,
            Role(u.role).label,
            u.division.name,
            u.agency.name if u.agency else "",
            demo_secret(u.username) if known and second_factor_required(u) else "",
        )
        for u in users.order_by("id")
    ]


def _report(logins: list[DemoLogin], *, seed: int, persons: int) -> str:
    width = max(len(login.username) for login in logins) if logins else 10
    lines = [
        f"演示地区：巴彦淖尔市临河区（合成人口 {persons:,} 人，种子 {seed}）。",
        f"运行 shouhu serve 后在浏览器打开 {DEMO_URL} ，用下列任一账号登录（密码相同）：",
        "",
        f"  {'用户名'.ljust(width - 3)}  密码              角色          区划（部门）",
    ]
    for login in logins:
        lines.append(
            f"  {login.username.ljust(width)}  {DEMO_PASSWORD}  {login.role.ljust(6, '　')}  "
            f"{login.division}（{login.agency}）"
        )
    lines.append("")
    lines += _second_factor_note(logins)
    lines.append("以上均为合成数据（姓名、身份证号都是编造的），仅供演示。")
    return "\n".join(lines)


def _second_factor_note(logins: list[DemoLogin]) -> list[str]:
    with_secret = [login for login in logins if login.secret]
    if not with_secret:
        return []
    width = max(len(login.username) for login in with_secret)
    example = with_secret[0].username
    lines = [
        "民政经办、三员登录时还要输入六位动态验证码。当前的验证码用下面的命令显示（30 秒一换）：",
        "",
        f"  .venv/bin/shouhu demo --code {example}",
        "",
        "也可以把下列密钥（基于时间）加入手机上的身份验证器：",
        "",
    ]
    lines += [f"  {login.username.ljust(width)}  {login.secret}" for login in with_secret]
    lines.append("")
    return lines


# ---------------------------------------------------------------- 人口、事实、台账


def _load(
    region: SynthRegion, agencies: dict[tuple[str, str], Agency], caseworker: User, marker: str
) -> None:
    pk_of = _registry(region, agencies, marker)
    _facts(region, agencies, pk_of, marker)
    _register(region, caseworker, marker)


def _registry(
    region: SynthRegion, agencies: dict[tuple[str, str], Agency], marker: str
) -> dict[str, int]:
    """户籍：由县公安分局把全量户籍名单作为“户籍人口基础信息”报送——与真实县区同一条路。"""
    county = region.counties[0]
    police = agencies.get((county, "public_security")) or _agency(
        Division.objects.get(code=county), "public_security"
    )
    item = catalog_load(county).item(REGISTRY_ITEM)
    ctx = RequestContext(user=None, client_ip="", purpose=Purpose.SUBMISSION)
    result = submission_ingest(
        ctx=ctx,
        agency=police,
        item_code=REGISTRY_ITEM,
        period=region.as_of.replace(day=1),
        channel=Channel.DEMO,
        filename=f"{marker}{item.name}-{county}.csv",
        data=_registry_csv(item, region),
        full_snapshot=True,
    )
    if result.submission is None or result.rows_rejected:  # 合成数据应当全部合格
        raise RuntimeError(
            f"演示户籍名单未能全部载入：{result.rejected_whole or result.errors[:3]}"
        )
    ids = region.registry.column("id_number").to_pylist()
    found = Person.objects.filter(id_number__in=ids).values_list("id_number", "pk")
    return dict(found.iterator(chunk_size=5000))


def _registry_csv(item: DataItem, region: SynthRegion) -> bytes:
    """合成户籍表写成报送模板的 CSV（表头用数据目录的中文表头）。"""
    columns = [spec for spec in item.fields if spec.key in region.registry.column_names]
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([spec.header for spec in columns])
    table = region.registry.select([spec.key for spec in columns])
    for row in table.to_pylist():
        writer.writerow(["" if row[spec.key] is None else row[spec.key] for spec in columns])
    return buffer.getvalue().encode("utf-8")


def _fact_value(name: str, raw: str | None) -> Any:
    if raw is None or raw == "":
        return None if name not in ("level", "category", "disease") else ""
    if name in DATE_FIELDS:  # 部门的写法（2010.1.5、Excel 序列号……），同报送时的读法
        try:
            return parse_date(raw)
        except BadValue:  # 月日颠倒成了不存在的日期：像报送时一样不用它
            return None
    if name in BOOL_FIELDS:
        return raw == "true"
    return raw


def _facts(
    region: SynthRegion, agencies: dict[tuple[str, str], Agency], pk_of: dict[str, int], marker: str
) -> None:
    """事实按 (部门, 数据项, 月份) 归入演示报送批次，来源记录号和记录哈希照真实报送的样子。"""
    truth = {r["record_id"]: r for r in region.truth_links.to_pylist()}
    county = region.counties[0]
    county_division = Division.objects.get(code=county)
    batches: dict[tuple[int, str, date], list[dict[str, Any]]] = defaultdict(list)
    for row in region.facts.to_pylist():
        agency = agencies.get((county, row["agency_type"]))
        if agency is None:
            agency = agencies[(county, row["agency_type"])] = _agency(
                county_division, row["agency_type"]
            )
        item = _item_code(row["agency_type"], row["type"])
        batches[(agency.pk, item, _period(row, region.as_of))].append(row)
    for (agency_pk, item, period), rows in sorted(batches.items()):
        _batch_load(agency_pk, item, period, rows, truth, pk_of, marker)


def _period(row: dict[str, Any], as_of: date) -> date:
    """报送月份：事实发生的月份，早于一年前的归入一年前那个月（首次全量报送）。"""
    happened = row["date"] or row["start"] or row["valid_until"] or as_of.isoformat()
    day = max(date.fromisoformat(happened), date(as_of.year - 1, as_of.month, 1))
    return min(day, as_of).replace(day=1)


def _batch_load(
    agency_pk: int,
    item: str,
    period: date,
    rows: list[dict[str, Any]],
    truth: dict[str, dict[str, Any]],
    pk_of: dict[str, int],
    marker: str,
) -> None:
    hashes = [
        hashlib.sha256(json.dumps(r, sort_keys=True, ensure_ascii=False).encode()).hexdigest()
        for r in rows
    ]
    submission = Submission.objects.create(
        agency_id=agency_pk,
        item_code=item,
        period=period,
        channel=Channel.DEMO,
        filename=f"{marker}{item_name(item, COUNTY)}-{period:%Y%m}.csv",
        content_sha256=hashlib.sha256("".join(sorted(hashes)).encode()).hexdigest(),
        rows_total=len(rows),
        rows_accepted=len(rows),
        facts_created=len(rows),
    )
    submission.receipt_number = receipt_number(submission)
    submission.save(update_fields=["receipt_number"])
    facts = []
    data_item = catalog_load().item(item)  # 高度敏感的自由文本照入库时一样加密存放
    for row, record_hash in zip(rows, hashes, strict=True):
        link = truth[row["record_id"]]
        person = pk_of.get(link["id_number"]) if link["in_registry"] else None
        values = fact_row_seal(
            data_item,
            dict(
                person_id=person,
                type=row["type"],
                agency_id=agency_pk,
                submission_id=submission.pk,
                source_record_id=row["record_id"],
                record_sha256=record_hash,
                subject_id_number=(row["id_number"] or "")[:40],
                subject_name=(row["name"] or "")[:50],
                subject_gender=(row["gender"] or "")[:1],  # 比对时关联用：号码缺失、有误的记录
                subject_birth_date=_fact_value("date", row["birth_date"]),
                subject_division_code=(row["division_code"] or "")[:12],
                link_method=DEMO if person else "",
                link_confidence=100 if person else None,
                **{k: _fact_value(k, row[k]) for k in FACT_FIELDS},
            ),
        )
        facts.append(Fact(**values))
    Fact.objects.bulk_create(facts, batch_size=2000)


def _register(region: SynthRegion, caseworker: User, marker: str) -> None:
    """台账：由县民政经办把已有台账作为 Excel 导入——与真实县区迁移台账同一条路（列对应取建议）。"""
    ctx = RequestContext(user=caseworker, client_ip="", purpose=Purpose.CASE_WORK)
    upload = register_import_upload(
        ctx=ctx,
        division=caseworker.division,
        filename=f"{marker}台账.xlsx",
        data=_register_xlsx(region),
    ).register_import
    outcome = register_import_run(
        ctx=ctx, register_import=upload, columns=upload.mapping["columns"]
    )
    if outcome.problems:  # 合成台账应当全部导入
        raise RuntimeError(f"演示台账未能全部导入：{outcome.problems[:3]}")


def _subsidy_roster(caseworker: User) -> None:
    """上个月的补贴名册（草稿），经真实的服务生成：经办人员首页的待办里就有它。"""
    ctx = RequestContext(user=caseworker, client_ip="", purpose=Purpose.SUBSIDY)
    month = add_months(timezone.localdate().replace(day=1), -1)
    roster_build(ctx=ctx, division=caseworker.division, month=month)


REGISTER_HEADERS = ("姓名", "身份证号", "类别", "安置方式", "纳入保障日期", "状态", "终止保障日期",
                    "终止原因")  # fmt: skip


def _register_xlsx(region: SynthRegion) -> bytes:
    """合成台账写成县里常见的样子：中文类别、安置方式和状态。"""
    names = dict(zip(region.registry.column("id_number").to_pylist(),
                     region.registry.column("name").to_pylist(), strict=True))  # fmt: skip
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(list(REGISTER_HEADERS))
    for r in region.register.to_pylist():
        sheet.append([
            names[r["child_id_number"]],
            r["child_id_number"],
            CATEGORY_LABELS[r["category"]],
            dict(Placement.choices).get(r["orphan_type"] or "", ""),
            r["opened_on"],
            "保障中" if r["status"] == "active" else "已终止",
            r["closed_on"] or "",
            r["close_reason"] or "",
        ])  # fmt: skip
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
