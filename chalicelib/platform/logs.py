"""The one Powertools logger. Log events and IDs, never bodies, passwords, tokens or hashes.

botocore and PynamoDB log whole request parameters at DEBUG (password hashes, the
outbox's token links); they stay at WARNING whatever the application's level.
"""

import logging

from aws_lambda_powertools import Logger

from chalicelib.platform.config import get_settings

for _library in ("botocore", "boto3", "pynamodb", "urllib3", "s3transfer"):
    logging.getLogger(_library).setLevel(logging.WARNING)

logger = Logger(service="provider-portal", level=get_settings().log_level)
