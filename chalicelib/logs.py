"""The one Powertools logger. Log events and IDs, never bodies, passwords, tokens or hashes."""

from aws_lambda_powertools import Logger

from chalicelib.config import get_settings

logger = Logger(service="provider-portal", level=get_settings().log_level)
