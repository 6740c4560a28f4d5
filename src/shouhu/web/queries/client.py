"""民政平台调用部门平台查询接口的客户端（SHOUHU_QUERY_PEERS 配置对方地址和令牌文件）。"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from django.conf import settings

from shouhu.core.errors import DomainError, NotFound
from shouhu.web.queries.services import Send

TIMEOUT_SECONDS = 30


def peer_for(item_code: str) -> tuple[str, Send]:
    """(对方地址, 发送函数)。未配置时 NotFound（中文说明）。"""
    peer = settings.QUERY_PEERS.get(item_code)
    if not isinstance(peer, dict) or not peer.get("url") or not peer.get("token_file"):
        raise NotFound("本平台没有配置该数据项的查询对象（SHOUHU_QUERY_PEERS），请联系系统管理员。")
    url = str(peer["url"]).rstrip("/") + "/queries"
    token = Path(str(peer["token_file"])).read_text(encoding="utf-8").strip()
    return url, _http_send(url, token)


def _http_send(url: str, token: str) -> Send:
    def send(body: Mapping[str, Any]) -> Mapping[str, Any]:
        request = urllib.request.Request(
            url, data=json.dumps(body, ensure_ascii=False).encode(), method="POST",
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        )  # fmt: skip
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
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
