"""What the journeys know about Submit a Claim and a claim's page: the steps a biller takes on them.

Locators go by role and label, as in tests/browser/portal.py. The local stack's payment schedule runs every few
seconds, so a claim approved a moment ago may already be paid: ``outcome`` accepts either.
"""

from __future__ import annotations

import random
import re

from playwright.sync_api import Locator, Page

CLAIM_PAGE = re.compile(r"/claims-center/claims/([0-9]{13})$")


def line(page: Page, index: int) -> Locator:
    return page.locator(f"fieldset[data-line='{index}']")


def charge(base: int) -> str:
    """A charge no earlier run billed on the day (the same code, date and charge is a duplicate, CO-18)."""
    return f"{base + random.randint(1, 400)}.{random.randint(0, 99):02d}"


def outcome(dollars: int) -> re.Pattern[str]:
    """Approved, to be paid, for the fee schedule's amount; or already paid (the local stack runs its payment cycle
    every few seconds)."""
    return re.compile(rf"Approved, to be paid\s*Approved for \${dollars}\.00|Paid\s*Paid \${dollars}\.00")


def fill_line(page: Page, index: int, day: str, code: str, pointers: str, amount: str) -> None:
    fields = line(page, index)
    fields.get_by_label("Date of service", exact=True).fill(day)
    fields.get_by_label("Procedure code", exact=True).fill(code)
    fields.get_by_label("Diagnosis pointers", exact=True).fill(pointers)
    fields.get_by_label("Units").fill("1")  # "Units (optional)"
    fields.get_by_label("Charge", exact=True).fill(amount)


def fill_header(page: Page, member_id: str, billing_provider_id: str, diagnosis: str) -> None:
    """Diagnosis A typed whole (the combo box's own journey picks from its list; leaving the field closes it), then
    the member, the billing provider and place of service 11 (office)."""
    page.get_by_label("Diagnosis A", exact=True).fill(diagnosis)
    page.get_by_label("Member ID", exact=True).fill(member_id)
    page.get_by_label("Billing provider", exact=True).select_option(billing_provider_id)
    page.get_by_label("Place of service", exact=True).first.fill("11")


def claim_number(page: Page) -> str:
    found = CLAIM_PAGE.search(page.url)
    assert found is not None, page.url
    return found.group(1)
