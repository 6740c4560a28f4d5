"""Factories for the platform's records: small, explicit, no magic."""

from __future__ import annotations

import itertools
from datetime import date

from django.test import Client

from shouhu.core.identity import id_number_generate, name_pinyin_key
from shouhu.web.accounts.models import Agency, SecondFactor, User
from shouhu.web.accounts.second_factor import second_factor_enrol_known, totp_now
from shouhu.web.accounts.services import agency_create, user_create
from shouhu.web.cases.models import Case
from shouhu.web.exchange.models import Fact
from shouhu.web.grants.defaults import default_grants as grant_defaults
from shouhu.web.grants.models import Grant
from shouhu.web.registry.models import Division, ParentLink, Person
from shouhu.web.registry.services import division_create

PASSWORD = "Shouhu-test-2026"
_sequence = itertools.count(1)


def division(code: str, name: str, parent: Division | None = None) -> Division:
    return division_create(code=code, name=name, parent=parent)


def person(
    division: Division, *, name: str = "王小明", birth: date = date(2012, 3, 4), gender: str = "M"
) -> Person:
    number = id_number_generate(
        division_code=division.code[:6],
        birth_date=birth,
        sequence=next(_sequence) % 100,
        gender=gender,
    )
    while Person.objects.filter(id_number=number).exists():
        number = id_number_generate(
            division_code=division.code[:6],
            birth_date=birth,
            sequence=next(_sequence) % 100,
            gender=gender,
        )
    return Person.objects.create(
        id_number=number,
        name=name,
        name_pinyin=name_pinyin_key(name),
        gender=gender,
        birth_date=birth,
        division=division,
    )


def family(division: Division, *, child_name: str = "王小明") -> tuple[Person, Person, Person]:
    child = person(division, name=child_name)
    father = person(division, name="王大山", birth=date(1985, 6, 1))
    mother = person(division, name="李秀英", birth=date(1987, 2, 9), gender="F")
    ParentLink.objects.create(child=child, parent=father, relation="father")
    ParentLink.objects.create(child=child, parent=mother, relation="mother")
    return child, father, mother


def user(username: str, role: str, division: Division, agency: Agency | None = None) -> User:
    return user_create(
        username=username, password=PASSWORD, role=role, division=division, agency=agency
    )


def agency(agency_type: str, division: Division, name: str = "") -> Agency:
    return agency_create(
        name=name or f"{division.name}{agency_type}", agency_type=agency_type, division=division
    )


def fact(person: Person, agency: Agency, fact_type: str, **fields: object) -> Fact:
    record = f"R{next(_sequence)}"
    return Fact.objects.create(
        person=person,
        type=fact_type,
        agency=agency,
        source_record_id=record,
        record_sha256=record.ljust(64, "0"),
        **fields,
    )


def case(child: Person, category: str = "de_facto_unsupported") -> Case:
    return Case.objects.create(
        child=child, category=category, division=child.division, opened_on=date(2025, 1, 1)
    )


def default_grants() -> None:
    """The platform's default grants, as a fixture (no audit entry, so tests count their own)."""
    Grant.objects.bulk_create(
        Grant(agency_type=s.agency_type, item_code=s.item_code, purpose=s.purpose,
              roles=list(s.roles), level=s.level, fields=list(s.fields))
        for s in grant_defaults()
    )  # fmt: skip


CLIENT_IP = "10.20.30.40"
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"  # the tests' authenticator


def enrol(user: User) -> str:
    """Enrol `user`'s second factor with the tests' secret; returns a code valid now."""
    second_factor_enrol_known(user=user, secret=TOTP_SECRET)
    return totp_now(TOTP_SECRET)


def totp_code(user: User) -> str:
    """A code the platform accepts now: a code is accepted once per 30 s, and tests sign in more
    often than that, so the record of the last one used is forgotten first."""
    SecondFactor.objects.filter(user=user).update(last_step=0)
    return totp_now(TOTP_SECRET)


def sign_in(client: Client, user: User, password: str = PASSWORD, **extra: str):
    """Sign in through the pages: password, then (for the roles that need one) the second factor,
    enrolled with the tests' secret when it is not yet. Returns the last response."""
    response = client.post("/login/", {"username": user.username, "password": password, **extra})
    where = response.get("Location", "")
    if where == "/login/enrol/":
        enrol(user)
        where = "/login/code/"
    if where == "/login/code/":
        response = client.post(where, {"code": totp_code(user)})
    return response


def client_for(user: User) -> Client:
    """A browser-less client signed in as `user`, from one fixed address (audit entries name it)."""
    client = Client(REMOTE_ADDR=CLIENT_IP)
    client.force_login(user)
    return client
