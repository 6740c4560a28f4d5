"""TLS at nginx, as deploy/nginx/shouhu.conf says, in front of `shouhu production` with the HTTPS
switches on: https answers with HSTS and Secure cookies, http is sent to https, and /metrics is
not served through the proxy without the token. Needs Debian's
nginx (skipped without it); the certificate is self-signed, made here."""

from __future__ import annotations

import datetime
import http.client
import ipaddress
import shutil
import signal
import ssl
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tests.web.conftest import once_on_postgres
from tests.web.ops.platforms import platform, postgres_drop
from tests.web.ops.test_production import _free_port, _until

pytestmark = [
    pytest.mark.xdist_group("backup"),
    once_on_postgres,
    pytest.mark.skipif(shutil.which("nginx") is None, reason="nginx is not installed"),
]
DEPLOY = Path(__file__).parents[3] / "deploy" / "nginx"
HTTPS_ENV = {
    "SHOUHU_SECURE_COOKIES": "1",
    "SHOUHU_HSTS_SECONDS": "31536000",
    "SHOUHU_SSL_REDIRECT": "1",
    "SHOUHU_PROXY_SSL_HEADER": "X-Forwarded-Proto",
    "SHOUHU_CLIENT_IP_HEADER": "X-Real-IP",
}


def _certificate(folder: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)

    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


def _nginx_conf(folder: Path, http_port: int, https_port: int, app_port: int) -> Path:
    cert, key = _certificate(folder)
    site = (DEPLOY / "shouhu.conf").read_text(encoding="utf-8")
    site = (
        site.replace("listen [::]:80;", "")
        .replace("listen [::]:443 ssl http2;", "")
        .replace("listen 80;", f"listen 127.0.0.1:{http_port};")
        .replace("listen 443 ssl http2;", f"listen 127.0.0.1:{https_port} ssl;")
        .replace("https://$host$request_uri", f"https://$host:{https_port}$request_uri")
        .replace("127.0.0.1:8000", f"127.0.0.1:{app_port}")
        .replace("/etc/ssl/shouhu/cert.pem", str(cert))
        .replace("/etc/ssl/shouhu/key.pem", str(key))
        .replace("/etc/ssl/shouhu/client-ca.pem", str(cert))
        .replace("/etc/nginx/shouhu-proxy.conf", str(DEPLOY / "shouhu-proxy.conf"))
    )
    (folder / "site.conf").write_text(site, encoding="utf-8")
    main = folder / "nginx.conf"
    main.write_text(
        f"daemon off; pid {folder}/nginx.pid; error_log {folder}/error.log;\n"
        "events { worker_connections 256; }\n"
        f"http {{ client_body_temp_path {folder}/body; proxy_temp_path {folder}/proxy;\n"
        f"  include {folder}/site.conf; }}\n",
        encoding="utf-8",
    )
    return main


def test_tls_at_nginx_with_the_https_switches(tmp_path: Path) -> None:
    site = platform(tmp_path / "site", "tls")
    site.env |= HTTPS_ENV
    app_port, http_port, https_port = _free_port(), _free_port(), _free_port()
    conf = _nginx_conf(tmp_path, http_port, https_port, app_port)
    shouhu = subprocess.Popen(
        [sys.executable, "-m", "shouhu.cli", "production", "--port", str(app_port),
         "--web-workers", "1", "--threads", "2"],
        env=site.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    nginx = subprocess.Popen(["nginx", "-c", str(conf), "-p", str(tmp_path)])
    context = ssl.create_default_context(cafile=str(tmp_path / "cert.pem"))
    try:

        def get(path: str, secure: bool = True) -> http.client.HTTPResponse:
            if secure:
                conn = http.client.HTTPSConnection("127.0.0.1", https_port, context=context)
            else:
                conn = http.client.HTTPConnection("127.0.0.1", http_port)
            conn.request("GET", path)
            response = conn.getresponse()
            response.read()
            return response

        _until(lambda: get("/healthz").status == 200)
        login = get("/login/")
        assert login.status == 200
        assert login.headers["Strict-Transport-Security"] == "max-age=31536000"
        cookies = login.headers.get_all("Set-Cookie") or []
        assert cookies
        assert all("Secure" in cookie for cookie in cookies)
        plain = get("/login/", secure=False)
        assert plain.status == 301
        assert plain.headers["Location"] == f"https://127.0.0.1:{https_port}/login/"
        # 经 nginx 转来的请求（带 X-Real-IP）没有令牌就不给指标；Prometheus 直接抓 127.0.0.1:8000
        assert get("/metrics").status == 404
    finally:
        nginx.send_signal(signal.SIGQUIT)
        shouhu.send_signal(signal.SIGTERM)
        nginx.wait(timeout=30)
        shouhu.wait(timeout=60)
        postgres_drop("tls")
