"""探访照片的文件：手机上已缩小（长边不超过 1280 像素的 JPEG），服务器只查是不是 JPEG、
有没有超过大小，存到数据目录下（SHOUHU_FIELD_PHOTO_DIR），文件名随机，不含任何个人信息。

写文件在数据库事务之内做；事务失败时调用方删掉已写的文件（`photos_discard`），不留半截。
"""

from __future__ import annotations

import hashlib
import secrets
from pathlib import Path
from typing import BinaryIO, Final

from django.conf import settings

from shouhu.core.errors import InvalidInput, NotFound
from shouhu.web.cases.models import Visit
from shouhu.web.field.models import VisitPhoto

MAX_PHOTOS: Final = 3
MAX_BYTES: Final = 2 * 1024 * 1024  # 1280 像素的 JPEG 通常不到 500 KB
JPEG_START: Final = b"\xff\xd8\xff"


def photo_dir() -> Path:
    where = Path(settings.FIELD_PHOTO_DIR)
    where.mkdir(parents=True, exist_ok=True, mode=0o700)
    return where


def photos_check(photos: list[bytes]) -> None:
    """上传前查一遍：最多 3 张，每张是 JPEG，不超过 2 MB。"""
    if len(photos) > MAX_PHOTOS:
        raise InvalidInput(f"一次探访最多 {MAX_PHOTOS} 张照片，这次有 {len(photos)} 张。")
    for number, data in enumerate(photos, start=1):
        if not data.startswith(JPEG_START):
            raise InvalidInput(f"第 {number} 张照片不是 JPEG 图片，请重新拍摄。")
        if len(data) > MAX_BYTES:
            raise InvalidInput(f"第 {number} 张照片超过 2 MB，请更新离线应用后重新上传。")


def photos_store(visit: Visit, photos: list[bytes], written: list[Path]) -> list[VisitPhoto]:
    """把照片写成文件并登记；写下的文件路径记在 written 里，事务失败时由调用方删除。"""
    stored = []
    for position, data in enumerate(photos):
        name = f"{secrets.token_hex(16)}.jpg"
        path = photo_dir() / name
        path.write_bytes(data)
        written.append(path)
        photo = VisitPhoto.objects.create(
            visit=visit, file_name=name, size=len(data),
            sha256=hashlib.sha256(data).hexdigest(), position=position,
        )  # fmt: skip
        stored.append(photo)
    return stored


def photos_discard(written: list[Path]) -> None:
    for path in written:
        path.unlink(missing_ok=True)


def photo_open(photo: VisitPhoto) -> BinaryIO:
    """照片文件（只读）；文件不在了（数据目录恢复不全）答“未找到”，不报服务器错误。"""
    try:
        return (photo_dir() / photo.file_name).open("rb")
    except FileNotFoundError:
        raise NotFound("这张照片的文件已不在服务器上，请联系管理员。") from None
