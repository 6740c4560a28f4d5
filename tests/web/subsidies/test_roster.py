"""补贴名册的规格例子（docs/rules.md §9），经真实的服务和数据库，算到分。"""

from __future__ import annotations

from datetime import date

import pytest
from django.db import DatabaseError, connection, transaction

from shouhu.core.errors import DomainError
from shouhu.core.policy.roster import roster_entry
from shouhu.core.policy.subsidy import terms_in
from shouhu.web.cases.models import Case, CaseStatus
from shouhu.web.subsidies import services
from shouhu.web.subsidies.models import Overpayment, Recovery, RosterLine, SubsidyRoster
from shouhu.web.subsidies.services import (
    overpayment_recover,
    roster_approve,
    roster_build,
    roster_review,
)
from tests.web import factories as f
from tests.web.subsidies.conftest import ctx_for, m

pytestmark = pytest.mark.django_db


def _case(region, *, opened_on, category="orphan", orphan_type="scattered", **extra) -> Case:
    child = f.person(region.village_a)
    return Case.objects.create(child=child, category=category, orphan_type=orphan_type,
                               division=child.division, opened_on=opened_on, **extra)  # fmt: skip


def _approved(ctx, division, month, params) -> SubsidyRoster:
    roster = roster_build(ctx=ctx, division=division, month=month, params=params)
    roster_review(ctx=ctx, roster=roster)
    return roster_approve(ctx=ctx, roster=roster)


def _months(line: RosterLine) -> list[tuple[str, int]]:
    return [(iso, fen) for iso, fen, _ in line.months]


def test_enrolled_in_march_approved_in_may_without_arrears(personas, region, params):
    """3月申请、5月批准：默认不补发，5月名册发5月（1400元）。"""
    ctx = ctx_for(personas.caseworker_a)
    _case(region, opened_on=date(2026, 5, 20), applied_on=date(2026, 3, 10))
    roster = roster_build(ctx=ctx, division=region.county_a, month=m(2026, 5), params=params)
    line = roster.lines.get()
    assert _months(line) == [("2026-05-01", 140000)]
    assert (roster.gross_fen, roster.net_fen) == (140000, 140000)


def test_enrolled_in_march_approved_in_may_with_arrears(personas, region, params_with_arrears):
    """地区从申请之月补发：5月名册发3月（1300元，4月1日前的标准）、4月、5月（各1400元）。"""
    ctx = ctx_for(personas.caseworker_a)
    _case(region, opened_on=date(2026, 5, 20), applied_on=date(2026, 3, 10))
    roster = roster_build(
        ctx=ctx, division=region.county_a, month=m(2026, 5), params=params_with_arrears
    )
    line = roster.lines.get()
    assert _months(line) == [("2026-03-01", 130000), ("2026-04-01", 140000),
                             ("2026-05-01", 140000)]  # fmt: skip
    assert [arrears for _, _, arrears in line.months] == [True, True, False]
    assert roster.net_fen == 410000
    assert roster.totals["by_basis"] == {"scattered_orphan": 410000}


def test_exit_in_june_confirmed_in_september_overpays_three_months_recovered_by_offset(
    personas, region, params
):
    """6月起不再符合、9月才确认：7、8、9月多发（每月1200元，共3600元），记为多发；选择抵扣后，
    该儿童再次纳入保障时从应发中逐月扣减，每笔扣减都有记录，直到追回为止。"""
    ctx = ctx_for(personas.caseworker_a)
    case = _case(region, opened_on=date(2026, 1, 10), category="de_facto_unsupported",
                 orphan_type="")  # fmt: skip
    for month in (6, 7, 8):
        _approved(ctx, region.county_a, m(2026, month), params)
    september = _approved(ctx, region.county_a, m(2026, 9), params)
    assert september.net_fen == 125000  # 9月1日起的新标准
    Case.objects.filter(pk=case.pk).update(
        status=CaseStatus.CLOSED, closed_on=date(2026, 6, 20), close_reason="父亲刑满释放"
    )
    october = _approved(ctx, region.county_a, m(2026, 10), params)
    assert october.line_count == 0
    found = list(Overpayment.objects.filter(case=case).order_by("month"))
    assert [(o.month, o.fen) for o in found] == [
        (m(2026, 7), 120000),
        (m(2026, 8), 120000),
        (m(2026, 9), 125000),
    ]
    for over in found:
        overpayment_recover(ctx=ctx, overpayment=over, method="offset")
    # 11月：同一儿童再次纳入（新的个案），应发1250元全部抵扣
    Case.objects.create(child=case.child, category="de_facto_unsupported",
                        division=case.division, opened_on=date(2026, 11, 2))  # fmt: skip
    totals = []
    for month in (11, 12):
        roster = _approved(ctx, region.county_a, m(2026, month), params)
        line = roster.lines.get()
        totals.append((line.gross_fen, line.offset_fen, line.net_fen))
    january = _approved(ctx, region.county_a, m(2027, 1), params)
    line = january.lines.get()
    totals.append((line.gross_fen, line.offset_fen, line.net_fen))
    assert totals == [(125000, 125000, 0), (125000, 125000, 0), (125000, 115000, 10000)]
    assert sum(r.fen for r in Recovery.objects.filter(method="offset")) == 365000
    assert (january.offset_fen, january.net_fen) == (115000, 10000)


CHANGE = {
    "on": "2026-07-15",
    "from": {"category": "de_facto_unsupported", "orphan_type": ""},
    "to": {"category": "orphan", "orphan_type": "scattered"},
}


def test_category_change_takes_effect_the_month_after_confirmation(personas, region, params):
    """事实无人抚养儿童7月15日确认变更为散居孤儿：7月仍按1200元，8月起按1400元。"""
    ctx = ctx_for(personas.caseworker_a)
    _case(
        region,
        opened_on=date(2026, 7, 1),
        category="orphan",
        orphan_type="scattered",
        category_changes=[CHANGE],
    )
    july = _approved(ctx, region.county_a, m(2026, 7), params)
    august = roster_build(ctx=ctx, division=region.county_a, month=m(2026, 8), params=params)
    assert (july.lines.get().basis, july.net_fen) == ("de_facto_unsupported", 120000)
    assert (august.lines.get().basis, august.net_fen) == ("scattered_orphan", 140000)


def test_an_approved_roster_is_locked_by_the_database(personas, region, params):
    ctx = ctx_for(personas.caseworker_a)
    _case(region, opened_on=date(2026, 5, 2))
    roster = _approved(ctx, region.county_a, m(2026, 5), params)
    line = roster.lines.get()
    refused = [
        ("UPDATE subsidies_rosterline SET net_fen = 1, gross_fen = 1 WHERE id = %s", [line.pk]),
        ("UPDATE subsidies_subsidyroster SET state = 'draft' WHERE id = %s", [roster.pk]),
        ("INSERT INTO subsidies_rosterline (roster_id, case_id, basis, months, gross_fen,"
         " offset_fen, net_fen, account_holder, bank_name, bank_account)"
         " SELECT roster_id, case_id, basis, months, 1, 0, 1, '', '', '' FROM subsidies_rosterline"
         " WHERE id = %s", [line.pk]),
    ]  # fmt: skip
    if connection.vendor == "postgresql":  # SQLite 上清空测试库要逐表 DELETE（见 locking.py）
        refused.append(("DELETE FROM subsidies_rosterline WHERE id = %s", [line.pk]))
    for sql, args in refused:
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, args)
    with pytest.raises(DomainError, match="锁定"):
        roster_build(ctx=ctx, division=region.county_a, month=m(2026, 5), params=params)
    line.refresh_from_db()
    assert line.net_fen == 140000


def test_hiv_infected_child_in_zhangqiu_is_paid_at_the_scattered_orphan_rate(personas):
    """章丘（370114）按散居孤儿标准补贴监护人同意的艾滋病病毒感染儿童（示例值1500元）。"""
    province = f.division("370000", "山东省")
    city = f.division("370100", "济南市", province)
    zhangqiu = f.division("370114", "章丘区", city)
    worker = f.user("caseworker_zq", "caseworker", zhangqiu)
    child = f.person(zhangqiu)
    Case.objects.create(child=child, category="hiv_infected", division=zhangqiu,
                        opened_on=date(2026, 3, 3))  # fmt: skip
    roster = roster_build(ctx=ctx_for(worker), division=zhangqiu, month=m(2026, 3))
    line = roster.lines.get()
    assert (line.basis, line.net_fen) == ("hiv_infected", 150000)
    assert roster.totals == {"by_basis": {"hiv_infected": 150000},
                             "children": {"hiv_infected": 1}}  # fmt: skip


def test_totals_by_category_add_up_and_a_failed_month_is_paid_again(personas, region, params):
    ctx = ctx_for(personas.caseworker_a)
    for category, orphan_type in (
        ("orphan", "scattered"),
        ("orphan", "institutional"),
        ("de_facto_unsupported", ""),
        ("de_facto_unsupported", ""),
    ):
        _case(region, opened_on=date(2026, 2, 1), category=category, orphan_type=orphan_type)
    roster = roster_build(ctx=ctx, division=region.county_a, month=m(2026, 5), params=params)
    by_basis = roster.totals["by_basis"]
    assert by_basis == {"scattered_orphan": 140000, "institutional_orphan": 200000,
                        "de_facto_unsupported": 240000}  # fmt: skip
    assert (
        sum(by_basis.values())
        == roster.gross_fen
        == sum(roster.lines.values_list("net_fen", flat=True))
    )


def test_cases_of_the_same_shape_share_one_computation_with_the_same_result(
    personas, region, params_with_arrears
):
    """生成名册时，依据相同（只差在月内哪一天）的个案共用一次 roster_entry（为了全省规模的
    速度）：结果与逐个个案调用 roster_entry 完全相同——补发、类别变更、终止后的多发都在内。"""
    params, division = params_with_arrears, region.county_a
    ctx = ctx_for(personas.caseworker_a)
    closing = []
    for day in (2, 9, 16, 23):
        _case(region, opened_on=date(2026, 1, day))
        _case(region, opened_on=date(2026, 3, day), applied_on=date(2026, 1, day + 1))
        _case(region, opened_on=date(2026, 4, day), category="de_facto_unsupported",
              orphan_type="", applied_on=date(2026, 3, day))  # fmt: skip
        _case(region, opened_on=date(2026, 3, day), category="orphan", orphan_type="scattered",
              category_changes=[{**CHANGE, "on": f"2026-04-{day:02d}"}])  # fmt: skip
        closing.append(_case(region, opened_on=date(2026, 2, day), category="orphan",
                             orphan_type="institutional").pk)  # fmt: skip
    for month in (3, 4, 5):
        _approved(ctx, division, m(2026, month), params)
    for pk, day in zip(closing, (3, 11, 19, 27), strict=True):
        Case.objects.filter(pk=pk).update(
            status=CaseStatus.CLOSED, closed_on=date(2026, 4, day), close_reason="被收养"
        )
    month = m(2026, 6)
    history = services._history(division, month, exclude=None)
    shared = services._entries(division, month, params, history)
    settled, terms = services._settled_before(division, month), terms_in(params, "150802", month)
    direct = []
    for case in services._candidates(division, month):
        offsets = history.offsets.get(case.child_id, [])
        entry = roster_entry(
            services.subsidy_case(case, division.code), month,
            paid=history.paid.get(case.pk, {}), params=params, terms=terms,
            offset_available=sum(left for _, left in offsets),
            known_overpaid=history.overpaid.get(case.pk, set()),
            settled_before=settled if case.opened_on < settled else None,
        )  # fmt: skip
        if entry.payments or entry.overpaid:
            direct.append((case.pk, entry))
    assert [(case.pk, entry) for case, entry in shared] == direct
    assert sum(1 for _, e in direct if e.overpaid) == 4  # 终止后发了5月：多发
    assert len({id(entry) for _, entry in shared}) < len(shared) / 2  # 确实共用了
