"""Mutual credentials: a credential bound to a client certificate answers only when the trusted
proxy (nginx, `ssl_verify_client optional`) passes that verified certificate; the header from any
other address is dropped. Refusals are Chinese 401s, audited with the credential's prefix."""

from __future__ import annotations

import datetime
import urllib.parse
from pathlib import Path

import pytest
from click.testing import CliRunner
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from shouhu.cli import main
from shouhu.web.accounts.credentials import credential_bind
from shouhu.web.accounts.models import SystemCredential
from shouhu.web.audit.models import AuditEntry
from shouhu.web.headers import certificate_fingerprint
from tests.web.api.conftest import ADMIN, CLIENT_IP, Api

pytestmark = pytest.mark.django_db
PROXY = "127.0.0.1"


def _pem(name: str) -> bytes:
    return _certificate(name)[0]


def _certificate(name: str) -> tuple[bytes, bytes]:
    """(certificate, private key), PEM, self-signed."""
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder().subject_name(subject).issuer_name(subject)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now).not_valid_after(now + datetime.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )  # fmt: skip
    private = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())  # fmt: skip
    return cert.public_bytes(serialization.Encoding.PEM), private


CIVIL, OTHER = _pem("临河区民政局"), _pem("别人")


@pytest.fixture
def bound(court_credential, settings):
    settings.CLIENT_CERT_HEADER = "X-Client-Cert"
    settings.TRUSTED_PROXIES = (PROXY, "::1")
    credential_bind(
        ctx=ADMIN, credential=court_credential.credential,
        fingerprint=certificate_fingerprint(CIVIL),
    )  # fmt: skip
    return court_credential


def _get(token: str, *, via: str, cert: bytes | None):
    api = Api(token)
    api.client.defaults["REMOTE_ADDR"] = via
    headers = api.headers(None)
    if cert is not None:  # nginx: $ssl_client_escaped_cert
        headers["X-Client-Cert"] = urllib.parse.quote(cert.decode())
    return api.client.get("/api/v1/items", headers=headers)


@pytest.mark.parametrize(
    ("via", "cert", "status", "why"),
    [
        (PROXY, CIVIL, 200, None),
        (PROXY, None, 401, "client_cert_missing"),
        (PROXY, OTHER, 401, "client_cert_mismatch"),
        (PROXY, b"not a certificate", 401, "client_cert_missing"),
        (CLIENT_IP, CIVIL, 401, "client_cert_missing"),  # not from the proxy: the header is dropped
    ],
    ids=["right", "absent", "wrong", "unreadable", "untrusted-proxy"],
)
def test_a_bound_credential_needs_its_certificate_from_the_trusted_proxy(
    bound, via, cert, status, why
):
    response = _get(bound.token, via=via, cert=cert)
    assert response.status_code == status
    denied = AuditEntry.objects.filter(action="deny", object_type="credential")
    if why is None:
        assert not denied.exists()
        return
    assert "客户端证书" in response.json()["message"]
    entry = denied.get()
    assert (entry.detail["why"], entry.object_id) == (why, bound.credential.token_prefix)


def test_an_unbound_credential_still_works_with_the_token_alone(court_credential, settings):
    settings.CLIENT_CERT_HEADER = "X-Client-Cert"
    assert _get(court_credential.token, via=CLIENT_IP, cert=None).status_code == 200
    assert _get(court_credential.token, via=PROXY, cert=OTHER).status_code == 200


def test_without_the_header_setting_a_bound_credential_is_refused(bound, settings):
    settings.CLIENT_CERT_HEADER = ""  # the proxy is not configured: fail closed
    assert _get(bound.token, via=PROXY, cert=CIVIL).status_code == 401


def test_credential_bind_command_reads_the_certificate_and_list_shows_it(
    court_credential, tmp_path: Path
):
    pem = tmp_path / "civil.pem"
    pem.write_bytes(CIVIL)
    prefix = court_credential.credential.token_prefix
    bound = CliRunner().invoke(main, ["credential", "bind", prefix, "--cert", str(pem)])
    assert bound.exit_code == 0, bound.output
    fingerprint = certificate_fingerprint(CIVIL)
    assert SystemCredential.objects.get().client_cert_sha256 == fingerprint
    assert fingerprint[:16] in CliRunner().invoke(main, ["credential", "list"]).output
    assert AuditEntry.objects.filter(action="update", object_type="credential").exists()
    wrong = CliRunner().invoke(main, ["credential", "bind", prefix, "--fingerprint", "abc"])
    assert wrong.exit_code != 0
    assert "64 位" in wrong.output
    cleared = CliRunner().invoke(main, ["credential", "bind", prefix, "--clear"])
    assert cleared.exit_code == 0
    assert SystemCredential.objects.get().client_cert_sha256 == ""


def test_the_asking_platform_presents_its_certificate_or_says_why_not(settings, tmp_path: Path):
    from shouhu.core.errors import NotFound
    from shouhu.web.queries.client import peer_for

    cert, key = _certificate("临河区民政局")
    (tmp_path / "c.pem").write_bytes(cert)
    (tmp_path / "k.pem").write_bytes(key)
    (tmp_path / "token").write_text("shouhu_deadbeef_x")
    peer = {"url": "https://sfj.example.gov.cn/api/v1", "token_file": str(tmp_path / "token"),
            "cert_file": str(tmp_path / "c.pem"), "key_file": str(tmp_path / "k.pem")}  # fmt: skip
    settings.QUERY_PEERS = {"justice_custody": peer}
    url, _ = peer_for("justice_custody")
    assert url == "https://sfj.example.gov.cn/api/v1/queries"
    settings.QUERY_PEERS = {"justice_custody": {**peer, "key_file": str(tmp_path / "token")}}
    with pytest.raises(NotFound, match="客户端证书或私钥读不出"):
        peer_for("justice_custody")
