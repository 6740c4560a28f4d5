"""Offline package: round trip and each way a package is refused (tampered, truncated, wrong key,
untrusted signer, unsigned, replayed, re-signed by another agency, unknown version)."""

from __future__ import annotations

import hashlib
from datetime import date

import pytest
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from package_helpers import CONTENT, agency_keys, resign, seal

from shouhu.core.errors import ErrorCode, InvalidInput
from shouhu.core.exchange.package import (
    PackageRefused,
    RefusalReason,
    package_open,
    package_seal,
)
from shouhu.core.exchange.package_format import MAGIC, REFUSAL_TITLES, frame_parse
from shouhu.core.exchange.package_keys import AgencyRef, PrivateKeys, TrustStore


@pytest.fixture(scope="module")
def court() -> PrivateKeys:
    return agency_keys("court")


@pytest.fixture(scope="module")
def civil() -> PrivateKeys:
    return agency_keys("civil_affairs")


@pytest.fixture(scope="module")
def health() -> PrivateKeys:
    return agency_keys("health")


@pytest.fixture(scope="module")
def trust(court: PrivateKeys, health: PrivateKeys) -> TrustStore:
    return TrustStore([court.public, health.public])


@pytest.fixture(scope="module")
def package(court: PrivateKeys, civil: PrivateKeys) -> bytes:
    return seal(court, civil)


def never_seen(_: str) -> bool:
    return False


def refusal(data: bytes, trust: TrustStore, recipient: PrivateKeys) -> PackageRefused:
    with pytest.raises(PackageRefused) as caught:
        package_open(data, trust=trust, recipient=recipient, seen=never_seen)
    return caught.value


def test_round_trip_returns_the_content_and_the_header(package, trust, civil, court):
    opened = package_open(package, trust=trust, recipient=civil, seen=never_seen)
    assert opened.content == CONTENT
    assert opened.content_sha256 == hashlib.sha256(CONTENT).hexdigest()
    assert opened.header.sender == court.public.agency
    assert opened.header.item_code == "court_judgment"
    assert opened.header.period == date(2026, 4, 1)
    assert opened.header.filename == "2026-04.csv"


def test_clear_header_reveals_neither_content_nor_its_hash(package):
    assert "王秀英".encode() not in package
    assert hashlib.sha256(CONTENT).hexdigest().encode() not in package


def test_each_package_gets_a_fresh_id_and_key(court, civil):
    first, second = seal(court, civil), seal(court, civil)
    assert frame_parse(first).header_raw != frame_parse(second).header_raw
    assert frame_parse(first).ciphertext != frame_parse(second).ciphertext


def test_empty_content_round_trips(court, civil, trust):
    opened = package_open(seal(court, civil, b""), trust=trust, recipient=civil, seen=never_seen)
    assert opened.content == b""


def test_other_recipient_cannot_open(package, trust, health):
    refused = refusal(package, trust, health)
    assert refused.reason is RefusalReason.WRONG_KEY
    assert "密钥不符" in refused.message


def test_signer_missing_from_trust_store_is_refused(package, civil, health):
    refused = refusal(package, TrustStore([health.public]), civil)
    assert refused.reason is RefusalReason.UNTRUSTED_SIGNER
    assert "不受信任" in refused.message


def test_trusted_key_registered_to_another_agency_is_refused(civil, court):
    impostor = agency_keys("court", "150821")  # a neighbouring county's court
    forged = resign(seal(court, civil), impostor, sender_key_id=impostor.public.key_id)
    refused = refusal(forged, TrustStore([court.public, impostor.public]), civil)
    assert refused.reason is RefusalReason.UNTRUSTED_SIGNER
    assert "声称来自" in refused.message


def test_header_resigned_under_the_original_signer_id_is_refused(package, trust, civil, health):
    forged = resign(package, health, period=date(2026, 3, 1))
    assert refusal(forged, trust, civil).reason is RefusalReason.TAMPERED


def test_header_resigned_by_another_trusted_agency_as_itself_is_refused(
    package, trust, civil, health
):
    forged = resign(
        package, health, sender=health.public.agency, sender_key_id=health.public.key_id
    )
    refused = refusal(forged, trust, civil)
    # signatures are good, but the header is GCM's associated data: the content will not decrypt
    assert refused.reason is RefusalReason.WRONG_KEY


def test_header_resigned_by_an_untrusted_key_is_refused(package, trust, civil):
    stranger = agency_keys("education")
    forged = resign(
        package, stranger, sender=stranger.public.agency, sender_key_id=stranger.public.key_id
    )
    assert refusal(forged, trust, civil).reason is RefusalReason.UNTRUSTED_SIGNER


def test_stripped_signatures_mean_unsigned(package, trust, civil):
    unsigned = frame_parse(package).signed
    refused = refusal(unsigned, trust, civil)
    assert refused.reason is RefusalReason.UNSIGNED
    assert "未签名" in refused.message


@pytest.mark.parametrize("which", ["ed25519", "sm2"])
def test_zeroed_signature_means_unsigned(package, trust, civil, which):
    frame = frame_parse(package)
    ed, sm2 = frame.ed25519_signature, frame.sm2_signature
    if which == "ed25519":
        ed = bytes(len(ed))
    else:
        sm2 = bytes(len(sm2))
    data = frame.signed + b"".join(len(s).to_bytes(2, "big") + s for s in (ed, sm2))
    assert refusal(data, trust, civil).reason is RefusalReason.UNSIGNED


def test_empty_signature_fields_mean_unsigned(package, trust, civil):
    data = frame_parse(package).signed + bytes(4)
    assert refusal(data, trust, civil).reason is RefusalReason.UNSIGNED


def test_sm2_signature_alone_is_not_enough(package, trust, civil, court):
    """Both signatures are required: a stranger's Ed25519 signature fails even with SM2 good."""
    frame = frame_parse(package)
    other = agency_keys("court").ed25519.sign(frame.signed)
    sm2 = frame.sm2_signature
    data = frame.signed + b"".join(len(s).to_bytes(2, "big") + s for s in (other, sm2))
    assert refusal(data, trust, civil).reason is RefusalReason.TAMPERED


def test_sm2_signature_checked_after_a_good_ed25519_one(package, trust, civil):
    frame = frame_parse(package)
    sm2 = bytearray(frame.sm2_signature)
    sm2[-1] ^= 1
    data = frame.signed + b"".join(
        len(s).to_bytes(2, "big") + s for s in (frame.ed25519_signature, bytes(sm2))
    )
    refused = refusal(data, trust, civil)
    assert refused.reason is RefusalReason.TAMPERED
    assert "SM2" in refused.message


def test_replayed_package_is_refused(package, trust, civil):
    imported: set[str] = set()
    first = package_open(package, trust=trust, recipient=civil, seen=imported.__contains__)
    imported.add(first.header.package_id)
    with pytest.raises(PackageRefused) as caught:
        package_open(package, trust=trust, recipient=civil, seen=imported.__contains__)
    assert caught.value.reason is RefusalReason.REPLAYED
    assert caught.value.code is ErrorCode.CONFLICT
    assert first.header.package_id in caught.value.message


def test_replay_check_never_sees_an_unauthenticated_id(package, trust, civil):
    asked: list[str] = []
    forged = bytearray(package)
    forged[-1] ^= 1
    with pytest.raises(PackageRefused):
        package_open(bytes(forged), trust=trust, recipient=civil, seen=asked.append)  # type: ignore[arg-type]
    assert asked == []


def test_trailing_bytes_are_refused(package, trust, civil):
    refused = refusal(package + b"\x00", trust, civil)
    assert refused.reason is RefusalReason.TAMPERED
    assert "多余" in refused.message


def test_other_file_is_not_a_package(trust, civil):
    refused = refusal(b"PK\x03\x04 an xlsx file", trust, civil)
    assert refused.reason is RefusalReason.NOT_A_PACKAGE
    assert refusal(b"", trust, civil).reason is RefusalReason.NOT_A_PACKAGE


def test_unknown_version_is_refused(package, trust, civil):
    data = MAGIC + b"\x02" + package[len(MAGIC) + 1 :]
    refused = refusal(data, trust, civil)
    assert refused.reason is RefusalReason.UNSUPPORTED_VERSION
    assert "版本不支持" in refused.message


def test_every_refusal_title_is_chinese_and_says_nothing_was_imported():
    for reason, title in REFUSAL_TITLES.items():
        message = PackageRefused(reason).message
        assert title in message
        assert "未导入任何数据" in message


def test_seal_refuses_bad_header_fields(court, civil):
    with pytest.raises(InvalidInput, match="文件名"):
        package_seal(
            content=b"x",
            filename="../etc/passwd",
            item_code="court_judgment",
            period=date(2026, 4, 1),
            sender=court,
            recipient=civil.public,
        )


def test_agency_must_be_known():
    with pytest.raises(InvalidInput):
        AgencyRef("martians", "150802")
    with pytest.raises(InvalidInput):
        AgencyRef("court", "15080")


def test_sm4_gcm_matches_rfc_8998_vector():
    """The content cipher is SM4-GCM as standardised (RFC 8998 A.1), not some other mode."""
    key = bytes.fromhex("0123456789ABCDEFFEDCBA9876543210")
    nonce = bytes.fromhex("00001234567800000000ABCD")
    aad = bytes.fromhex("FEEDFACEDEADBEEFFEEDFACEDEADBEEFABADDAD2")
    plain = bytes.fromhex(
        "AAAAAAAAAAAAAAAABBBBBBBBBBBBBBBBCCCCCCCCCCCCCCCCDDDDDDDDDDDDDDDD"
        "EEEEEEEEEEEEEEEEFFFFFFFFFFFFFFFFEEEEEEEEEEEEEEEEAAAAAAAAAAAAAAAA"
    )
    from shouhu.core.exchange.package import _encrypt

    sealed = _encrypt(key, nonce, aad, plain)
    assert sealed.hex().upper() == (
        "17F399F08C67D5EE19D0DC9969C4BB7D5FD46FD3756489069157B282BB200735"
        "D82710CA5C22F0CCFA7CBF93D496AC15A56834CBCF98C397B4024A2691233B8D"
        "83DE3541E4C2B58177E065A9BF7B62EC"
    )
    decryptor = Cipher(algorithms.SM4(key), modes.GCM(nonce, sealed[-16:])).decryptor()
    decryptor.authenticate_additional_data(aad)
    assert decryptor.update(sealed[:-16]) + decryptor.finalize() == plain
