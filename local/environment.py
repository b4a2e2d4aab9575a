"""The environment of the local stage: `.chalice/config.json`'s values, with the ports chosen at start."""

from __future__ import annotations

import json
import os
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
LOCAL_STAGE = "local"
DEFAULT_MOTO_PORT = 5000
DEFAULT_API_PORT = 8000
HOST = "127.0.0.1"


def stage_environment(stage: str) -> dict[str, str]:
    """A stage's variables as Chalice would set them: the shared ones, then the stage's own."""
    config = json.loads((PROJECT_DIR / ".chalice" / "config.json").read_text(encoding="utf-8"))
    env = dict(config.get("environment_variables", {}))
    env.update(config["stages"][stage].get("environment_variables", {}))
    return env


def local_environment(moto_port: int, api_port: int) -> dict[str, str]:
    env = stage_environment(LOCAL_STAGE)
    env["PORTAL_AWS_ENDPOINT_URL"] = f"http://{HOST}:{moto_port}"
    env["PORTAL_URL"] = f"http://{HOST}:{api_port}"
    for name in ("PORTAL_ARGON2_TIME_COST", "PORTAL_ARGON2_MEMORY_KIB", "PORTAL_ARGON2_PARALLELISM"):
        if os.environ.get(name):
            env[name] = os.environ[name]
    return env


def apply_local_environment(moto_port: int, api_port: int) -> dict[str, str]:
    """Set the local stage's variables in this process, before chalicelib reads its settings."""
    env = local_environment(moto_port, api_port)
    os.environ.update(env)
    return env
