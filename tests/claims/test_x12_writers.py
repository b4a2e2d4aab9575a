"""The 999 and 835 writers against pyx12's own validator, and the 837 reader on the shared samples."""

import io
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import pyx12.params
import pyx12.x12n_document

from chalicelib.platform.x12.ack999 import build_999
from chalicelib.platform.x12.read837 import NotAnInterchange, read_837
from chalicelib.platform.x12.write835 import Payer, RemitAdjustment, RemitClaim, RemitService, Remittance, build_835

SAMPLES = Path(__file__).resolve().parents[1] / "fixtures" / "x12"
AT = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def valid(text: str) -> bool:
    return pyx12.x12n_document.x12n_document(pyx12.params.params(), io.StringIO(text), None, None, None, None)


def test_the_837i_sample_is_read_claim_and_lines_with_its_errors_owned_by_the_claim():
    interchange = read_837((SAMPLES / "institutional-claim.837i").read_text())
    ((transaction, claim),) = interchange.claims()
    assert transaction.version == "005010X223A3"
    assert (claim.facility_type_code, claim.total_charge_cents, claim.icd9_codes[:1]) == ("14", 8993, ["3669"])
    assert [line.revenue_code for line in claim.lines] == ["0305", "0730"]
    assert any("D8" in problem for problem in claim.problems)
    ack = build_999(interchange, 7, AT)
    assert "AK2*837*987654*005010X223A3~" in ack
    assert "IK4*2*1250*7*D8~" in ack
    assert valid(ack)


def test_something_that_is_not_x12_is_refused_with_a_reason():
    with pytest.raises(NotAnInterchange, match="ISA"):
        read_837("hello")


def test_an_835_with_a_paid_claim_and_a_reversal_balances_and_validates():
    service = RemitService("99213", None, (), 12500, 7500, 7500, 1, date(2026, 11, 2),
                           (RemitAdjustment("CO", "45", 5000),), ())
    paid = RemitClaim("ACCT1", "2630700000001", "1", 12500, 7500, 0, "MC", "11", "1", "10000000001", "THOMPSON",
                      "AVA", date(2026, 11, 2), date(2026, 11, 2), (service,))
    remit = Remittance("P2611230000001", "2611230000001", "EFT", date(2026, 11, 23), 0,
                       Payer("HEARTLAND HEALTH PLAN", "350000001", "HHP01", "1 Way", "Indianapolis", "IN",
                             "462040000", "8005550100"),
                       "Default Provider", "1912301953", "310000001", (paid.reversed(), paid))
    text = build_835(remit, 1, AT, "1912301953")
    assert "BPR*H*0*C*NON" in text
    assert "CLP*ACCT1*22*-125.00*-75.00**MC*2630700000001*11*1~" in text
    assert valid(text)


def test_a_check_payment_validates_too():
    service = RemitService(None, "0450", (), 95000, 34200, 35000, 1, date(2026, 11, 2),
                           (RemitAdjustment("CO", "45", 60000), RemitAdjustment("PR", "3", 800)), ("N130",))
    claim = RemitClaim("ER1", "2630700000002", "1", 95000, 34200, 800, "MC", "13", "1", "10000000001", "THOMPSON",
                       "AVA", date(2026, 11, 2), date(2026, 11, 3), (service,))
    remit = Remittance("P2611230000002", "2611230000002", "CHK", date(2026, 11, 23), 34200,
                       Payer("HEARTLAND HEALTH PLAN", "350000001", "HHP01", "1 Way", "Indianapolis", "IN",
                             "462040000", "8005550100"),
                       "Buckeye Family Medicine", None, "310000002", (claim,))
    text = build_835(remit, 2, AT, "310000002")
    assert "BPR*C*342.00*C*CHK" in text
    assert "SVC*NU:0450*950.00*342.00**1~" in text
    assert "N1*PE*Buckeye Family Medicine*FI*310000002~" in text
    assert valid(text)
