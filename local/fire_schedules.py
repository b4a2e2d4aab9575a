"""Fire every schedule of the app now, against a running `make run` stack (`make fire-schedules`).

The runner also fires them on its own timer (--schedule-seconds, 60 by default); this is the
"on demand" lever: scheduled exports that are due start at once, stranded emails are swept.
"""

from __future__ import annotations

import argparse
import os

from local.environment import DEFAULT_API_PORT, DEFAULT_MOTO_PORT, apply_local_environment


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--moto-port", type=int, default=int(os.environ.get("PORTAL_MOTO_PORT", DEFAULT_MOTO_PORT)))
    parser.add_argument("--api-port", type=int, default=int(os.environ.get("PORTAL_API_PORT", DEFAULT_API_PORT)))
    args = parser.parse_args()
    apply_local_environment(args.moto_port, args.api_port)
    from app import app
    from local.pump import EventPump

    pump = EventPump(app)
    fired = pump.fire_schedules()
    print(f"fired {fired} schedule(s): {', '.join(source.name for source in pump.schedules())}")


if __name__ == "__main__":
    main()
