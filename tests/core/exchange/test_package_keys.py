"""Offline-package keys: files round-trip, edits are caught, SM2 interoperates with OpenSSL."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from package_helpers import agency_keys

from shouhu.core.exchange.package_keys import (
    KeyFileError,
    TrustStore,
    fingerprint_display,
    private_keys_load,
    private_keys_pem,
    public_keys_load,
    public_keys_pem,
)
from shouhu.core.exchange.package_sm2 import (
    sm2_generate,
    sm2_private_der,
    sm2_public_der,
    sm2_public_valid,
    sm2_sign,
    sm2_verify,
)

KEYS = agency_keys("court")


def test_private_key_file_round_trips():
    loaded = private_keys_load(private_keys_pem(KEYS))
    assert loaded.public.key_id == KEYS.public.key_id
    assert loaded.sm2_sign == KEYS.sm2_sign
    assert loaded.public.agency == KEYS.public.agency


def test_public_key_file_round_trips_and_holds_no_private_key():
    text = public_keys_pem(KEYS.public)
    assert b"PRIVATE" not in text
    assert public_keys_load(text).fingerprint == KEYS.public.fingerprint


def test_repr_never_shows_private_keys():
    assert KEYS.sm2_sign.private.hex() not in repr(KEYS)
    assert KEYS.sm2_encrypt.private.hex() not in repr(KEYS.sm2_encrypt)


def test_edited_agency_in_public_file_is_refused():
    text = public_keys_pem(KEYS.public).replace(b"court 150802", b"court 150821")
    with pytest.raises(KeyFileError, match="被改动"):
        public_keys_load(text)


def test_public_file_is_not_a_private_file():
    with pytest.raises(KeyFileError):
        private_keys_load(public_keys_pem(KEYS.public))
    with pytest.raises(KeyFileError):
        public_keys_load(private_keys_pem(KEYS))


def test_swapped_key_blocks_are_refused():
    other = agency_keys("court")
    mine, theirs = private_keys_pem(KEYS).decode(), private_keys_pem(other).decode()
    block = "shouhu-block: sm2-encrypt\n"
    mixed = mine.split(block)[0] + block + theirs.split(block)[1]
    with pytest.raises(KeyFileError):
        private_keys_load(mixed.encode())


def test_corrupted_pem_is_refused():
    text = private_keys_pem(KEYS).replace(
        b"-----END PRIVATE KEY-----", b"-----END PUBLIC KEY-----", 1
    )
    with pytest.raises(KeyFileError):
        private_keys_load(text)
    with pytest.raises(KeyFileError):
        private_keys_load(b"\xff\xfe not text")


def test_trust_store_refuses_the_same_key_twice():
    with pytest.raises(KeyFileError):
        TrustStore([KEYS.public, KEYS.public])


def test_fingerprint_is_grouped_for_reading_aloud():
    shown = fingerprint_display(KEYS.public.fingerprint)
    assert len(shown.split(" ")) == 16


def test_sm2_signatures_use_fresh_randomness_and_verify():
    pair = sm2_generate()
    first, second = sm2_sign(pair, b"msg"), sm2_sign(pair, b"msg")
    assert first != second
    assert sm2_verify(pair.public, b"msg", first)
    assert not sm2_verify(pair.public, b"msg!", first)
    assert not sm2_verify(pair.public, b"msg", b"\x30\x00")


def test_off_curve_public_key_is_rejected():
    pair = sm2_generate()
    bent = pair.public[:-1] + bytes([pair.public[-1] ^ 1])
    assert sm2_public_valid(pair.public)
    assert not sm2_public_valid(bent)
    assert not sm2_verify(bent, b"m", sm2_sign(pair, b"m"))


def _openssl_has_sm2() -> bool:
    if shutil.which("openssl") is None:
        return False
    probe = subprocess.run(["openssl", "list", "-public-key-algorithms"], capture_output=True)
    return b"SM2" in probe.stdout


@pytest.mark.skipif(not _openssl_has_sm2(), reason="no OpenSSL with SM2 on this machine")
def test_sm2_keys_and_signatures_interoperate_with_openssl(tmp_path: Path):
    pair = sm2_generate()
    message = "守护离线交换包".encode()
    (tmp_path / "key.der").write_bytes(sm2_private_der(pair))
    (tmp_path / "pub.der").write_bytes(sm2_public_der(pair.public))
    (tmp_path / "msg").write_bytes(message)
    (tmp_path / "sig").write_bytes(sm2_sign(pair, message))
    derived = subprocess.run(
        ["openssl", "pkey", "-inform", "DER", "-in", str(tmp_path / "key.der"), "-pubout",
         "-outform", "DER"],
        capture_output=True, check=True,
    ).stdout  # fmt: skip
    assert derived == sm2_public_der(pair.public)
    verified = subprocess.run(
        ["openssl", "pkeyutl", "-verify", "-pubin", "-keyform", "DER",
         "-inkey", str(tmp_path / "pub.der"), "-rawin", "-digest", "sm3",
         "-in", str(tmp_path / "msg"), "-sigfile", str(tmp_path / "sig"),
         "-pkeyopt", "distid:1234567812345678"],
        capture_output=True,
    )  # fmt: skip
    assert verified.returncode == 0, verified.stderr
