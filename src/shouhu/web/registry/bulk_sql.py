"""户籍名单的集合式载入：与 `baseline._Loader` 逐行做的事相同，在数据库里按集合做。

名单的合格行先进入临时表 rb_stage（PostgreSQL 用 COPY，SQLite 用 executemany），然后：

  rb_cls     每行按身份证号、原身份证号找到人员，分类：twice（名单中同号两行）、taken（新号码
             已属另一人）、claimed / claimed_former（同号不同人）、update、renumber、new，
             并记下人员此前的登记项；
  人员       INSERT…SELECT 新建，INSERT…ON CONFLICT 记曾用号码，UPDATE…FROM 更新有变化的；
  rb_change  每个被写到的人：变了什么（状态、户籍地、信息、号码）；
  父母       按号码（本地没有的建“非本地户籍”人员），或同户内姓名唯一且年长；
  版本       每个有变化的人一个 PersonVersion（INSERT…SELECT，含父母的号码）；
  全量名单   辖区内在册而名单中没有的人：比例大时挂起（PendingAbsence），否则标记并写版本；
  问题       RegistryIssue，每类最多留 ISSUES_KEPT_PER_KIND 行，统计里是全数。

每一句都在调用方的事务里。SQL 只含表名、列名和常量；值都作为参数传入。两种数据库的差别
（日期、JSON、COPY）集中在 `Dialect`。
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import DatabaseError, connection, transaction

from shouhu.core.identity import registry as status
from shouhu.web.registry.baseline import STATUS_CHANGE
from shouhu.web.registry.models import (
    ChangeKind,
    Division,
    FormerNumber,
    ParentLink,
    PendingAbsence,
    Person,
    PersonVersion,
    RegistryIssue,
)

TEMP_BUFFERS = "512MB"  # 会话的临时表缓冲区上限（用到才分配）
TEMP_TABLES = (
    "rb_stage", "rb_dup", "rb_divs", "rb_names", "rb_cls", "rb_change", "rb_want", "rb_stub",
    "rb_byname", "rb_links", "rb_linkops", "rb_pchanged", "rb_seen", "rb_missing", "rb_issue",
)  # fmt: skip
STAGE_COLUMNS = (
    ("row", "bigint"),
    ("id_number", "text"),
    ("name", "text"),
    ("gender", "text"),
    ("birth", "date"),
    ("division_code", "text"),
    ("household", "text"),
    ("status", "text"),
    ("former", "text"),
    ("father_id", "text"),
    ("mother_id", "text"),
    ("bad", "integer"),  # 不合规的号码：1 父亲、2 母亲、4 原身份证号
    ("father_name", "text"),
    ("mother_name", "text"),
)


def _t(model: Any) -> str:
    return str(connection.ops.quote_name(model._meta.db_table))


P, F, L, V = _t(Person), _t(FormerNumber), _t(ParentLink), _t(PersonVersion)
DIV, ISSUE, PENDING = _t(Division), _t(RegistryIssue), _t(PendingAbsence)


@dataclass(frozen=True)
class Dialect:
    """两种数据库的差别：身份证号中的出生日期、JSON 列、临时表。"""

    vendor: str

    def birth_of(self, number: str) -> str:
        if self.vendor == "postgresql":
            return f"to_date(substr({number}, 7, 8), 'YYYYMMDD')"
        return (
            f"substr({number}, 7, 4) || '-' || substr({number}, 11, 2) || '-' || "
            f"substr({number}, 13, 2)"
        )

    def json(self, text: str) -> str:
        return f"CAST({text} AS jsonb)" if self.vendor == "postgresql" else text

    def analyze(self, table: str) -> str:
        """PostgreSQL 不自动统计临时表；SQLite 的统计反而使它对临时表选错计划。"""
        return f"ANALYZE {table}" if self.vendor == "postgresql" else "SELECT 1"


def run(cursor: Any, sql: str, params: Sequence[Any] = ()) -> None:
    cursor.execute(sql, list(params))


def scalar(cursor: Any, sql: str, params: Sequence[Any] = ()) -> Any:
    cursor.execute(sql, list(params))
    row = cursor.fetchone()
    return row[0] if row else None


def temp_tables_drop(cursor: Any) -> None:
    for table in TEMP_TABLES:
        run(cursor, f"DROP TABLE IF EXISTS {table}")


def memory_raise(cursor: Any, dialect: Dialect) -> None:
    """PostgreSQL：千万行的连接、分组和排序（建索引）在内存里做，不写临时文件（只在本事务内）。
    临时表在会话自己的缓冲区里（默认 8 MB），百万行的临时表反复读写磁盘；这个设置只能在会话
    第一次用临时表之前改（之后改会报错，就保持原样）。服务器端内存，用到才分配。"""
    if dialect.vendor != "postgresql":
        return
    for name, value in (("work_mem", "64MB"), ("maintenance_work_mem", "512MB")):
        run(cursor, f"SET LOCAL {name} = '{value}'")
    try:
        with transaction.atomic():  # 保存点：报错不影响载入的事务
            run(cursor, f"SET temp_buffers = '{TEMP_BUFFERS}'")
    except DatabaseError:
        pass


def stage_create(cursor: Any) -> None:
    temp_tables_drop(cursor)
    columns = ", ".join(f"{name} {kind}" for name, kind in STAGE_COLUMNS)
    run(cursor, f"CREATE TEMP TABLE rb_stage ({columns})")


def duplicate_records(cursor: Any) -> list[tuple[int, int]]:
    """同一人、同样的父母和原号码在名单中出现多次：第一行以外都是重复记录（逐行校验的规则）。"""
    run(
        cursor,
        """CREATE TEMP TABLE rb_dup AS SELECT row, first FROM (
             SELECT row, min(row) OVER (PARTITION BY id_number, father_id, father_name,
                 mother_id, mother_name, former) AS first
             FROM rb_stage WHERE id_number IN (
               SELECT id_number FROM rb_stage GROUP BY id_number HAVING count(*) > 1)
           ) d WHERE row <> first""",
    )
    cursor.execute("SELECT row, first FROM rb_dup ORDER BY row")
    found = [(int(a), int(b)) for a, b in cursor.fetchall()]
    if found:
        run(cursor, "DELETE FROM rb_stage WHERE row IN (SELECT row FROM rb_dup)")
    return found


def stage_index(cursor: Any, dialect: Dialect) -> None:
    run(cursor, "CREATE INDEX rb_stage_id ON rb_stage (id_number)")
    run(cursor, dialect.analyze("rb_stage"))


def division_codes(cursor: Any) -> list[str]:
    cursor.execute("SELECT DISTINCT division_code FROM rb_stage")
    return [str(code) for (code,) in cursor.fetchall()]


def divisions_stage(cursor: Any, rows: list[tuple[str, str | None, int, int]]) -> None:
    """名单中的区划代码 → 区划表中的区划（exact：就是该代码；outside：不在报送部门辖区）。"""
    columns = "code text, resolved text, exact integer, outside integer"
    run(cursor, f"CREATE TEMP TABLE rb_divs ({columns})")
    cursor.executemany("INSERT INTO rb_divs VALUES (%s, %s, %s, %s)", rows)


def first_row_outside(cursor: Any) -> tuple[int, str] | None:
    cursor.execute(
        """SELECT s.row, s.division_code FROM rb_stage s JOIN rb_divs d ON d.code = s.division_code
           WHERE d.outside = 1 ORDER BY s.row LIMIT 1"""
    )
    found = cursor.fetchone()
    return (int(found[0]), str(found[1])) if found else None


def classify(cursor: Any, dialect: Dialect) -> None:
    """每行找到的人员（按现用号码、曾用号码）和分类；人员此前的登记项一并记下。"""
    same = """(s.name = c.name OR ((s.birth = c.birth_date OR (s.birth IS NULL AND
        c.birth_date IS NULL)) AND s.gender = c.gender))"""
    run(
        cursor,
        f"""CREATE TEMP TABLE rb_cls AS
        SELECT s.*, c.id_number AS old_id, c.name AS old_name, c.gender AS old_gender,
          c.birth_date AS old_birth, c.division_id AS old_division,
          c.household_number AS old_household, c.registry_status AS old_status,
          CASE
            WHEN s.twice = 1 THEN 'twice'
            WHEN s.pk1 IS NOT NULL AND s.pk2 IS NOT NULL AND s.pk2 <> s.pk1 THEN 'taken'
            WHEN s.pk1 IS NOT NULL AND NOT {same} THEN 'claimed'
            WHEN s.pk1 IS NOT NULL THEN 'update'
            WHEN s.pk2 IS NOT NULL AND coalesce(c.id_number, '') <> '' AND NOT {same}
              THEN 'claimed_former'
            WHEN s.pk2 IS NOT NULL THEN 'renumber'
            ELSE 'new' END AS kind
        FROM (
          SELECT s.*,
            CASE WHEN s.bad & 1 = 0 THEN s.father_id END AS father_ok,
            CASE WHEN s.bad & 2 = 0 THEN s.mother_id END AS mother_ok,
            CASE WHEN s.bad & 4 = 0 THEN s.former END AS former_ok,
            CASE WHEN t.id_number IS NULL THEN 0 ELSE 1 END AS twice,
            coalesce(f1.person_id, p1.id) AS pk1, coalesce(f2.person_id, p2.id) AS pk2
          FROM rb_stage s
          LEFT JOIN (SELECT id_number FROM rb_stage GROUP BY id_number HAVING count(*) > 1) t
            ON t.id_number = s.id_number
          LEFT JOIN {P} p1 ON p1.id_number = s.id_number
          LEFT JOIN {F} f1 ON f1.id_number = s.id_number
          LEFT JOIN {P} p2 ON s.bad & 4 = 0 AND p2.id_number = s.former
          LEFT JOIN {F} f2 ON s.bad & 4 = 0 AND f2.id_number = s.former
        ) s
        LEFT JOIN {P} c ON c.id = coalesce(s.pk1, s.pk2)""",
    )
    run(cursor, dialect.analyze("rb_cls"))


def names_needed(cursor: Any, sql: str) -> list[str]:
    """要算拼音键的姓名（新人、改了名的人、非本地户籍的父母），去掉已算过的。"""
    cursor.execute(f"SELECT DISTINCT n FROM ({sql}) x WHERE n NOT IN (SELECT name FROM rb_names)")
    return [str(name) for (name,) in cursor.fetchall()]


def new_count(cursor: Any) -> int:
    return int(scalar(cursor, "SELECT count(*) FROM rb_cls WHERE kind = 'new'"))


NEW_OR_RENAMED = """SELECT name AS n FROM rb_cls WHERE kind = 'new'
    OR (kind IN ('update', 'renumber') AND name <> old_name)"""


def persons_create(cursor: Any, *, scope: str, now: Any) -> int:
    run(
        cursor,
        f"""INSERT INTO {P} (id_number, name, name_pinyin, gender, birth_date, division_id,
              registry_status, household_number, merged_into_id, created_at)
            SELECT k.id_number, k.name, coalesce(n.pinyin, ''), k.gender, k.birth,
              coalesce(d.resolved, %s), k.status, k.household, NULL, %s
            FROM rb_cls k JOIN rb_divs d ON d.code = k.division_code
            LEFT JOIN rb_names n ON n.name = k.name
            WHERE k.kind = 'new' ORDER BY k.row""",
        [scope, now],
    )
    return int(cursor.rowcount)


def changes_stage(cursor: Any, dialect: Dialect, *, scope: str) -> None:
    """rb_change：每个被写到的人和变了什么（与 baseline.apply_row 同样的判断）。"""
    status_kind = " ".join(f"WHEN '{new}' THEN '{kind}'" for new, kind in STATUS_CHANGE.items())
    run(
        cursor,
        f"""CREATE TEMP TABLE rb_change AS
        SELECT x.*,
          CASE WHEN x.kind <> 'new' AND (x.status_change <> '' OR x.moved = 1 OR x.updated = 1
            OR x.kind = 'renumber') THEN 1 ELSE 0 END AS has_change
        FROM (
          SELECT k.row, coalesce(k.pk1, k.pk2, n.id) AS pk, k.kind, k.id_number, k.name,
            k.gender, k.birth, k.household, k.status, k.division_code, k.father_ok,
            k.mother_ok, k.father_name, k.mother_name, coalesce(d.resolved, %s) AS division,
            d.exact, coalesce(nm.pinyin, '') AS pinyin,
            CASE WHEN k.kind = 'new' THEN 0 WHEN k.name <> k.old_name THEN 1 ELSE 0 END
              AS renamed,
            CASE WHEN k.kind = 'renumber' THEN coalesce(k.old_id, '')
              WHEN k.kind = 'new' THEN coalesce(k.former_ok, '') ELSE '' END AS former_out,
            CASE WHEN k.kind = 'new' OR k.old_status = k.status THEN ''
              ELSE CASE k.status {status_kind}
                ELSE CASE WHEN k.old_status = '{status.NOT_LOCAL}' THEN '{ChangeKind.MOVED}'
                  ELSE '{ChangeKind.RESTORED}' END END END AS status_change,
            CASE WHEN k.kind <> 'new' AND k.old_division <> coalesce(d.resolved, %s)
              AND k.status = '{status.REGISTERED}' THEN 1 ELSE 0 END AS moved,
            CASE WHEN k.kind <> 'new' AND (k.name <> k.old_name OR k.gender <> k.old_gender
              OR k.household <> k.old_household OR k.old_birth IS NULL
              OR k.birth <> k.old_birth) THEN 1 ELSE 0 END AS updated
          FROM rb_cls k JOIN rb_divs d ON d.code = k.division_code
          LEFT JOIN {P} n ON k.kind = 'new' AND n.id_number = k.id_number
          LEFT JOIN rb_names nm ON nm.name = k.name
          WHERE k.kind IN ('new', 'update', 'renumber')
        ) x""",
        [scope, scope],
    )
    run(cursor, "CREATE INDEX rb_change_pk ON rb_change (pk)")
    run(cursor, dialect.analyze("rb_change"))


def former_numbers_create(cursor: Any, *, load: int) -> None:
    """先让出旧号码再写新号码（号码唯一）；已记过的号码不再记。"""
    run(
        cursor,
        f"""INSERT INTO {F} (person_id, id_number, load_id)
            SELECT pk, former_out, %s FROM rb_change WHERE former_out <> '' ORDER BY row
            ON CONFLICT (id_number) DO NOTHING""",
        [load],
    )


def persons_update(cursor: Any) -> None:
    run(
        cursor,
        f"""UPDATE {P} SET id_number = c.id_number, name = c.name,
              name_pinyin = CASE WHEN c.renamed = 1 THEN c.pinyin ELSE {P}.name_pinyin END,
              gender = c.gender, birth_date = c.birth, division_id = c.division,
              household_number = c.household, registry_status = c.status
            FROM rb_change c
            WHERE {P}.id = c.pk AND c.kind <> 'new' AND c.has_change = 1""",
    )


def change_counts(cursor: Any) -> list[tuple[str, int]]:
    """与 baseline.persons_write 同样的统计（父母变更不计入，“未变”只看登记项）。"""
    cursor.execute(
        """SELECT count(*),
             sum(CASE WHEN kind = 'new' THEN 1 ELSE 0 END),
             sum(CASE WHEN kind = 'renumber' THEN 1 ELSE 0 END),
             sum(moved), sum(updated),
             sum(CASE WHEN kind <> 'new' AND has_change = 0 THEN 1 ELSE 0 END)
           FROM rb_change"""
    )
    rows, new, renumbered, moved, updated, unchanged = cursor.fetchone()
    out: list[tuple[str, int]] = []
    if rows:
        out.append(("rows", int(rows)))
    cursor.execute(
        "SELECT status_change, count(*) FROM rb_change WHERE status_change <> '' "
        "GROUP BY status_change"
    )
    by_status = dict(cursor.fetchall())
    out += [
        (ChangeKind.NEW, int(new or 0)),
        (ChangeKind.NUMBER_CHANGED, int(renumbered or 0)),
        (ChangeKind.UPDATED, int(updated or 0)),
        ("unchanged", int(unchanged or 0)),
    ]
    moved_total = int(moved or 0) + int(by_status.pop(ChangeKind.MOVED, 0))
    out.append((ChangeKind.MOVED, moved_total))
    out += [(str(kind), int(n)) for kind, n in by_status.items()]
    return [(key, n) for key, n in out if n]
