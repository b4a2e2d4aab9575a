"""The 999 implementation acknowledgment (005010X231A1) for a received 837 interchange.

Built from pyx12's error report and this portal's decision per claim, not by pyx12's own
999 writer: the acknowledgment must echo the version the sender used (A2/A3 errata) and
say "accepted with errors" when some claims of a set went through and others did not.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from chalicelib.platform.x12.envelope import Parties, segment, transaction_set, wrap
from chalicelib.platform.x12.read837 import Interchange, TransactionSet

VERSION = "005010X231A1"


class AckCode(StrEnum):
    ACCEPTED = "A"
    ACCEPTED_WITH_ERRORS = "E"
    REJECTED = "R"


@dataclass(frozen=True)
class SetOutcome:
    code: AckCode
    claims_accepted: int
    claims_rejected: int


def set_outcome(transaction: TransactionSet, envelope_rejected: bool) -> SetOutcome:
    rejected = sum(1 for claim in transaction.claims if claim.problems)
    accepted = len(transaction.claims) - rejected
    if envelope_rejected or transaction.set_problems or not transaction.claims or accepted == 0:
        return SetOutcome(AckCode.REJECTED, 0, len(transaction.claims))
    if rejected or transaction.errors:
        return SetOutcome(AckCode.ACCEPTED_WITH_ERRORS, accepted, rejected)
    return SetOutcome(AckCode.ACCEPTED, accepted, 0)


def _bad_value(element: dict[str, Any]) -> str | None:
    for error in element.get("errors", []):
        if error.get("err_val"):
            return str(error["err_val"])[:99]
    return None


def _segment_notes(segments: list[dict[str, Any]]) -> list[str]:
    """IK3 per segment in error, IK4 per element in error (position, reference number, code, bad value)."""
    lines: list[str] = []
    for item in segments:
        codes = [error.get("err_cde") for error in item.get("errors", []) if error.get("err_cde")]
        elements = item.get("elements", [])
        code = codes[0] if codes else "8"
        lines.append(segment("IK3", item.get("seg_id"), item.get("seg_count"), item.get("ls_id") or "", code))
        for element in elements:
            position: str | tuple[str, str] = str(element.get("ele_pos"))
            if element.get("subele_pos"):
                position = (str(element.get("ele_pos")), str(element["subele_pos"]))
            for error in element.get("errors", [])[:1]:
                lines.append(segment("IK4", position, element.get("ele_ref_num") or "", error.get("err_cde"),
                                     _bad_value(element)))
    return lines


TRAILER_MISSING = "2"
SEGMENTS_IN_ERROR = "5"


def rejection_code(transaction: TransactionSet) -> str:
    """IK501 R's reason (IK502): the trailer missing (a file cut short), else segments in error."""
    return TRAILER_MISSING if transaction.segment_count == 0 else SEGMENTS_IN_ERROR


def ta1(interchange: Interchange) -> str:
    """The interchange acknowledgment a sender asks for with ISA14 = 1: accepted, or rejected with the note code."""
    codes = [str(error.get("err_cde")) for error in interchange.errors
             if str(error.get("err_cde") or "").isdigit() and len(str(error.get("err_cde"))) == 3]
    if codes:
        return segment("TA1", interchange.control_number, interchange.date, interchange.time, "R", codes[0])
    return segment("TA1", interchange.control_number, interchange.date, interchange.time, "A", "000")


def outcomes(interchange: Interchange) -> dict[str, SetOutcome]:
    """Transaction set control number -> what the acknowledgment says of it."""
    envelope_rejected = bool(interchange.errors)
    return {
        transaction.control_number: set_outcome(transaction, envelope_rejected or bool(group.errors))
        for group in interchange.groups for transaction in group.transactions
    }


def build_999(interchange: Interchange, control_number: int, at: datetime) -> str:
    decided = outcomes(interchange)
    sets = []
    for group in interchange.groups:
        body = [segment("AK1", group.functional_id, group.control_number, group.version)]
        accepted = 0
        for transaction in group.transactions:
            outcome = decided[transaction.control_number]
            body.append(segment("AK2", "837", transaction.control_number, transaction.version))
            body.extend(_segment_notes(transaction.errors))
            if outcome.code == AckCode.REJECTED:
                body.append(segment("IK5", outcome.code.value, rejection_code(transaction)))
            else:
                body.append(segment("IK5", outcome.code.value))
                accepted += 1
        total = len(group.transactions)
        if accepted == total and all(decided[t.control_number].code == AckCode.ACCEPTED for t in group.transactions):
            group_code = AckCode.ACCEPTED.value
        elif accepted == total:
            group_code = AckCode.ACCEPTED_WITH_ERRORS.value
        elif accepted:
            group_code = "P"
        else:
            group_code = AckCode.REJECTED.value
        body.append(segment("AK9", group_code, total, total, accepted))
        sets.append(transaction_set("999", len(sets) + 1, VERSION, body))
    parties = Parties(interchange.receiver_qualifier or "ZZ", interchange.receiver_id.strip() or "PORTAL",
                      interchange.sender_qualifier or "ZZ", interchange.sender_id.strip() or "SENDER")
    first = interchange.groups[0] if interchange.groups else None
    return wrap(parties, "FA", VERSION, control_number, at, sets, interchange.usage,
                group_sender=(first.receiver_code.strip() or None) if first else None,
                group_receiver=(first.sender_code.strip() or None) if first else None,
                before_group=[ta1(interchange)] if interchange.acknowledgment_requested else [])
