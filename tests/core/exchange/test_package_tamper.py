"""A package altered anywhere — any single byte, cut at any length, a byte inserted or removed —
is refused with one of the package's Chinese reasons and never yields content."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from package_helpers import agency_keys, seal

from shouhu.core.exchange.package import PackageRefused, RefusalReason, package_open
from shouhu.core.exchange.package_format import REFUSAL_TITLES
from shouhu.core.exchange.package_keys import PrivateKeys, TrustStore

SENDER = agency_keys("court")
RECIPIENT = agency_keys("civil_affairs")
TRUST = TrustStore([SENDER.public])
PACKAGE = seal(SENDER, RECIPIENT, b"a,b\n1,2\n")


def open_with(data: bytes, recipient: PrivateKeys = RECIPIENT) -> None:
    package_open(data, trust=TRUST, recipient=recipient, seen=lambda _: False)


def refused_reason(data: bytes) -> RefusalReason:
    with pytest.raises(PackageRefused) as caught:
        open_with(data)
    assert any(title in caught.value.message for title in REFUSAL_TITLES.values())
    return caught.value.reason


def test_the_untouched_package_opens():
    open_with(PACKAGE)


@pytest.mark.parametrize("mask", [0x01, 0x80, 0xFF])
def test_every_single_byte_change_is_refused(mask):
    reasons = set()
    for at in range(len(PACKAGE)):
        altered = bytearray(PACKAGE)
        altered[at] ^= mask
        reasons.add(refused_reason(bytes(altered)))
    # each layer does its share: framing, header, signatures
    assert RefusalReason.TAMPERED in reasons


def test_every_truncation_is_refused():
    reasons = {refused_reason(PACKAGE[:size]) for size in range(len(PACKAGE))}
    assert RefusalReason.TRUNCATED in reasons
    assert RefusalReason.UNSIGNED in reasons  # cut exactly before the signatures


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(at=st.integers(0, len(PACKAGE)), byte=st.integers(0, 255))
def test_an_inserted_byte_is_refused(at, byte):
    refused_reason(PACKAGE[:at] + bytes([byte]) + PACKAGE[at:])


@settings(max_examples=150, deadline=None)
@given(at=st.integers(0, len(PACKAGE) - 1))
def test_a_removed_byte_is_refused(at):
    refused_reason(PACKAGE[:at] + PACKAGE[at + 1 :])


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, len(PACKAGE) - 1), st.integers(1, 255)), min_size=1, max_size=8
    )
)
def test_several_changed_bytes_are_refused(changes):
    altered = bytearray(PACKAGE)
    for at, mask in changes:
        altered[at] ^= mask
    if bytes(altered) != PACKAGE:  # two masks on one byte can cancel out
        refused_reason(bytes(altered))
