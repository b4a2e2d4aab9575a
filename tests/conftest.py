"""Test settings are fixed before anything imports chalicelib (settings are read once).

They are the "test" stage of .chalice/config.json: the same place every stage's
settings live. argon2id runs there with small costs: the same code, less time.
"""

from __future__ import annotations

import os

from local.environment import stage_environment

os.environ.update(stage_environment("test"))
os.environ.pop("PORTAL_AWS_ENDPOINT_URL", None)
