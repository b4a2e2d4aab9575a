"""The yearly rule: complete this training year, due while nothing was missed, overdue once a year passed."""

from __future__ import annotations

from datetime import UTC, date, datetime

from chalicelib.training.modules import Attested, TrainingStatus, module_named, modules, standing, standings

FWA = module_named("fraud-waste-abuse")  # every state, due 12-31
CULTURAL = module_named("cultural-competency")  # Indiana and Georgia, due 06-30
MODEL_OF_CARE = module_named("model-of-care")  # Ohio's MyCare Ohio only
OLD_ACCOUNT = date(2020, 1, 1)


def attested(on: str, version: str | None = None) -> Attested:
    return Attested(version or FWA.version, datetime.fromisoformat(on).replace(tzinfo=UTC))


def test_the_training_year_ends_on_the_due_day_and_starts_the_day_after_the_last_one():
    assert FWA.year_ending(date(2031, 12, 31)) == date(2031, 12, 31)
    assert FWA.year_ending(date(2032, 1, 1)) == date(2032, 12, 31)
    assert CULTURAL.year_ending(date(2031, 11, 23)) == date(2032, 6, 30)
    assert CULTURAL.year_start(date(2031, 11, 23)) == date(2031, 7, 1)


def test_this_years_attestation_of_the_current_version_is_complete_until_the_year_ends():
    done = attested("2031-02-01T10:00:00")
    assert standing(FWA, True, done, date(2031, 12, 31), OLD_ACCOUNT).status == TrainingStatus.COMPLETE
    assert standing(FWA, True, done, date(2032, 1, 1), OLD_ACCOUNT).status == TrainingStatus.DUE  # kept up last year
    assert standing(FWA, True, done, date(2033, 1, 1), OLD_ACCOUNT).status == TrainingStatus.OVERDUE  # 2032 missed


def test_an_older_version_does_not_complete_this_year_but_shows_the_user_kept_up():
    older = attested("2031-03-01T10:00:00", version="2020.1")
    found = standing(FWA, True, older, date(2031, 11, 23), OLD_ACCOUNT)
    assert (found.status, found.due_on) == (TrainingStatus.DUE, date(2031, 12, 31))


def test_never_attested_is_overdue_for_an_old_account_and_due_for_one_created_this_year():
    assert standing(FWA, True, None, date(2031, 11, 23), OLD_ACCOUNT).status == TrainingStatus.OVERDUE
    assert standing(FWA, True, None, date(2031, 11, 23), date(2031, 3, 1)).status == TrainingStatus.DUE
    assert standing(FWA, True, None, date(2031, 11, 23), date(2030, 12, 31)).status == TrainingStatus.OVERDUE


def test_what_is_not_required_is_optional_until_attested():
    assert standing(FWA, False, None, date(2031, 11, 23), OLD_ACCOUNT).status == TrainingStatus.OPTIONAL
    assert standing(FWA, False, attested("2031-05-05T00:00:00"), date(2031, 11, 23),
                    OLD_ACCOUNT).status == TrainingStatus.COMPLETE


def test_a_module_naming_programs_is_required_only_of_providers_contracted_for_one():
    assert MODEL_OF_CARE.required_for("Ohio", ["Ohio - Medicaid", "Ohio - MyCare Ohio"])
    assert not MODEL_OF_CARE.required_for("Ohio", ["Ohio - Medicaid"])
    assert not MODEL_OF_CARE.required_for("Indiana", ["Ohio - MyCare Ohio"])
    assert FWA.required_for("Georgia", [])


def test_standings_list_every_module_required_ones_first_most_urgent_first():
    found = standings("Indiana", ["Indiana - Marketplace"], {"cultural-competency": Attested(
        CULTURAL.version, datetime(2031, 8, 1, tzinfo=UTC))}, date(2031, 11, 23), OLD_ACCOUNT)
    assert [(s.module.module_id, s.required, s.status.value) for s in found] == [
        ("fraud-waste-abuse", True, "OVERDUE"), ("cultural-competency", True, "COMPLETE"),
        ("model-of-care", False, "OPTIONAL"), ("portal-registration", False, "OPTIONAL")]
    assert len(found) == len(modules())
