"""The audit log is a hash chain: an edit, deletion or out-of-order insertion is named."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest
from click.testing import CliRunner
from django.db import connection

from shouhu.cli import main
from shouhu.web.audit.chain import HASHED_FIELDS, entry_hash
from shouhu.web.audit.context import RequestContext
from shouhu.web.audit.models import AuditEntry, AuditHead
from shouhu.web.audit.selectors import audit_chain_verify
from shouhu.web.audit.services import audit_record

pytestmark = pytest.mark.django_db


def _write(n: int, user=None) -> list[AuditEntry]:
    ctx = RequestContext(user=user, client_ip="10.1.2.3", purpose="case_work")
    return [
        audit_record(ctx=ctx, action="view", object_type="person", object_id=i) for i in range(n)
    ]


def test_entries_are_numbered_without_gaps_and_chained(personas):
    entries = _write(5, personas.caseworker_a)
    assert [e.seq for e in entries] == [1, 2, 3, 4, 5]
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(entries))
    assert entries[0].role == "caseworker"
    assert entries[0].agency == "临河区民政局"
    assert entries[0].division_code == "150802"
    assert audit_chain_verify().ok


def test_an_edited_entry_is_named(personas):
    _write(6, personas.caseworker_a)
    AuditEntry.objects.filter(seq=4).update(object_id="999")
    verdict = audit_chain_verify()
    assert not verdict.ok
    assert verdict.first_bad_seq == 4
    assert "第 4 条" in verdict.message


def test_an_edit_with_a_recomputed_hash_breaks_the_next_link(personas):
    entries = _write(5, personas.caseworker_a)
    forged = entries[2]
    forged.purpose = "statistics"
    fields = {name: getattr(forged, name) for name in HASHED_FIELDS}
    AuditEntry.objects.filter(seq=3).update(purpose="statistics", hash=entry_hash(fields))
    verdict = audit_chain_verify()
    assert (verdict.ok, verdict.first_bad_seq) == (False, 4)


def test_a_deleted_entry_is_named(personas):
    _write(5, personas.caseworker_a)
    AuditEntry.objects.filter(seq=3).delete()
    verdict = audit_chain_verify()
    assert (verdict.ok, verdict.first_bad_seq) == (False, 3)
    assert "缺失" in verdict.message


def test_a_deleted_tail_is_found_through_the_head(personas):
    _write(5, personas.caseworker_a)
    AuditEntry.objects.filter(seq__gte=4).delete()
    verdict = audit_chain_verify()
    assert (verdict.ok, verdict.first_bad_seq) == (False, 4)


def test_an_entry_inserted_out_of_order_is_named(personas):
    entries = _write(4, personas.caseworker_a)
    # Renumber the tail and slip a well-formed entry in at seq 3 with an earlier time.
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditentry SET seq = seq + 10 WHERE seq >= 3")
    fields = {
        "seq": 3,
        "at": entries[0].at - timedelta(days=1),
        "actor_id": None,
        "actor_username": "x",
        "role": "",
        "agency": "",
        "division_code": "",
        "action": "view",
        "object_type": "person",
        "object_id": "1",
        "purpose": "case_work",
        "client_ip": "",
        "detail": {},
        "prev_hash": entries[1].hash,
    }
    AuditEntry.objects.create(**fields, hash=entry_hash(fields))
    verdict = audit_chain_verify()
    assert (verdict.ok, verdict.first_bad_seq) == (False, 3)


def test_audit_verify_command_exits_non_zero_and_names_the_entry(personas):
    _write(3, personas.caseworker_a)
    runner = CliRunner()
    ok = runner.invoke(main, ["audit", "verify"])
    assert ok.exit_code == 0, ok.output
    assert "3 条" in ok.output
    AuditEntry.objects.filter(seq=2).update(client_ip="127.0.0.1")
    bad = runner.invoke(main, ["audit", "verify"])
    assert bad.exit_code == 1
    assert "第 2 条" in bad.output


def test_entries_written_in_a_rolled_back_transaction_vanish_with_it(personas):
    from django.db import transaction

    _write(2, personas.caseworker_a)

    def failing_change() -> None:
        with transaction.atomic():
            _write(1, personas.caseworker_a)
            raise RuntimeError("the change failed")

    with pytest.raises(RuntimeError):
        failing_change()
    _write(1, personas.caseworker_a)
    assert list(AuditEntry.objects.values_list("seq", flat=True)) == [1, 2, 3]
    assert AuditHead.objects.get().last_seq == 3
    assert audit_chain_verify().ok
