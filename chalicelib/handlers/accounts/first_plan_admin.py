"""`make first-plan-admin USERNAME=... EMAIL=...` (STAGE=prod): the stage's first plan administrator.

Run with the stage's AWS credentials (PORTAL_STAGE names the stage). It creates the account and queues a
set-password email to the address given; it takes no password. It refuses when the stage has its first
plan administrator already (exit 1), or when the username or the address is taken (exit 2).
"""

from __future__ import annotations

import argparse
import json
import sys

from chalicelib import wiring
from chalicelib.accounts.passwords import secret_hasher
from chalicelib.accounts.plan_staff import FirstPlanAdministrator, create_first_plan_administrator
from chalicelib.platform.config import get_settings
from chalicelib.platform.errors import PlanAdministratorExists, ValidationFailed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--username", required=True)
    parser.add_argument("--email", required=True, help="where the set-password link is sent")
    args = parser.parse_args(argv)
    from pydantic import ValidationError

    from chalicelib.accounts.schemas import FirstPlanAdministratorIn
    from chalicelib.platform.web.api import field_errors

    try:
        wanted = FirstPlanAdministratorIn.model_validate_json(json.dumps({"username": args.username,
                                                                          "email": args.email}))
    except ValidationError as error:
        print(f"Refused: {field_errors(error)}", file=sys.stderr)
        return 2
    stage = get_settings().stage
    try:
        create_first_plan_administrator(FirstPlanAdministrator(wanted.username, wanted.email),
                                        clock=wiring.current().clock, hasher=secret_hasher())
    except PlanAdministratorExists as refused:
        print(f"Refused on stage {stage}: {refused.message}", file=sys.stderr)
        return 1
    except ValidationFailed as refused:
        print(f"Refused on stage {stage}: {refused.fields}", file=sys.stderr)
        return 2
    print(f"Stage {stage}: plan administrator {wanted.username} created; a link to set the password is on its way "
          f"to {wanted.email} (valid as a password reset link is; then log in and enrol).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
