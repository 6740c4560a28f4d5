"""Helpers for the offline-package tests: agencies' key sets and a hand-made re-signing forger."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from shouhu.core.exchange.package import package_seal
from shouhu.core.exchange.package_format import (
    PackageHeader,
    frame_parse,
    frame_prefix,
    frame_signatures,
    frame_signed,
    header_decode,
    header_encode,
)
from shouhu.core.exchange.package_keys import AgencyRef, PrivateKeys, keys_generate
from shouhu.core.exchange.package_sm2 import sm2_sign

CONTENT = "姓名,身份证号\n王秀英,150802198506010021\n".encode()


def agency_keys(agency_type: str, division: str = "150802") -> PrivateKeys:
    return keys_generate(agency=AgencyRef(agency_type, division), name=f"{division} {agency_type}")


def seal(sender: PrivateKeys, recipient: PrivateKeys, content: bytes = CONTENT) -> bytes:
    return package_seal(
        content=content,
        filename="2026-04.csv",
        item_code="court_judgment",
        period=date(2026, 4, 1),
        sender=sender,
        recipient=recipient.public,
    )


def resign(data: bytes, signer: PrivateKeys, **changes: object) -> bytes:
    """Edit header fields of a sealed package and sign it again with another agency's keys."""
    frame = frame_parse(data)
    header, crypto = header_decode(frame.header_raw)
    edited: PackageHeader = replace(header, **changes)  # type: ignore[arg-type]
    aad = frame_prefix(header_encode(edited, crypto))
    signed = frame_signed(aad, frame.ciphertext)
    return signed + frame_signatures(signer.ed25519.sign(signed), sm2_sign(signer.sm2_sign, signed))
