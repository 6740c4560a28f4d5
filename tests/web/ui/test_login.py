"""Signing in through the pages: password, second factor (enrolment, code, recovery code), landing
page by role, limits, idle timeout, local assets only, and the headers every page carries."""

from __future__ import annotations

import re

import pytest
from django.test import Client, override_settings

from shouhu.web.accounts.models import User
from shouhu.web.audit.models import AuditEntry
from tests.web.factories import CLIENT_IP, PASSWORD, client_for, enrol, totp_code
from tests.web.factories import sign_in as sign_in_fully

pytestmark = pytest.mark.django_db


def sign_in(client: Client, username: str, password: str = PASSWORD, **extra: str):
    return client.post("/login/", {"username": username, "password": password, **extra})


def test_login_page_is_chinese_and_uses_only_local_assets(client, personas):
    page = client.get("/login/").content.decode()
    assert '<html lang="zh-Hans">' in page
    assert "登录" in page
    assert "守护" in page
    references = re.findall(r'(?:href|src)="([^"]+)"', page)
    assert references
    assert all(ref.startswith(("/", "#")) for ref in references)
    assert "<script>" not in page
    assert " on" + "submit=" not in page
    css = client.get("/static/ui/shouhu.css")
    assert css.status_code == 200
    body = b"".join(css.streaming_content) if css.streaming else css.content
    assert b"PingFang SC" in body
    assert b"http" not in body
    assert b"@import" not in body


@pytest.mark.parametrize(
    ("who", "landing"),
    [
        ("caseworker_a", "/"),
        ("leader_city", "/"),
        ("child_director_a", "/"),
        ("auditor_city", "/audit/"),
    ],
)
def test_signing_in_lands_on_the_first_page_the_role_may_open(personas, who, landing):
    response = sign_in_fully(Client(), getattr(personas, who))
    assert response.status_code == 302
    assert response["Location"] == landing


def test_a_safe_next_is_followed_and_a_foreign_one_ignored(personas):
    user = personas.caseworker_a
    assert sign_in_fully(Client(), user, next="/persons/")["Location"] == "/persons/"
    assert sign_in_fully(Client(), user, next="https://evil.example/")["Location"] == "/"


def test_wrong_password_shows_one_message_for_unknown_users_too(client, personas):
    wrong = sign_in(client, "caseworker_a", "not-the-password").content.decode()
    unknown = sign_in(client, "nobody", "not-the-password").content.decode()
    assert "用户名或密码错误。" in wrong
    assert "用户名或密码错误。" in unknown


@override_settings(SIGNIN_LIMIT_PAIR=5)
def test_five_failures_from_one_address_do_not_lock_the_user_out_from_another(personas):
    attacker = Client(REMOTE_ADDR=CLIENT_IP)
    for _ in range(5):
        assert "用户名或密码错误。" in sign_in(attacker, "director_a", "wrong").content.decode()
    throttled = sign_in(attacker, "director_a")
    assert "登录尝试太频繁" in throttled.content.decode()
    assert "_auth_user_id" not in attacker.session
    owner = Client(REMOTE_ADDR="10.99.0.1")
    assert sign_in(owner, "director_a")["Location"] == "/"
    lockout = AuditEntry.objects.get(action="lockout")
    assert (lockout.actor_username, lockout.client_ip) == ("director_a", CLIENT_IP)


@override_settings(SIGNIN_LIMIT_PAIR=2)
def test_the_page_answers_alike_for_unknown_names_wrong_passwords_and_throttling(personas):
    def answer(name: str) -> tuple[int, str]:
        response = sign_in(Client(REMOTE_ADDR=CLIENT_IP), name, "wrong-password")
        page = response.content.decode().replace(name, "NAME")  # the name stays in the field
        return response.status_code, re.sub(r'value="[^"]{20,}"', "", page)  # CSRF token

    assert answer("caseworker_a") == answer("nobody")
    assert answer("caseworker_a") == answer("nobody")  # both throttled now
    assert "登录尝试太频繁" in answer("nobody")[1]


def test_a_caseworker_enrols_at_first_sign_in_and_gets_recovery_codes(personas):
    client = Client()
    assert sign_in(client, "caseworker_a")["Location"] == "/login/enrol/"
    assert "_auth_user_id" not in client.session  # not signed in before the second factor
    page = client.get("/login/enrol/").content.decode()
    assert "<svg" in page
    assert "登记动态验证码" in page
    assert "http" not in page.split("<svg", 1)[1].split("</svg>")[0].replace(
        "http://www.w3.org/2000/svg", ""
    )  # the QR code is drawn here, fetched from nowhere
    assert "验证码不对" in client.post("/login/enrol/", {"code": "000000"}).content.decode()
    secret = "".join(re.findall(r"<span>([A-Z2-7]{1,4})</span>", page))
    from shouhu.web.accounts.second_factor import totp_now

    done = client.post("/login/enrol/", {"code": totp_now(secret)})
    codes = re.findall(r"<li>([A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4})</li>", done.content.decode())
    assert len(codes) == 10
    assert client.session["_auth_user_id"] == str(personas.caseworker_a.pk)
    assert "no-store" in done["Cache-Control"]


def test_a_caseworker_is_refused_a_wrong_code_and_a_recovery_code_works_once(personas):
    user = personas.caseworker_a
    enrol(user)
    client = Client()
    assert sign_in(client, "caseworker_a")["Location"] == "/login/code/"
    assert client.get("/persons/")["Location"].startswith("/login/")  # not yet signed in
    wrong = client.post("/login/code/", {"code": "123456"})
    assert "验证码不对" in wrong.content.decode()
    from shouhu.web.accounts.second_factor import _recovery_codes_issue

    code = _recovery_codes_issue(user)[0]
    assert client.post("/login/code/", {"code": code.lower()})["Location"] == "/"
    again = Client()
    sign_in(again, "caseworker_a")
    assert "验证码不对" in again.post("/login/code/", {"code": code}).content.decode()
    assert again.post("/login/code/", {"code": totp_code(user)})["Location"] == "/"


def test_the_code_page_without_a_password_first_goes_back_to_sign_in(personas):
    response = Client().post("/login/code/", {"code": "123456"})
    assert response["Location"] == "/login/"


def test_signing_in_rotates_the_session(personas):
    client = Client()
    client.get("/login/")
    client.cookies["sessionid"] = "fixated-by-an-attacker"
    sign_in_fully(client, personas.caseworker_a)
    assert client.cookies["sessionid"].value != "fixated-by-an-attacker"


def test_an_idle_session_is_signed_out(personas, settings):
    settings.SESSION_IDLE_SECONDS = 1800
    client = client_for(personas.caseworker_a)
    assert client.get("/persons/").status_code == 200
    session = client.session
    session["seen"] -= 1801
    session.save()
    response = client.get("/persons/")
    assert response["Location"].startswith("/login/")
    assert client.get("/persons/")["Location"].startswith("/login/")
    assert AuditEntry.objects.filter(action="logout", detail__why="idle").exists()


def test_a_password_change_signs_out_every_other_session(personas):
    user = personas.child_director_a
    here, elsewhere = client_for(user), client_for(user)
    form = {
        "current": PASSWORD,
        "new": "Another-long-pass-2027",
        "repeat": "Another-long-pass-2027",
    }
    assert here.post("/me/password/", form)["Location"] == "/me/"
    assert here.get("/me/").status_code == 200
    assert elsewhere.get("/me/")["Location"].startswith("/login/")


def test_every_page_carries_csp_and_no_store(personas):
    client = client_for(personas.caseworker_a)
    for url in ("/login/", "/", "/persons/", "/me/"):
        response = client.get(url)
        assert "no-store" in response["Cache-Control"], url
        csp = response["Content-Security-Policy"]
        assert "default-src 'self'" in csp, url
        assert "script-src 'self';" in csp
        assert "frame-ancestors 'none'" in csp
    static = client.get("/static/ui/shouhu.css")
    assert "no-store" not in static.get("Cache-Control", "")


def test_a_one_character_password_is_refused_everywhere(personas, region):
    from shouhu.core.errors import InvalidInput
    from shouhu.web.accounts.services import user_create

    with pytest.raises(InvalidInput, match="太短"):
        user_create(username="shorty", password="a", role="leader", division=region.city,
                    agency=None)  # fmt: skip
    assert not User.objects.filter(username="shorty").exists()
    form = {"current": PASSWORD, "new": "a", "repeat": "a"}
    refused = client_for(personas.child_director_a).post("/me/password/", form)
    assert refused.status_code == 400
    assert "至少 12 位" in refused.content.decode()


def test_logout_is_a_post_and_is_audited(personas):
    client = client_for(personas.caseworker_a)
    confirm = client.get("/logout/")  # a bookmark or typed address asks, and does not sign out
    assert confirm.status_code == 200
    assert 'action="/logout/"' in confirm.content.decode()
    assert not AuditEntry.objects.filter(action="logout").exists()
    assert client.post("/logout/")["Location"] == "/login/"
    assert AuditEntry.objects.filter(action="logout", actor_id=personas.caseworker_a.pk).exists()
    assert client.get("/")["Location"].startswith("/login/")


def test_top_bar_names_the_user_role_and_division(personas):
    personas.caseworker_a.full_name = "刘经办"
    personas.caseworker_a.save(update_fields=["full_name"])
    page = client_for(personas.caseworker_a).get("/").content.decode()
    assert "刘经办" in page
    assert "民政经办 · 临河区" in page
    assert 'action="/logout/"' in page


def test_account_page_for_a_role_without_data_pages(personas):
    page = client_for(personas.auditor_city).get("/me/").content.decode()
    assert "安全审计员" in page
    assert "巴彦淖尔市" in page
    assert 'href="/persons/"' not in page


@override_settings(CLIENT_IP_HEADER="X-Real-IP")
def test_behind_a_trusted_proxy_the_forwarded_address_is_the_client(personas):
    proxy = Client(REMOTE_ADDR="127.0.0.1", headers={"X-Real-IP": "10.7.7.7"})
    sign_in(proxy, "director_a", "wrong-password")
    assert AuditEntry.objects.get(action="login_failed").client_ip == "10.7.7.7"
