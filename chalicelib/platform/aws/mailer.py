"""SES: send one rendered email."""

from __future__ import annotations

from email.utils import formataddr

from chalicelib.emails.templates import RenderedEmail
from chalicelib.platform.aws.clients import aws_client


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
