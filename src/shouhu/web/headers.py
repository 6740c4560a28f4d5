"""Response headers every page carries, and the client address behind a trusted proxy.

- Content-Security-Policy (settings.CONTENT_SECURITY_POLICY): every asset is local, no inline
  script; a page cannot be framed.
- Cache-Control: no-store on every response the application makes (pages, downloads, the API):
  nearly all of them carry personal data, and a shared or back-button cache must keep none.
  Static files are served by WhiteNoise before this middleware and keep their own caching.
"""

from __future__ import annotations

import hashlib
import ipaddress
import re
import urllib.parse
from collections.abc import Callable
from functools import lru_cache

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers

CSP_EXEMPT = ("/api/",)  # JSON, not rendered by a browser


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        add_never_cache_headers(response)  # no-store, no-cache, must-revalidate, private
        if not request.path.startswith(CSP_EXEMPT):
            response.headers.setdefault("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)
        return response


class ClientAddressMiddleware:
    """Behind a reverse proxy REMOTE_ADDR is the proxy's: with SHOUHU_CLIENT_IP_HEADER set, the
    address the proxy reports (the last one it appended) becomes REMOTE_ADDR, so that the audit
    log and the sign-in limits see the client. Only set it when a proxy that overwrites the
    header is the sole way in; otherwise a client could choose its own address."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        header = settings.CLIENT_IP_HEADER
        self.meta_key = "HTTP_" + header.upper().replace("-", "_") if header else ""

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if self.meta_key:
            reported = request.META.get(self.meta_key, "").split(",")[-1].strip()
            if reported:
                request.META["REMOTE_ADDR"] = reported[:45]
        return self.get_response(request)


# ------------------------------------------------------------------ client certificates

CLIENT_CERT_META = "shouhu.client_cert_sha256"  # set only from a trusted proxy's verified header
_HEX = re.compile(r"[^0-9a-f]")


def fingerprint_normal(value: str) -> str:
    """SHA-256 指纹的统一写法：64 位小写十六进制（去掉冒号、空格）；不是这个长度的为空。"""
    digits = _HEX.sub("", value.strip().lower())
    return digits if len(digits) == 64 else ""


def certificate_fingerprint(pem: bytes) -> str:
    """PEM 证书（DER 编码）的 SHA-256 指纹；读不出的抛 ValueError。"""
    cert = x509.load_pem_x509_certificate(pem)
    return hashlib.sha256(cert.public_bytes(Encoding.DER)).hexdigest()


@lru_cache(maxsize=8)
def _networks(
    proxies: tuple[str, ...],
) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(p, strict=False) for p in proxies)


def from_trusted_proxy(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in net for net in _networks(tuple(settings.TRUSTED_PROXIES)))


class ClientCertificateMiddleware:
    """TLS 在 nginx 终止：nginx 校验客户端证书（ssl_verify_client optional），校验通过时把证书
    放在 SHOUHU_CLIENT_CERT_HEADER 指定的请求头里转来。本中间件只在连接来自受信任的代理
    （SHOUHU_TRUSTED_PROXIES，在改写客户端地址之前判断）时读这个头，算出证书的 SHA-256 指纹记在
    request.META[CLIENT_CERT_META]；别处来的同名头一律丢弃，客户端自己填的头不会被当真。"""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        header = settings.CLIENT_CERT_HEADER
        self.meta_key = "HTTP_" + header.upper().replace("-", "_") if header else ""

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.META.pop(CLIENT_CERT_META, None)
        if self.meta_key:
            raw = request.META.pop(self.meta_key, "")
            if raw and from_trusted_proxy(request.META.get("REMOTE_ADDR", "")):
                try:
                    pem = urllib.parse.unquote(raw).encode("ascii")
                    request.META[CLIENT_CERT_META] = certificate_fingerprint(pem)
                except (ValueError, UnicodeEncodeError):
                    pass  # 读不出的证书当作没有
        return self.get_response(request)


def client_cert_fingerprint(request: HttpRequest) -> str:
    """受信任的代理校验过的客户端证书的 SHA-256 指纹；没有时为空。"""
    return str(request.META.get(CLIENT_CERT_META, ""))
