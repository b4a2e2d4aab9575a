"""SES: send one rendered email."""

from __future__ import annotations

from dataclasses import dataclass
from email.utils import formataddr

from chalicelib.platform.aws.clients import aws_client


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    text: str
    html: str


def send_email(*, sender_name: str, sender_email: str, to: str, email: RenderedEmail) -> str:
    response = aws_client("ses").send_email(
        Source=formataddr((sender_name, sender_email)),
        Destination={"ToAddresses": [to]},
        Message={
            "Subject": {"Data": email.subject, "Charset": "UTF-8"},
            "Body": {
                "Text": {"Data": email.text, "Charset": "UTF-8"},
                "Html": {"Data": email.html, "Charset": "UTF-8"},
            },
        },
    )
    return response["MessageId"]
