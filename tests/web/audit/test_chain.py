"""The audit log is a signed chain with a witness outside the database: every one of the 19 ways
the security test tampered with it is named (report H3), including those that passed before —
the tail cut with the head moved, the head deleted, everything deleted, and a re-chained edit."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import timedelta

import pytest
from click.testing import CliRunner
from django.db import connection, transaction

from shouhu.cli import main
from shouhu.web.audit.chain import HASHED_FIELDS, KeyRing, entry_mac, key_ring
from shouhu.web.audit.context import RequestContext
from shouhu.web.audit.models import AuditEntry, AuditHead
from shouhu.web.audit.selectors import audit_chain_verify
from shouhu.web.audit.services import audit_record

pytestmark = pytest.mark.django_db
N = 30


@pytest.fixture
def write(personas, django_capture_on_commit_callbacks) -> Callable[..., list[AuditEntry]]:
    """Entries written the way requests write them: one transaction each, witnessed on commit."""

    def _write(n: int, user=None, *, action: str = "view") -> list[AuditEntry]:
        ctx = RequestContext(user=user or personas.caseworker_a, client_ip="10.1.2.3",
                             purpose="case_work")  # fmt: skip
        out = []
        for i in range(n):
            with django_capture_on_commit_callbacks(execute=True):
                out.append(audit_record(ctx=ctx, action=action, object_type="person", object_id=i))
        return out

    return _write


def _sql(statement: str, *params: object) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def _resign(seqs: list[int], ring: KeyRing) -> None:
    """Re-chain from the first of `seqs` with `ring`, the way an attacker would."""
    prev = AuditEntry.objects.filter(seq__lt=min(seqs)).order_by("-seq").first()
    prev_hash = prev.hash if prev else "0" * 64
    for entry in AuditEntry.objects.filter(seq__gte=min(seqs)).order_by("seq"):
        entry.prev_hash = prev_hash
        entry.key_id = ring.current
        entry.hash = entry_mac({n: getattr(entry, n) for n in HASHED_FIELDS}, ring)
        AuditEntry.objects.filter(seq=entry.seq).update(
            prev_hash=entry.prev_hash, key_id=entry.key_id, hash=entry.hash
        )
        prev_hash = entry.hash
    AuditHead.objects.filter(id=1).update(
        last_seq=AuditEntry.objects.order_by("-seq").values_list("seq", flat=True).first() or 0,
        last_hash=prev_hash,
    )


ATTACKER = KeyRing(keys={"attacker": b"\x01" * 32}, current="attacker")


def _renumber_from(seq: int) -> None:
    for entry in AuditEntry.objects.filter(seq__gt=seq).order_by("seq"):
        _sql("UPDATE audit_auditentry SET seq = %s WHERE seq = %s", entry.seq - 1, entry.seq)


def _cut_tail_move_head() -> None:
    AuditEntry.objects.filter(seq__gt=N - 10).delete()
    tail = AuditEntry.objects.get(seq=N - 10)
    AuditHead.objects.update(last_seq=tail.seq, last_hash=tail.hash)


def _delete_range_renumber() -> None:
    AuditEntry.objects.filter(seq__in=[10, 11]).delete()
    _renumber_from(9)
    _renumber_from(9)


def _swap() -> None:
    _sql("UPDATE audit_auditentry SET seq = -1 WHERE seq = 5")
    _sql("UPDATE audit_auditentry SET seq = 5 WHERE seq = 6")
    _sql("UPDATE audit_auditentry SET seq = 6 WHERE seq = -1")


def _insert_copy() -> None:
    _sql("UPDATE audit_auditentry SET seq = seq + 1000 WHERE seq > 7")
    copy = AuditEntry.objects.get(seq=7)
    copy.seq = 8
    copy.save(force_insert=True)
    for entry in AuditEntry.objects.filter(seq__gt=1000).order_by("seq"):
        _sql("UPDATE audit_auditentry SET seq = %s WHERE seq = %s", entry.seq - 999, entry.seq)


def _one_users_views_removed() -> None:
    AuditEntry.objects.filter(actor_username="director_a").delete()
    seqs = list(AuditEntry.objects.order_by("seq").values_list("seq", flat=True))
    for new, old in enumerate(seqs, start=1):
        _sql("UPDATE audit_auditentry SET seq = %s WHERE seq = %s", new, old)
    _resign([1], ATTACKER)


TAMPERING: dict[str, tuple[Callable[[], None], int | None, str]] = {
    "edit detail": (lambda: AuditEntry.objects.filter(seq=4).update(detail={"x": 1}), 4, "被修改"),
    "edit object": (lambda: AuditEntry.objects.filter(seq=4).update(object_id="999"), 4, "被修改"),
    "edit actor": (
        lambda: AuditEntry.objects.filter(seq=4).update(actor_username="x"),
        4,
        "被修改",
    ),
    "edit time": (
        lambda: AuditEntry.objects.filter(seq=4).update(
            at=AuditEntry.objects.get(seq=4).at + timedelta(seconds=1)
        ),
        4,
        "被修改",
    ),
    "edit client address": (
        lambda: AuditEntry.objects.filter(seq=4).update(client_ip="127.0.0.1"),
        4,
        "被修改",
    ),
    "edit hash": (lambda: AuditEntry.objects.filter(seq=4).update(hash="f" * 64), 4, "被修改"),
    "delete a row": (lambda: AuditEntry.objects.filter(seq=3).delete(), 3, "缺失"),
    "delete a range": (lambda: AuditEntry.objects.filter(seq__in=[3, 4, 5]).delete(), 3, "缺失"),
    "delete and renumber": (_delete_range_renumber, 10, "不衔接"),
    "swap two rows": (_swap, 5, ""),
    "insert a copy": (_insert_copy, 8, "不衔接"),
    "cut the tail, head left": (
        lambda: AuditEntry.objects.filter(seq__gt=N - 10).delete(),
        N - 9,
        "缺失",
    ),
    "delete every row, head left": (lambda: AuditEntry.objects.all().delete(), 1, "清空"),
    "cut the tail and move the head": (_cut_tail_move_head, N - 9, "见证文件记载链尾"),
    "cut the tail and delete the head": (
        lambda: (
            AuditEntry.objects.filter(seq__gt=N - 10).delete(),
            AuditHead.objects.all().delete(),
        ),
        N - 9,
        "见证文件记载链尾",
    ),
    "delete every row and the head": (
        lambda: (AuditEntry.objects.all().delete(), AuditHead.objects.all().delete()),
        1,
        "清空",
    ),
    "delete only the head": (lambda: AuditHead.objects.all().delete(), N, "链头记录已被删除"),
    "edit and re-chain without the key": (
        lambda: (
            AuditEntry.objects.filter(seq=12).update(purpose="statistics"),
            _resign([12], ATTACKER),
        ),
        12,
        "签名密钥不在密钥文件中",
    ),
    "remove a user's views, renumber, re-chain": (_one_users_views_removed, 1, "签名密钥"),
}


@pytest.fixture
def owner() -> None:
    """The tampering below is done with the database owner's rights: past the append-only guard."""
    if connection.vendor == "postgresql":
        _sql("ALTER TABLE audit_auditentry DISABLE TRIGGER audit_append_only")


@pytest.mark.parametrize("case", sorted(TAMPERING))
def test_every_tampering_is_named(case, write, personas, owner) -> None:
    tamper, bad_seq, words = TAMPERING[case]
    for i in range(N):
        write(1, personas.child_director_a if i % 3 == 0 else None)
    assert audit_chain_verify().ok
    tamper()
    verdict = audit_chain_verify()
    assert not verdict.ok, case
    assert words in verdict.message
    if bad_seq is not None and case != "swap two rows":
        assert verdict.first_bad_seq == bad_seq, verdict.message


def test_re_chaining_with_the_key_is_caught_by_the_witness(write, owner) -> None:
    """Even someone holding the key cannot rewrite what the witness has already seen."""
    write(10)
    AuditEntry.objects.filter(seq=4).update(purpose="statistics")
    _resign([4], key_ring())
    verdict = audit_chain_verify()
    assert (verdict.ok, verdict.first_bad_seq) == (False, 4)
    assert "见证文件" in verdict.message


def test_a_forged_witness_line_is_refused(write, audit_files) -> None:
    write(3)
    witness = audit_files / "audit-witness.log"
    witness.write_text(witness.read_text() + "2026-01-01T00:00:00Z c 99 " + "a" * 64 + " k m\n")
    verdict = audit_chain_verify()
    assert not verdict.ok
    assert "见证文件第 4 行签名不符" in verdict.message


def test_a_deleted_witness_fails_the_check(write, audit_files) -> None:
    write(3)
    (audit_files / "audit-witness.log").unlink()
    assert "见证文件中没有本日志的检查点" in audit_chain_verify().message


def test_entries_are_numbered_without_gaps_signed_and_witnessed(write, personas, audit_files):
    entries = write(5)
    assert [e.seq for e in entries] == [1, 2, 3, 4, 5]
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(entries))
    assert entries[0].key_id == key_ring().current
    assert (entries[0].role, entries[0].agency, entries[0].division_code) == (
        "caseworker",
        "临河区民政局",
        "150802",
    )
    lines = (audit_files / "audit-witness.log").read_text().splitlines()
    assert [line.split()[2] for line in lines] == ["1", "2", "3", "4", "5"]
    assert all("临河" not in line for line in lines)  # 见证文件里没有个人信息
    assert audit_chain_verify().ok


def test_a_rotated_key_signs_new_entries_and_old_ones_still_verify(write) -> None:
    write(2)
    result = CliRunner().invoke(main, ["audit", "rotate-key"])
    assert result.exit_code == 0, result.output
    later = write(2)
    assert later[0].key_id != AuditEntry.objects.get(seq=1).key_id
    assert audit_chain_verify().ok


def test_audit_verify_command_exits_non_zero_and_names_the_entry(write, owner) -> None:
    write(3)
    runner = CliRunner()
    ok = runner.invoke(main, ["audit", "verify"])
    assert ok.exit_code == 0, ok.output
    assert "3 条" in ok.output
    AuditEntry.objects.filter(seq=2).update(client_ip="127.0.0.1")
    bad = runner.invoke(main, ["audit", "verify"])
    assert bad.exit_code == 1
    assert "第 2 条" in bad.output


def test_entries_written_in_a_rolled_back_transaction_vanish_with_it(write, personas) -> None:
    from django.db import transaction

    write(2)

    def failing_change() -> None:
        with transaction.atomic():  # 回滚的事务不触发见证
            ctx = RequestContext(user=personas.caseworker_a, client_ip="", purpose="case_work")
            audit_record(ctx=ctx, action="view", object_type="person", object_id=1)
            raise RuntimeError("the change failed")

    with pytest.raises(RuntimeError):
        failing_change()
    write(1)
    assert list(AuditEntry.objects.values_list("seq", flat=True)) == [1, 2, 3]
    assert AuditHead.objects.get().last_seq == 3
    assert audit_chain_verify().ok


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only")
def test_on_postgresql_entries_cannot_be_changed_even_through_the_platform(write) -> None:
    from django.db import DatabaseError, transaction

    write(2)
    with pytest.raises(DatabaseError, match="只能追加"), transaction.atomic():
        AuditEntry.objects.filter(seq=1).update(client_ip="127.0.0.1")
    with pytest.raises(DatabaseError, match="只能追加"), transaction.atomic():
        AuditEntry.objects.filter(seq=2).delete()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only")
def test_the_application_role_may_append_but_not_delete(write) -> None:
    import secrets

    from django.db import DatabaseError, transaction

    write(1)
    role = f"shouhu_app_test_{secrets.token_hex(4)}"
    _sql(f"CREATE ROLE {role}")  # 测试事务回滚时角色和授权一并撤销
    result = CliRunner().invoke(main, ["audit", "app-role", role])
    assert result.exit_code == 0, result.output
    _sql(f"SET ROLE {role}")
    try:
        write(1)  # 追加可以
        with pytest.raises(DatabaseError, match="permission denied"), transaction.atomic():
            _sql("DELETE FROM audit_auditentry")
    finally:
        _sql("RESET ROLE")


def test_a_transaction_of_several_entries_is_witnessed_once_at_its_last(
    personas, audit_files, django_capture_on_commit_callbacks
):
    """The witness takes the entry just written, without reading the head back: one line per
    transaction, naming its last entry, and the chain still verifies."""
    ctx = RequestContext(user=personas.caseworker_a, client_ip="10.1.2.3", purpose="case_work")
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        written = [audit_record(ctx=ctx, action="view", object_type="person", object_id=i)
                   for i in range(3)]  # fmt: skip
    lines = (audit_files / "audit-witness.log").read_text().splitlines()
    assert [line.split()[2:4] for line in lines] == [["3", written[-1].hash]]
    assert audit_chain_verify().ok
