"""The portal's log lines as CloudWatch would get them: JSON, with the keys bound to the request (correlation ID,
route) that a ``LogRecord`` does not carry."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest

from chalicelib.platform.logs import logger

__all__ = ["emitted_json_logs", "take_json_lines"]


@pytest.fixture
def emitted_json_logs() -> Iterator[io.StringIO]:
    """The JSON lines the Lambda would send to CloudWatch, formatted by the portal logger's own formatter.

    Its handler writes to the stream it found at import (pytest's global capture, not capsys), and
    caplog's text leaves out the `extra` fields, so both are searched here as well.
    """
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logger.registered_formatter)
    app_logger = logging.getLogger(logger.name)
    app_logger.addHandler(handler)
    yield stream
    app_logger.removeHandler(handler)


def take_json_lines(stream: io.StringIO) -> list[dict[str, Any]]:
    """The lines ``emitted_json_logs`` caught since the last take, parsed; the stream starts over."""
    lines = [json.loads(line) for line in stream.getvalue().splitlines() if line.startswith("{")]
    stream.seek(0)
    stream.truncate()
    return lines
