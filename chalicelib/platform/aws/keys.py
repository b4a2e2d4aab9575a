"""Small secrets sealed with a customer-managed KMS key of the template (``alias/portal-<stage>-<name>``).

A secret of a few bytes (a TOTP seed) goes to KMS Encrypt whole, with an encryption context that names
what it is and whose: KMS refuses to decrypt it under any other context, so a ciphertext copied onto
another account's item opens nothing, and CloudTrail records each use with that context. The
plaintext never reaches a table, a log or a response other than the one that shows it to its owner.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping

from chalicelib.platform.aws.clients import aws_client
from chalicelib.platform.config import get_settings


def key_alias(name: str) -> str:
    return f"alias/{get_settings().resource_name(name)}"


def seal(key: str, plaintext: str, context: Mapping[str, str]) -> str:
    """The ciphertext (base64) of ``plaintext`` under the key named ``key`` ("mfa"), bound to ``context``."""
    answer = aws_client("kms").encrypt(KeyId=key_alias(key), Plaintext=plaintext.encode("utf-8"),
                                       EncryptionContext=dict(context))
    return base64.b64encode(answer["CiphertextBlob"]).decode("ascii")


def unseal(key: str, sealed: str, context: Mapping[str, str]) -> str:
    answer = aws_client("kms").decrypt(KeyId=key_alias(key), CiphertextBlob=base64.b64decode(sealed),
                                       EncryptionContext=dict(context))
    return answer["Plaintext"].decode("utf-8")
