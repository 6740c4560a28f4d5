"""民政平台调用部门平台查询接口的客户端（SHOUHU_QUERY_PEERS 配置对方地址和令牌文件）。

双向认证：部门平台凭民政的接口凭证（Bearer 令牌）认出民政；民政凭 HTTPS 证书认出部门平台——
地址须是 https（本机回环地址除外，供联调），证书按系统信任库或配置的 ca_file（政务内网自建 CA）
校验，不接受未经校验的证书。部门把民政的凭证绑定了客户端证书时，配置 cert_file / key_file，
TLS 握手时出示民政的客户端证书（部门的 nginx 校验，平台核对指纹，见 docs/operations.md）。
"""

from __future__ import annotations

import ipaddress
import json
import ssl
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from django.conf import settings

from shouhu.core.catalog import AGENCY_LABELS, DataItem
from shouhu.core.errors import DomainError, NotFound
from shouhu.web.queries.services import Send

TIMEOUT_SECONDS = 30
PEER_NAME_MAX = 200  # QueryLog.peer


def peer_name(item: DataItem) -> str:
    """被查询部门的中文名（如“市公安局”）：SHOUHU_QUERY_PEERS 里该对象的 name；没写时用数据项所属
    部门类型的名称（如“司法行政部门”）。页面、查询记录和导出只写这个名字，从不写对方的地址。"""
    peer = settings.QUERY_PEERS.get(item.code)
    name = peer.get("name") if isinstance(peer, dict) else None
    if isinstance(name, str) and name.strip():
        return name.strip()[:PEER_NAME_MAX]
    return f"{AGENCY_LABELS.get(item.agency_type, '有关')}部门"


def peer_for(item_code: str) -> tuple[str, Send]:
    """(对方地址, 发送函数)。未配置时 NotFound（中文说明）。"""
    peer = settings.QUERY_PEERS.get(item_code)
    if not isinstance(peer, dict) or not peer.get("url") or not peer.get("token_file"):
        raise NotFound("本平台没有配置该数据项的查询对象（SHOUHU_QUERY_PEERS），请联系系统管理员。")
    url = str(peer["url"]).rstrip("/") + "/queries"
    parsed = urllib.parse.urlsplit(url)
    if parsed.scheme != "https" and not _loopback(parsed.hostname or ""):
        raise NotFound("查询对象的地址须为 https（SHOUHU_QUERY_PEERS），请联系系统管理员。")
    token = Path(str(peer["token_file"])).read_text(encoding="utf-8").strip()
    context = ssl.create_default_context(cafile=peer.get("ca_file") or None)
    if peer.get("cert_file"):  # 对方把民政的凭证绑定了客户端证书时（shouhu credential bind）
        try:
            context.load_cert_chain(str(peer["cert_file"]), peer.get("key_file") or None)
        except (OSError, ssl.SSLError):
            raise NotFound(
                "本平台的客户端证书或私钥读不出（SHOUHU_QUERY_PEERS 的 cert_file、key_file），"
                "请联系系统管理员。"
            ) from None
    return url, _http_send(url, token, context)


def _loopback(host: str) -> bool:
    try:
        return host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _http_send(url: str, token: str, context: ssl.SSLContext) -> Send:
    def send(body: Mapping[str, Any]) -> Mapping[str, Any]:
        request = urllib.request.Request(
            url, data=json.dumps(body, ensure_ascii=False).encode(), method="POST",
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        )  # fmt: skip
        try:
            with urllib.request.urlopen(
                request, timeout=TIMEOUT_SECONDS, context=context
            ) as response:
                answer: Mapping[str, Any] = json.loads(response.read().decode())
                return answer
        except urllib.error.HTTPError as exc:
            raise DomainError(f"对方平台拒绝了查询：{_message(exc)}") from None
        except (urllib.error.URLError, TimeoutError, ValueError):
            raise DomainError(
                "连不上对方平台或答复无法读取，请稍后再试；紧急时可用离线交换包。"
            ) from None

    return send


def _message(exc: urllib.error.HTTPError) -> str:
    try:
        return str(json.loads(exc.read().decode())["message"])
    except (ValueError, KeyError, TypeError):
        return f"HTTP {exc.code}"
