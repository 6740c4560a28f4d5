"""集合式载入的后半：父母关系、版本、全量名单中没有的人、问题清单（见 bulk_sql）。"""

from __future__ import annotations

from typing import Any

from shouhu.core.identity import registry as status
from shouhu.web.registry.baseline import ISSUES_KEPT_PER_KIND
from shouhu.web.registry.bulk_sql import (
    DIV,
    ISSUE,
    PENDING,
    Dialect,
    F,
    L,
    P,
    V,
    run,
    scalar,
)
from shouhu.web.registry.models import ChangeKind, IssueKind, LinkBasis, Relation

_REL = ((Relation.FATHER, "father", 0), (Relation.MOTHER, "mother", 1))


def wanted_stage(cursor: Any, dialect: Dialect) -> None:
    """每个被写到的人的父、母：有合规号码的按号码，只有姓名的留待同户查找。"""
    parts = [
        f"""SELECT row, pk AS child, kind, birth AS child_birth, household,
              '{rel}' AS relation, {order} AS rel_order, {key}_ok AS number,
              {key}_name AS pname
            FROM rb_change WHERE {key}_ok IS NOT NULL OR {key}_name <> ''"""
        for rel, key, order in _REL
    ]
    run(cursor, "CREATE TEMP TABLE rb_want AS " + " UNION ALL ".join(parts))
    run(cursor, dialect.analyze("rb_want"))


STUB_NAMES = f"""SELECT pname AS n FROM rb_want w WHERE w.number IS NOT NULL
    AND NOT EXISTS (SELECT 1 FROM {P} p WHERE p.id_number = w.number)
    AND NOT EXISTS (SELECT 1 FROM {F} f WHERE f.id_number = w.number)"""


def stubs_create(cursor: Any, dialect: Dialect, *, scope: str, now: Any) -> int:
    """父母的号码在本地没有：建“非本地户籍”的人员，姓名取第一次出现时的写法。"""
    run(
        cursor,
        f"""CREATE TEMP TABLE rb_stub AS SELECT number, pname FROM (
              SELECT w.number, w.pname, row_number() OVER (
                PARTITION BY w.number ORDER BY w.row, w.rel_order) AS k
              FROM rb_want w WHERE w.number IS NOT NULL
                AND NOT EXISTS (SELECT 1 FROM {P} p WHERE p.id_number = w.number)
                AND NOT EXISTS (SELECT 1 FROM {F} f WHERE f.id_number = w.number)
            ) x WHERE k = 1""",
    )
    gender = "CASE WHEN CAST(substr(s.number, 17, 1) AS integer) %% 2 = 1 THEN 'M' ELSE 'F' END"
    run(
        cursor,
        f"""INSERT INTO {P} (id_number, name, name_pinyin, gender, birth_date, division_id,
              registry_status, household_number, merged_into_id, created_at)
            SELECT s.number, s.pname, CASE WHEN s.pname = '' THEN '' ELSE
              coalesce(n.pinyin, '') END, {gender}, {dialect.birth_of("s.number")}, %s,
              '{status.NOT_LOCAL}', '', NULL, %s
            FROM rb_stub s LEFT JOIN rb_names n ON n.name = s.pname ORDER BY s.number""",
        [scope, now],
    )
    return int(scalar(cursor, "SELECT count(*) FROM rb_stub"))


def links_stage(cursor: Any, dialect: Dialect) -> None:
    """要有的父母关系：按号码（须比孩子年长），或同户中姓名唯一一致且年长的人。"""
    older = "(h.birth < w.child_birth OR h.birth IS NULL OR w.child_birth IS NULL)"
    run(
        cursor,
        f"""CREATE TEMP TABLE rb_byname AS
            SELECT w.row, w.child, w.kind, w.relation, w.rel_order, count(h.pk) AS n,
              min(h.pk) AS parent
            FROM rb_want w LEFT JOIN rb_change h ON w.household <> ''
              AND h.household = w.household AND h.name = w.pname AND h.pk <> w.child
              AND {older}
            WHERE w.number IS NULL
            GROUP BY w.row, w.child, w.kind, w.relation, w.rel_order""",
    )
    run(
        cursor,
        f"""CREATE TEMP TABLE rb_links AS
            SELECT w.row, w.child, w.kind, w.relation, w.rel_order,
              coalesce(p.id, f.person_id) AS parent, '{LinkBasis.ID_NUMBER}' AS basis,
              CASE WHEN pp.birth_date IS NULL OR w.child_birth IS NULL
                OR pp.birth_date < w.child_birth THEN 1 ELSE 0 END AS older
            FROM rb_want w
            LEFT JOIN {P} p ON p.id_number = w.number
            LEFT JOIN {F} f ON f.id_number = w.number
            LEFT JOIN {P} pp ON pp.id = coalesce(p.id, f.person_id)
            WHERE w.number IS NOT NULL
            UNION ALL
            SELECT row, child, kind, relation, rel_order, parent,
              '{LinkBasis.HOUSEHOLD_NAME}', 1
            FROM rb_byname WHERE n = 1""",
    )
    run(
        cursor,
        f"""CREATE TEMP TABLE rb_linkops AS
            SELECT x.*, l.id AS link_id, l.parent_id AS old_parent
            FROM rb_links x LEFT JOIN {L} l ON l.child_id = x.child AND l.relation = x.relation
            WHERE x.older = 1""",
    )
    run(cursor, dialect.analyze("rb_linkops"))


def links_write(cursor: Any) -> tuple[int, int]:
    run(
        cursor,
        f"""INSERT INTO {L} (child_id, parent_id, relation, basis)
            SELECT child, parent, relation, basis FROM rb_linkops WHERE link_id IS NULL
            ORDER BY row, rel_order""",
    )
    added = int(cursor.rowcount)
    run(
        cursor,
        f"""UPDATE {L} SET parent_id = o.parent, basis = o.basis FROM rb_linkops o
            WHERE {L}.id = o.link_id AND o.old_parent <> o.parent""",
    )
    changed = int(cursor.rowcount)
    run(
        cursor,
        """CREATE TEMP TABLE rb_pchanged AS SELECT DISTINCT child FROM rb_linkops
           WHERE kind <> 'new' AND (link_id IS NULL OR old_parent <> parent)""",
    )
    return added, changed


def _parent_joins(person: str) -> str:
    return (
        f"LEFT JOIN {L} fl ON fl.child_id = {person} AND fl.relation = '{Relation.FATHER}' "
        f"LEFT JOIN {P} fp ON fp.id = fl.parent_id "
        f"LEFT JOIN {L} ml ON ml.child_id = {person} AND ml.relation = '{Relation.MOTHER}' "
        f"LEFT JOIN {P} mp ON mp.id = ml.parent_id"
    )


_VERSION_COLUMNS = f"""INSERT INTO {V} (person_id, load_id, valid_from, changes, id_number,
    former_id_number, name, gender, birth_date, division_code, household_number, status,
    father_id_number, mother_id_number, recorded_at)"""
_VERSION_VALUES = """coalesce(p.id_number, ''), {former}, p.name, p.gender, p.birth_date,
    p.division_id, p.household_number, p.registry_status, coalesce(fp.id_number, ''),
    coalesce(mp.id_number, ''), %s"""


def versions_write(cursor: Any, dialect: Dialect, *, load: int, period: Any, now: Any) -> None:
    """每个有变化的人一个版本：变了什么（与 baseline 同序、去重）和变化后的全部登记项。"""
    kinds = (
        f"CASE WHEN c.kind = 'new' THEN ', \"{ChangeKind.NEW}\"' ELSE '' END || "
        f"CASE WHEN c.kind = 'renumber' THEN ', \"{ChangeKind.NUMBER_CHANGED}\"' ELSE '' END || "
        "CASE WHEN c.status_change <> '' THEN ', \"' || c.status_change || '\"' ELSE '' END || "
        f"CASE WHEN c.moved = 1 AND c.status_change <> '{ChangeKind.MOVED}' "
        f"THEN ', \"{ChangeKind.MOVED}\"' ELSE '' END || "
        f"CASE WHEN c.updated = 1 THEN ', \"{ChangeKind.UPDATED}\"' ELSE '' END || "
        f"CASE WHEN pc.child IS NOT NULL THEN ', \"{ChangeKind.PARENTS}\"' ELSE '' END"
    )
    changes = dialect.json(f"'[' || substr({kinds}, 3) || ']'")
    values = _VERSION_VALUES.format(former="c.former_out")
    run(
        cursor,
        f"""{_VERSION_COLUMNS}
            SELECT c.pk, %s, %s, {changes}, {values}
            FROM rb_change c JOIN {P} p ON p.id = c.pk
            LEFT JOIN rb_pchanged pc ON pc.child = c.pk
            {_parent_joins("c.pk")}
            WHERE c.kind = 'new' OR c.has_change = 1 OR pc.child IS NOT NULL
            ORDER BY c.row""",
        [load, period, now],
    )


def absent_stage(cursor: Any, *, scope_path: str) -> tuple[int, int]:
    """全量名单：辖区内在册、名单中没有的人（名单里出现过的人，即使有问题未动，也算在）。"""
    run(
        cursor,
        """CREATE TEMP TABLE rb_seen AS
           SELECT pk1 AS pk FROM rb_cls WHERE kind <> 'twice' AND pk1 IS NOT NULL
           UNION SELECT pk2 FROM rb_cls WHERE kind <> 'twice' AND pk1 IS NULL
             AND pk2 IS NOT NULL
           UNION SELECT pk FROM rb_change""",
    )
    in_scope = f"""FROM {P} p JOIN {DIV} d ON d.code = p.division_id
        WHERE d.path LIKE %s AND p.registry_status = '{status.REGISTERED}'"""
    pattern = scope_path + "%"
    registered = int(scalar(cursor, f"SELECT count(*) {in_scope}", [pattern]))
    run(
        cursor,
        f"""CREATE TEMP TABLE rb_missing AS SELECT id FROM (
              SELECT p.id {in_scope} EXCEPT SELECT pk FROM rb_seen) x""",
        [pattern],
    )
    return registered, int(scalar(cursor, "SELECT count(*) FROM rb_missing"))


def absent_hold(cursor: Any, *, load: int) -> None:
    run(
        cursor,
        f"INSERT INTO {PENDING} (load_id, person_id) SELECT %s, id FROM rb_missing ORDER BY id",
        [load],
    )


_ABSENT_JSON = "'[\"" + ChangeKind.ABSENT + "\"]'"


def absent_apply(cursor: Any, dialect: Dialect, *, load: int, period: Any, now: Any) -> None:
    run(
        cursor,
        f"""UPDATE {P} SET registry_status = '{status.ABSENT}'
            WHERE id IN (SELECT id FROM rb_missing)""",
    )
    values = _VERSION_VALUES.format(former="''")
    run(
        cursor,
        f"""{_VERSION_COLUMNS}
            SELECT p.id, %s, %s, {dialect.json(_ABSENT_JSON)}, {values}
            FROM rb_missing m JOIN {P} p ON p.id = m.id {_parent_joins("p.id")}
            ORDER BY p.id""",
        [load, period, now],
    )


def issues_stage(cursor: Any) -> None:
    """所有问题先进临时表（类、行、人员、说明），再每类只留前若干行。"""
    claimed, taken = IssueKind.NUMBER_CLAIMED, IssueKind.NUMBER_TAKEN
    run(
        cursor,
        f"""CREATE TEMP TABLE rb_issue AS
        SELECT '{claimed}' AS kind, row, CAST(NULL AS bigint) AS person_id,
          '名单中另有一行使用同一号码' AS note FROM rb_cls WHERE kind = 'twice'
        UNION ALL SELECT '{taken}', row, pk1, '' FROM rb_cls WHERE kind = 'taken'
        UNION ALL SELECT '{claimed}', row, pk1, '号码已登记给另一人'
          FROM rb_cls WHERE kind = 'claimed'
        UNION ALL SELECT '{claimed}', row, pk2, '原身份证号属于另一人'
          FROM rb_cls WHERE kind = 'claimed_former'
        UNION ALL SELECT '{IssueKind.DIVISION_UNKNOWN}', row, NULL, division_code
          FROM rb_change WHERE exact = 0
        UNION ALL SELECT '{IssueKind.PARENT_UNRESOLVED}', row, child,
          CASE WHEN n = 0 THEN '同户中没有此人' ELSE '同户中有多人同名' END
          FROM rb_byname WHERE n <> 1
        UNION ALL SELECT '{IssueKind.PARENT_YOUNGER}', row, child, relation
          FROM rb_links WHERE older = 0""",
    )


def issues_write(cursor: Any, *, load: int) -> list[tuple[str, int]]:
    run(
        cursor,
        f"""INSERT INTO {ISSUE} (load_id, kind, row, person_id, note)
            SELECT %s, kind, row, person_id, substr(note, 1, 200) FROM (
              SELECT i.*, row_number() OVER (PARTITION BY kind ORDER BY row) AS k
              FROM rb_issue i) x
            WHERE k <= {ISSUES_KEPT_PER_KIND} ORDER BY row""",
        [load],
    )
    cursor.execute("SELECT kind, count(*) FROM rb_issue GROUP BY kind ORDER BY kind")
    return [(f"issue:{kind}", int(n)) for kind, n in cursor.fetchall()]
