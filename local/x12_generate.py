"""Generate 837P interchanges (005010X222A1 or A2) for tests and the bench: any number of claims."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date

from chalicelib.platform.x12.envelope import segment


@dataclass(frozen=True)
class GeneratedClaim:
    member_id: str
    last_name: str
    first_name: str
    birth_date: date
    gender: str
    service_date: date
    procedure_code: str = "99213"
    charge: str = "125.00"
    diagnosis: str = "E119"
    frequency: str = "1"
    original_claim_number: str | None = None
    billing_npi: str | None = None
    """Billed by another provider than the file's (its own 2000A billing provider loop); None: the file's."""


def _billing_segments(hl: int, npi: str, tax_id: str) -> Iterator[str]:
    yield segment("HL", hl, "", "20", "1")
    yield segment("NM1", "85", "2", "DEFAULT PROVIDER", "", "", "", "", "XX", npi)
    yield segment("N3", "1 MONUMENT CIR")
    yield segment("N4", "INDIANAPOLIS", "IN", "462040000")
    yield segment("REF", "EI", tax_id)


def _claim_segments(index: int, claim: GeneratedClaim, hl: int, billing_hl: int) -> Iterator[str]:
    yield segment("HL", hl, billing_hl, "22", "0")
    yield segment("SBR", "P", "18", "", "", "", "", "", "", "MC")
    yield segment("NM1", "IL", "1", claim.last_name, claim.first_name, "", "", "", "MI", claim.member_id)
    yield segment("N3", "100 MAIN ST")
    yield segment("N4", "INDIANAPOLIS", "IN", "462040000")
    yield segment("DMG", "D8", f"{claim.birth_date:%Y%m%d}", claim.gender)
    yield segment("NM1", "PR", "2", "HEARTLAND HEALTH PLAN", "", "", "", "", "PI", "HHP01")
    yield segment("CLM", f"GEN{index:07d}", claim.charge, "", "", ("11", "B", claim.frequency), "Y", "A", "Y", "Y")
    if claim.original_claim_number:
        yield segment("REF", "F8", claim.original_claim_number)
    yield segment("HI", ("ABK", claim.diagnosis))
    yield segment("LX", "1")
    yield segment("SV1", ("HC", claim.procedure_code), claim.charge, "UN", "1", "", "", ("1",))
    yield segment("DTP", "472", "D8", f"{claim.service_date:%Y%m%d}")


def generate_837p(claims: Sequence[GeneratedClaim], billing_npi: str, billing_tax_id: str, *,
                  version: str = "005010X222A2", control_number: int = 1) -> str:
    """One interchange, one transaction set, every claim under its own subscriber; one billing provider loop
    (``billing_npi``) unless a claim names another, which opens a loop of its own (and the next claim's
    ``billing_npi`` then one again, when it differs)."""
    body = [
        segment("BHT", "0019", "00", f"BATCH{control_number}", "20261120", "1200", "CH"),
        segment("NM1", "41", "2", "DEMO CLEARINGHOUSE", "", "", "", "", "46", "CLEAR01"),
        segment("PER", "IC", "EDI DESK", "TE", "3175550100"),
        segment("NM1", "40", "2", "HEARTLAND HEALTH PLAN", "", "", "", "", "46", "HHP01"),
    ]
    hl, billing_hl, billing = 0, 0, None
    for index, claim in enumerate(claims):
        if (claim.billing_npi or billing_npi) != billing:
            billing = claim.billing_npi or billing_npi
            hl += 1
            billing_hl = hl
            body.extend(_billing_segments(billing_hl, billing, billing_tax_id))
        hl += 1
        body.extend(_claim_segments(index, claim, hl, billing_hl))
    control = f"{control_number:04d}"
    lines = [
        "ISA*00*          *00*          *ZZ*CLEAR01        *ZZ*HHP01          *261120*1200*^*00501*"
        f"{control_number:09d}*0*T*:~",
        segment("GS", "HC", "CLEAR01", "HHP01", "20261120", "1200", control_number, "X", version),
        segment("ST", "837", control, version),
        *body,
        segment("SE", len(body) + 2, control),
        segment("GE", "1", control_number),
        segment("IEA", "1", f"{control_number:09d}"),
    ]
    return "\n".join(lines) + "\n"
