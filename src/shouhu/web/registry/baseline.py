"""户籍基线的载入：公安报送的户籍名单（docs/rules.md 的比对基线）建立和更新人员与父母关系。

bayannur §4(三)：“以全区户籍数据为基础……进行比对”。一份 `household_registry` 报送，不论经
上传、命令行、接口还是离线包进来，都在报送的同一事务里经这里载入：

- 名单里的每一行按身份证号（或原身份证号、曾用号码）找到人员；找不到的新建；找到的，与现状
  不同就写一个新版本（`PersonVersion`：变化后的全部登记项和变了什么），Person 上只更新现状；
- 父母按身份证号关联（本地没有这个人时建一个“非本地户籍”的人员）；只有姓名的，只在同一户号
  内姓名唯一一致、且比孩子年长时关联，否则列为问题，绝不猜测；
- 全量名单：辖区内在册、但名单里没有的人标记为“不在最新全量名单中”（不删除）；超过辖区在册
  人数的一定比例（`ABSENT_HOLD_SHARE`）时先不标记，等经办人员确认；
- 不能自动处理的（两人同号、父母不比子女年长、新号码已属于他人……）列为问题，该行不动。

每次载入的统计和问题在 `RegistryLoad` 上，可以下载。整份名单在一个事务里：中途失败什么也不留。
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Final

from django.conf import settings
from django.utils import timezone

from shouhu.core.exchange import ReadResult, ValidRecord
from shouhu.core.identity import (
    division_table,
    is_valid_id_number,
    name_pinyin_key,
    parse_id_number,
)
from shouhu.core.identity import registry as status
from shouhu.web.exchange.models import Submission
from shouhu.web.registry.models import (
    ChangeKind,
    Division,
    FormerNumber,
    IssueKind,
    LinkBasis,
    LoadMode,
    LoadStatus,
    ParentLink,
    PendingAbsence,
    Person,
    PersonVersion,
    RegistryIssue,
    RegistryLoad,
    Relation,
)

BATCH: Final = 2000
ISSUES_KEPT_PER_KIND: Final = 1000  # 问题清单每类最多留这么多行；统计里是全数
STATUS_CHANGE: Final = {
    status.DECEASED: ChangeKind.DECEASED,
    status.CANCELLED: ChangeKind.CANCELLED,
    status.MOVED_OUT: ChangeKind.MOVED_OUT,
}
PARENTS: Final = ((Relation.FATHER, "father"), (Relation.MOTHER, "mother"))


def absent_hold_share() -> float:
    """全量名单会使辖区在册人员减少超过这个比例时，先不标记，等经办人员确认。"""
    return float(getattr(settings, "SHOUHU_REGISTRY_HOLD_SHARE", 0.05))


@dataclass(slots=True)
class Row:
    """名单的一行，已经过行校验（core.exchange）。"""

    number: int
    id_number: str
    name: str
    gender: str
    birth_date: date | None
    division_code: str
    household_number: str
    status: str
    former_id_number: str
    parent_ids: dict[str, str]  # father / mother → 身份证号（合规的）
    parent_names: dict[str, str]

    @classmethod
    def of(cls, record: ValidRecord) -> Row:
        subject, extra = record.subject, record.extra
        id_number = str(subject["id_number"])
        birth = subject.get("birth_date")
        return cls(
            number=record.row,
            id_number=id_number,
            name=str(subject.get("name") or ""),
            gender=str(subject.get("gender") or ""),
            birth_date=birth if isinstance(birth, date) else parse_id_number(id_number).birth_date,
            division_code=str(subject["division_code"]),
            household_number=str(extra.get("household_number") or ""),
            status=str(extra.get("registry_status") or status.REGISTERED),
            former_id_number=_valid(extra.get("former_id_number")),
            parent_ids={key: _valid(extra.get(f"{key}_id_number")) for _, key in PARENTS},
            parent_names={key: str(extra.get(f"{key}_name") or "") for _, key in PARENTS},
        )


def registry_rows_within(agency_division: str, filename: str, result: ReadResult) -> ReadResult:
    """户籍名单只能载入报送部门辖区内的人：有一行户籍地在辖区外，整份拒收（指明第一行）。"""
    table = division_table()
    for record in result.records:
        code = str(record.subject.get("division_code") or "")
        if not table.is_within(code, agency_division):
            area = table.get(agency_division)
            where = area.name if area is not None else agency_division
            message = (
                f"{filename or '文件'}第{record.row}行：户籍地区划代码 {code} 不在本部门辖区"
                f"（{where}）内。户籍名单只能报送本辖区的人员，整份文件未接收。"
            )
            return replace(result, records=[], rejected_whole=message)
    return result


def _valid(value: object) -> str:
    return value if isinstance(value, str) and is_valid_id_number(value) else ""


@dataclass
class _Change:
    """一行对一个人的作用：新建或更新，以及变了什么。"""

    row: Row
    person: Person
    changes: list[str] = field(default_factory=list)
    former: str = ""
    created: bool = False


@dataclass
class LoadCounts:
    counter: Counter[str] = field(default_factory=Counter)

    def add(self, key: str, n: int = 1) -> None:
        self.counter[key] += n


def registry_load_apply(
    *, submission: Submission, records: Sequence[ValidRecord], full: bool
) -> RegistryLoad:
    """载入一份户籍名单。必须在报送的事务里调用。"""
    scope = Division.objects.get(code=submission.agency.division_id)
    mode = LoadMode.FULL if full else LoadMode.DELTA
    load = RegistryLoad.objects.create(
        submission=submission, scope=scope, mode=mode, status=LoadStatus.APPLIED
    )
    _Loader(load, submission.period).run([Row.of(r) for r in records], full=full)
    return load


class _Loader:
    def __init__(self, load: RegistryLoad, valid_from: date) -> None:
        self.load = load
        self.valid_from = valid_from
        self.counts = LoadCounts()
        self.issues: list[RegistryIssue] = []
        self.kept: Counter[str] = Counter()
        self.pk_of: dict[str, int] = {}  # 号码（含曾用号码）→ 人员
        self.persons: dict[int, Person] = {}
        self.divisions = Divisions(load.scope)
        self.seen: set[int] = set()  # 名单里出现过的已有人员（含有问题未动的）
        self.parents_now: dict[int, dict[str, str]] = {}

    def run(self, rows: list[Row], *, full: bool) -> None:
        rows = self.without_claimed_twice(rows)
        changes = [c for batch in _batches(rows) for c in self.person_changes(batch)]
        self.persons_write(changes)
        links = ParentLinks(self)
        links.resolve(changes)
        self.versions_write(changes)
        if full:
            self.absences(seen=self.seen | {c.person.pk for c in changes})
        self.finish()

    # ------------------------------------------------------------ people

    def without_claimed_twice(self, rows: list[Row]) -> list[Row]:
        """同一号码在名单里出现两次且内容不同：两行都不动，列为问题。"""
        per_number = Counter(row.id_number for row in rows)
        twice = {number for number, n in per_number.items() if n > 1}
        for row in rows:
            if row.id_number in twice:
                self.issue(IssueKind.NUMBER_CLAIMED, row.number, None, "名单中另有一行使用同一号码")
        return [row for row in rows if row.id_number not in twice]

    def person_changes(self, rows: list[Row]) -> list[_Change]:
        numbers = {row.id_number for row in rows} | {row.former_id_number for row in rows} - {""}
        self.persons_fetch(numbers)
        out = []
        for row in rows:
            change = self.person_change(row)
            if change is not None:
                out.append(change)
        return out

    def persons_fetch(self, numbers: Iterable[str]) -> None:
        wanted = [n for n in numbers if n and n not in self.pk_of]
        if not wanted:
            return
        for person in Person.objects.filter(id_number__in=wanted):
            self.remember(person)
        former = FormerNumber.objects.filter(id_number__in=wanted).select_related("person")
        for number in former:
            self.remember(number.person)
            self.pk_of[number.id_number] = number.person_id

    def remember(self, person: Person) -> None:
        self.persons[person.pk] = person
        if person.id_number:
            self.pk_of[person.id_number] = person.pk

    def person_change(self, row: Row) -> _Change | None:
        pk = self.pk_of.get(row.id_number)
        if pk is not None and pk > 0:
            self.seen.add(pk)
        if pk is None and row.former_id_number:
            pk = self.pk_of.get(row.former_id_number)
            if pk is not None:
                self.seen.add(pk)
                return self.renumbered(row, self.persons[pk])
        if pk is None:
            return self.new_person(row)
        other = self.pk_of.get(row.former_id_number) if row.former_id_number else None
        if other is not None and other != pk:
            self.issue(IssueKind.NUMBER_TAKEN, row.number, self.persons[pk], "")
            return None
        return self.updated(row, self.persons[pk])

    def new_person(self, row: Row) -> _Change:
        person = Person(id_number=row.id_number, name_pinyin=name_pinyin_key(row.name))
        former = row.former_id_number if row.former_id_number not in self.pk_of else ""
        change = _Change(row, person, [ChangeKind.NEW], former=former, created=True)
        self.apply_row(change)
        self.pk_of[row.id_number] = -1  # 占位：同一名单里不会再新建一次（重号已先剔除）
        return change

    def renumbered(self, row: Row, person: Person) -> _Change | None:
        if person.id_number and not self.same_person(row, person):
            self.issue(IssueKind.NUMBER_CLAIMED, row.number, person, "原身份证号属于另一人")
            return None
        change = _Change(row, person, [ChangeKind.NUMBER_CHANGED], former=person.id_number or "")
        self.pk_of[row.id_number] = person.pk
        self.apply_row(change)
        return change

    def updated(self, row: Row, person: Person) -> _Change | None:
        if not self.same_person(row, person):
            self.issue(IssueKind.NUMBER_CLAIMED, row.number, person, "号码已登记给另一人")
            return None
        change = _Change(row, person)
        self.apply_row(change)
        return change

    @staticmethod
    def same_person(row: Row, person: Person) -> bool:
        """姓名可以改；姓名变了、出生日期或性别也不同，就是两个人用了同一个号码。"""
        if row.name == person.name:
            return True
        return row.birth_date == person.birth_date and row.gender == person.gender

    def apply_row(self, change: _Change) -> None:
        """把这一行写到 Person 上（内存中），记下与现状相比变了什么。"""
        person, row = change.person, change.row
        division = self.divisions.of(row)
        if division is None:
            self.issue(IssueKind.DIVISION_UNKNOWN, row.number, None, row.division_code)
            division = self.load.scope
        elif division.code != row.division_code:
            self.issue(IssueKind.DIVISION_UNKNOWN, row.number, None, row.division_code)
        before = (person.name, person.gender, person.birth_date, person.household_number)
        after = (row.name, row.gender, row.birth_date, row.household_number)
        if not change.created:
            change.changes += self.status_changes(person.registry_status, row.status)
            if person.division_id != division.code and row.status == status.REGISTERED:
                change.changes.append(ChangeKind.MOVED)
            if before != after:
                change.changes.append(ChangeKind.UPDATED)
        person.id_number = row.id_number
        person.name, person.gender, person.birth_date, person.household_number = after
        if before[0] != row.name:
            person.name_pinyin = name_pinyin_key(row.name)
        person.division = division
        person.registry_status = row.status

    @staticmethod
    def status_changes(old: str, new: str) -> list[str]:
        if old == new:
            return []
        if new in STATUS_CHANGE:
            return [STATUS_CHANGE[new]]
        if old == status.NOT_LOCAL:
            return [ChangeKind.MOVED]  # 非本地户籍的父母迁入本辖区
        return [ChangeKind.RESTORED]

    def persons_write(self, changes: list[_Change]) -> None:
        new = [c.person for c in changes if c.created]
        Person.objects.bulk_create(new, batch_size=BATCH)
        if any(p.pk is None for p in new):  # 数据库不返回主键时按号码取回
            pks = dict(
                Person.objects.filter(id_number__in=[p.id_number for p in new]).values_list(
                    "id_number", "pk"
                )
            )
            for person in new:
                person.pk = pks[person.id_number]
        for person in new:
            self.remember(person)
        renumbered = [c for c in changes if c.former]
        # 先让出旧号码，再写新号码：号码唯一，互换号码的两人不会在中途冲突
        FormerNumber.objects.bulk_create(
            [FormerNumber(person=c.person, id_number=c.former, load=self.load) for c in renumbered],
            ignore_conflicts=True,
        )
        updated = [c.person for c in changes if c.changes and not c.created]
        Person.objects.bulk_update(
            updated,
            [
                "id_number",
                "name",
                "name_pinyin",
                "gender",
                "birth_date",
                "division",
                "household_number",
                "registry_status",
            ],
            batch_size=BATCH,
        )
        for change in changes:
            self.counts.add("rows")
            for kind in change.changes:
                self.counts.add(kind)
            if not change.changes:
                self.counts.add("unchanged")

    def versions_write(self, changes: list[_Change]) -> None:
        versions = [
            person_version(
                self.load, self.valid_from, c.person, c.changes, self.parents_now, c.former
            )
            for c in changes
            if c.changes
        ]
        PersonVersion.objects.bulk_create(versions, batch_size=BATCH)

    # ------------------------------------------------------------ full snapshots

    def absences(self, *, seen: set[int]) -> None:
        """全量名单：辖区内在册、名单中没有的人。比例大时先挂起，等确认。"""
        in_scope = Person.objects.filter(
            division__path__startswith=self.load.scope.path,
            registry_status=status.REGISTERED,
        ).values_list("pk", flat=True)
        registered = list(in_scope.iterator(chunk_size=10_000))
        missing = [pk for pk in registered if pk not in seen]
        self.counts.add(ChangeKind.ABSENT, len(missing))
        if not missing:
            return
        if len(missing) > absent_hold_share() * max(len(registered), 1):
            self.load.status = LoadStatus.HELD
            PendingAbsence.objects.bulk_create(
                [PendingAbsence(load=self.load, person_id=pk) for pk in missing], batch_size=BATCH
            )
            return
        absences_apply(self.load, missing)

    # ------------------------------------------------------------ problems and totals

    def issue(self, kind: str, row: int, person: Person | None, note: str) -> None:
        self.counts.add(f"issue:{kind}")
        self.kept[kind] += 1
        if self.kept[kind] <= ISSUES_KEPT_PER_KIND:
            issue = RegistryIssue(load=self.load, kind=kind, row=row, person=person)
            issue.note = note[:200]
            self.issues.append(issue)

    def finish(self) -> None:
        RegistryIssue.objects.bulk_create(self.issues, batch_size=BATCH)
        self.load.counts = dict(self.counts.counter)
        self.load.save(update_fields=["counts", "status"])


def absences_apply(load: RegistryLoad, pks: list[int]) -> int:
    """标记为“不在最新全量名单中”（仍在册的才标记），各写一个版本。"""
    done = 0
    for start in range(0, len(pks), BATCH):
        persons = list(
            Person.objects.filter(
                pk__in=pks[start : start + BATCH], registry_status=status.REGISTERED
            )
        )
        for person in persons:
            person.registry_status = status.ABSENT
        Person.objects.bulk_update(persons, ["registry_status"])
        parents = _parents_of([p.pk for p in persons])
        PersonVersion.objects.bulk_create(
            [
                person_version(load, load.submission.period, p, [ChangeKind.ABSENT], parents)
                for p in persons
            ]
        )
        done += len(persons)
    return done


def person_version(
    load: RegistryLoad,
    valid_from: date,
    person: Person,
    changes: list[str],
    parents: dict[int, dict[str, str]],
    former: str = "",
) -> PersonVersion:
    """一个人在这次载入之后的全部登记项，和变了什么（同一变化只记一次）。"""
    own = parents.get(person.pk, {})
    return PersonVersion(
        person=person,
        load=load,
        valid_from=valid_from,
        changes=list(dict.fromkeys(changes)),
        id_number=person.id_number or "",
        former_id_number=former,
        name=person.name,
        gender=person.gender,
        birth_date=person.birth_date,
        division_code=person.division_id,
        household_number=person.household_number,
        status=person.registry_status,
        father_id_number=own.get(Relation.FATHER, ""),
        mother_id_number=own.get(Relation.MOTHER, ""),
    )


def _parents_of(child_pks: list[int]) -> dict[int, dict[str, str]]:
    """孩子 → {关系: 父/母的身份证号}，写进版本。"""
    out: dict[int, dict[str, str]] = defaultdict(dict)
    for start in range(0, len(child_pks), BATCH):
        links = ParentLink.objects.filter(child_id__in=child_pks[start : start + BATCH])
        for child, relation, number in links.values_list(
            "child_id", "relation", "parent__id_number"
        ):
            out[child][relation] = number or ""
    return out


def _batches(rows: list[Row]) -> Iterable[list[Row]]:
    for start in range(0, len(rows), BATCH):
        yield rows[start : start + BATCH]


class Divisions:
    """名单里的区划代码 → 区划表中的区划；表中没有的（如未导入的村），退到最近的上级。"""

    def __init__(self, scope: Division) -> None:
        self.scope = scope
        self.cache: dict[str, Division | None] = {}

    def of(self, row: Row) -> Division | None:
        code = row.division_code
        if code not in self.cache:
            self.cache[code] = self.lookup(code)
        return self.cache[code]

    def lookup(self, code: str) -> Division | None:
        candidates = [code[:n] for n in (12, 9, 6) if len(code) >= n]
        found = {d.code: d for d in Division.objects.filter(code__in=candidates)}
        for candidate in candidates:
            division = found.get(candidate)
            if division is not None and division.path.startswith(self.scope.path):
                return division
        return None


class ParentLinks:
    """父母关系：按号码；只有姓名的，在同户内唯一一致且年长时才关联。"""

    def __init__(self, loader: _Loader) -> None:
        self.loader = loader

    def resolve(self, changes: list[_Change]) -> None:
        loader = self.loader
        numbers = {n for c in changes for n in c.row.parent_ids.values() if n}
        loader.persons_fetch(numbers)
        self.stubs_create(changes)
        children = [c.person.pk for c in changes]
        current = _parent_links_of(children)
        households = self.households(changes)
        wanted: list[tuple[_Change, str, Person, str]] = []
        for change in changes:
            for relation, key in PARENTS:
                parent = self.parent_for(change, key, households)
                if parent is not None:
                    wanted.append((change, relation, parent[0], parent[1]))
        self.links_write(wanted, current)
        loader.parents_now = _parents_of(children)

    def stubs_create(self, changes: list[_Change]) -> None:
        """父母的号码在本地户籍中没有：建一个“非本地户籍”的人员，部门记录才能联到他。"""
        loader = self.loader
        stubs: dict[str, Person] = {}
        for change in changes:
            for _, key in PARENTS:
                number = change.row.parent_ids[key]
                if number and number not in loader.pk_of and number not in stubs:
                    stubs[number] = self.stub(number, change.row.parent_names[key])
        Person.objects.bulk_create(list(stubs.values()), batch_size=BATCH)
        for person in stubs.values():
            loader.remember(person)
        loader.counts.add("not_local", len(stubs))

    def stub(self, number: str, name: str) -> Person:
        resident = parse_id_number(number)
        return Person(
            id_number=number,
            name=name,
            name_pinyin=name_pinyin_key(name) if name else "",
            gender=resident.gender,
            birth_date=resident.birth_date,
            division=self.loader.load.scope,
            registry_status=status.NOT_LOCAL,
        )

    @staticmethod
    def households(changes: list[_Change]) -> dict[str, list[Person]]:
        by_household: dict[str, list[Person]] = defaultdict(list)
        for change in changes:
            if change.row.household_number:
                by_household[change.row.household_number].append(change.person)
        return by_household

    def parent_for(
        self, change: _Change, key: str, households: dict[str, list[Person]]
    ) -> tuple[Person, str] | None:
        row, loader = change.row, self.loader
        number = row.parent_ids[key]
        if number:
            return loader.persons[loader.pk_of[number]], LinkBasis.ID_NUMBER
        name = row.parent_names[key]
        if not name:
            return None
        same = [
            p
            for p in households.get(row.household_number, [])
            if p.name == name and p.pk != change.person.pk and _older(p, change.person)
        ]
        if len(same) == 1:
            return same[0], LinkBasis.HOUSEHOLD_NAME
        note = "同户中没有此人" if not same else "同户中有多人同名"
        loader.issue(IssueKind.PARENT_UNRESOLVED, row.number, change.person, note)
        return None

    def links_write(
        self,
        wanted: list[tuple[_Change, str, Person, str]],
        current: dict[int, dict[str, tuple[int, int]]],
    ) -> None:
        loader = self.loader
        new: list[ParentLink] = []
        moved: list[ParentLink] = []
        for change, relation, parent, basis in wanted:
            child = change.person
            if not _older(parent, child):
                loader.issue(IssueKind.PARENT_YOUNGER, change.row.number, child, relation)
                continue
            existing = current.setdefault(child.pk, {}).get(relation)
            if existing is not None and existing[0] == parent.pk:
                continue
            current[child.pk][relation] = (parent.pk, existing[1] if existing else 0)
            if not change.created:
                change.changes.append(ChangeKind.PARENTS)
            link = ParentLink(child=child, parent=parent, relation=relation, basis=basis)
            if existing is None:
                new.append(link)
                loader.counts.add("links_added")
            else:
                link.pk = existing[1]
                moved.append(link)
                loader.counts.add("links_changed")
        ParentLink.objects.bulk_create(new, batch_size=BATCH)
        ParentLink.objects.bulk_update(moved, ["parent", "basis"], batch_size=BATCH)


def _older(parent: Person, child: Person) -> bool:
    if parent.birth_date is None or child.birth_date is None:
        return True
    return parent.birth_date < child.birth_date


def _parent_links_of(child_pks: list[int]) -> dict[int, dict[str, tuple[int, int]]]:
    """孩子 → {关系: (父/母的人员, 关系记录)}。"""
    out: dict[int, dict[str, tuple[int, int]]] = defaultdict(dict)
    for start in range(0, len(child_pks), BATCH):
        links = ParentLink.objects.filter(child_id__in=child_pks[start : start + BATCH])
        for child, relation, parent, pk in links.values_list(
            "child_id", "relation", "parent_id", "pk"
        ):
            out[child][relation] = (parent, pk)
    return out


def registry_load_decided(load: RegistryLoad, *, confirm: bool, user_id: int) -> int:
    """经办人员对挂起的移出人员作出决定：确认则标记，否则不采纳。返回标记的人数。"""
    pending = list(load.pending.values_list("person_id", flat=True))
    done = absences_apply(load, pending) if confirm else 0
    load.pending.all().delete()
    load.status = LoadStatus.CONFIRMED if confirm else LoadStatus.DISCARDED
    load.decided_by_id = user_id
    load.decided_at = timezone.now()
    load.save(update_fields=["status", "decided_by", "decided_at"])
    return done
