"""The portal's emails, rendered from a template name and a few parameters.

Emails carry no PHI: a short notice and a link into the portal.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from chalicelib.platform.aws.mailer import RenderedEmail
from chalicelib.platform.config import Settings


class EmailTemplate(StrEnum):
    ACTIVATION = "activation"
    EMAIL_VERIFIED = "email_verified"
    PASSWORD_RESET = "password_reset"  # noqa: S105 (a template name)
    ALREADY_REGISTERED = "already_registered"
    ACCOUNT_LOCKED = "account_locked"
    ACCOUNT_INACTIVE = "account_inactive"
    EXPORT_READY = "export_ready"
    PRIOR_AUTH_STATUS = "prior_auth_status"
    PRACTICE_CODE = "practice_code"
    APPROVAL_REQUESTED = "approval_requested"
    REGISTRATION_APPROVED = "registration_approved"
    REGISTRATION_DENIED = "registration_denied"
    EMAIL_CHANGE = "email_change"
    EMAIL_IN_USE = "email_in_use"
    EMAIL_CHANGE_REQUESTED = "email_change_requested"
    EMAIL_CHANGED = "email_changed"
    PASSWORD_CHANGED = "password_changed"  # noqa: S105 (a template name)
    SECURITY_QUESTION_CHANGED = "security_question_changed"
    LINK_PRACTICE_CODE = "link_practice_code"
    LINK_REQUESTED = "link_requested"
    LINK_APPROVED = "link_approved"
    LINK_DENIED = "link_denied"
    IMPERSONATION_NOTICE = "impersonation_notice"
    ACCOUNT_UNLOCKED = "account_unlocked"
    MFA_RESET = "mfa_reset"


@dataclass(frozen=True)
class _Template:
    subject: str
    lines: tuple[str, ...]
    link_label: str
    """Empty: a notice with no link at all (one to an address the account is leaving: nothing there to click)."""


_TEMPLATES: dict[EmailTemplate, _Template] = {
    EmailTemplate.ACTIVATION: _Template(
        subject="Activate Your Provider Portal Account",
        lines=(
            "Hello {username},",
            "Thank you for registering for the {plan_name} Provider Portal.",
            "Activate your account with the link below. It works once and expires in {hours} hours.",
        ),
        link_label="Activate Account",
    ),
    EmailTemplate.EMAIL_VERIFIED: _Template(
        subject="Email Verification",
        lines=(
            "Hello {username},",
            "Your email address is verified and your {plan_name} Provider Portal account is active.",
        ),
        link_label="Login",
    ),
    EmailTemplate.PASSWORD_RESET: _Template(
        subject="{plan_name} Provider Portal Password",
        lines=(
            "Hello {username},",
            "We received a request to reset your Provider Portal password.",
            "Reset it with the link below. It works once and expires in {minutes} minutes.",
            "If you did not ask for this, ignore this email: your password stays the same.",
        ),
        link_label="Reset Password",
    ),
    EmailTemplate.ALREADY_REGISTERED: _Template(
        subject="You are already registered for the {plan_name} Provider Portal",
        lines=(
            "Hello {username},",
            "Someone asked to register for the {plan_name} Provider Portal with this email address, which already "
            "has an account: you are already registered. Go to the Provider Login page and log in.",
            "If you cannot remember your password, use Forgot password: {forgot_link}",
            "If you did not ask for this, ignore this email: nothing changed in your account.",
        ),
        link_label="Provider Login",
    ),
    EmailTemplate.ACCOUNT_LOCKED: _Template(
        subject="Your {plan_name} Provider Portal account is locked",
        lines=(
            "Hello {username},",
            "Your Provider Portal account is locked after {lockout_threshold} incorrect login attempts in a row.",
            "To unlock it, reset your password with the link below (Forgot password? on the login page), "
            "or wait {lockout_hours} hours and log in again.",
            "If these attempts were not yours, reset your password now.",
        ),
        link_label="Reset Password",
    ),
    EmailTemplate.ACCOUNT_INACTIVE: _Template(
        subject="Your {plan_name} Provider Portal account is deactivated",
        lines=(
            "Hello {username},",
            "Your Provider Portal account was deactivated because it was not used for {inactive_days} days.",
            "To use it again, reset your password with the link below (Forgot password? on the login page), "
            "or ask your practice's Provider Administrator to reactivate it in Manage Users.",
        ),
        link_label="Reset Password",
    ),
    EmailTemplate.EXPORT_READY: _Template(
        subject="Your Provider Membership List export is ready",
        lines=(
            "Hello {username},",
            "The member list export you asked for is ready in the {plan_name} Provider Portal.",
            "Log in and open the export to download it. It stays available for 7 days.",
        ),
        link_label="Open the export",
    ),
    EmailTemplate.PRIOR_AUTH_STATUS: _Template(
        subject="Prior authorization {authorization_number}: {status_label}",
        lines=(
            "Hello {username},",
            "The prior authorization request {authorization_number} is now: {status_label}.",
            "Log in to the {plan_name} Provider Portal to see the decision, its reasons and its history.",
        ),
        link_label="Open the request",
    ),
    EmailTemplate.PRACTICE_CODE: _Template(
        subject="Confirm your practice's Provider Portal administrator",
        lines=(
            "Hello {practice},",
            "The user {username} registered for {practice} in the {plan_name} Provider Portal and asks to become "
            "its Provider Administrator, who decides which of your staff see members, claims and payments.",
            "If this is someone at your practice, give them this code. They enter it on the Confirm your practice "
            "page: {code}",
            "The code works once and expires in {code_minutes} minutes.",
            "If nobody at your practice asked for this, ignore this email: no access is given without the code.",
        ),
        link_label="Confirm your practice",
    ),
    EmailTemplate.APPROVAL_REQUESTED: _Template(
        subject="A new user waits for your approval in the {plan_name} Provider Portal",
        lines=(
            "Hello {administrator},",
            "The user {username} registered for {provider_name} and waits for your approval. Until you approve it "
            "it sees nothing of your practice's members, claims or payments.",
            "Approve it with the permissions it needs, or deny it, in Manage Users.",
        ),
        link_label="Open Manage Users",
    ),
    EmailTemplate.REGISTRATION_APPROVED: _Template(
        subject="Your {plan_name} Provider Portal account is approved",
        lines=(
            "Hello {username},",
            "Your practice's administrator approved your account. Log in to use the Provider Portal.",
        ),
        link_label="Provider Login",
    ),
    EmailTemplate.REGISTRATION_DENIED: _Template(
        subject="Your {plan_name} Provider Portal registration was not approved",
        lines=(
            "Hello {username},",
            "Your practice's administrator did not approve your registration, so the account is closed.",
            "If you think this is a mistake, ask your practice's Provider Administrator, then register again.",
        ),
        link_label="Provider Portal",
    ),
    EmailTemplate.EMAIL_CHANGE: _Template(
        subject="Confirm your new email address for the {plan_name} Provider Portal",
        lines=(
            "Hello {username},",
            "You asked to use this email address for your {plan_name} Provider Portal account. Confirm it with the "
            "link below (log in if you are asked to). It works once and expires in {minutes} minutes.",
            "Until you confirm it, your account keeps its current address. If you did not ask for this, ignore this "
            "email: nothing changes.",
        ),
        link_label="Confirm Email Address",
    ),
    EmailTemplate.EMAIL_IN_USE: _Template(
        subject="Your email address is already registered for the {plan_name} Provider Portal",
        lines=(
            "Hello {username},",
            "Someone asked to use this email address for another {plan_name} Provider Portal account. It already "
            "has an account, yours, so nothing was changed and it stays yours.",
            "If you cannot remember your password, use Forgot password: {forgot_link}",
            "If you did not ask for this, ignore this email.",
        ),
        link_label="Provider Login",
    ),
    EmailTemplate.EMAIL_CHANGE_REQUESTED: _Template(
        subject="A new email address was asked for your {plan_name} Provider Portal account",
        lines=(
            "Hello {username},",
            "Someone logged in to your Provider Portal account asked to change its email address to {new_address}. "
            "It changes only when the link we sent to that address is opened.",
            "If this was not you, log in, change your password on Update My Account and end your other sessions, "
            "or call Provider Services.",
        ),
        link_label="",
    ),
    EmailTemplate.EMAIL_CHANGED: _Template(
        subject="Your {plan_name} Provider Portal email address was changed",
        lines=(
            "Hello {username},",
            "The email address of your Provider Portal account is now {new_address}. Emails about your account go "
            "there from now on; this is the last one to this address.",
            "If this was not you, call Provider Services at once.",
        ),
        link_label="",
    ),
    EmailTemplate.PASSWORD_CHANGED: _Template(
        subject="Your {plan_name} Provider Portal password was changed",
        lines=(
            "Hello {username},",
            "The password of your Provider Portal account was changed on Update My Account, and every other "
            "session of your account was ended.",
            "If this was not you, reset your password with the link below and call Provider Services.",
        ),
        link_label="Reset Password",
    ),
    EmailTemplate.SECURITY_QUESTION_CHANGED: _Template(
        subject="Your {plan_name} Provider Portal security question was changed",
        lines=(
            "Hello {username},",
            "The security question and answer of your Provider Portal account were changed on Update My Account. "
            "Provider Services asks that question when you call.",
            "If this was not you, reset your password with the link below and call Provider Services.",
        ),
        link_label="Reset Password",
    ),
    EmailTemplate.LINK_PRACTICE_CODE: _Template(
        subject="Confirm a Provider Portal link to your practice",
        lines=(
            "Hello {practice},",
            "The user {username} of the {plan_name} Provider Portal asks to link {practice} to its login. Your "
            "practice has no Provider Administrator in the portal yet, so this user would become it: the one who "
            "decides which of your staff see members, claims and payments.",
            "If this is someone at your practice, give them this code. They enter it on the Account Linker page: "
            "{code}",
            "The code works once and expires in {code_minutes} minutes.",
            "If nobody at your practice asked for this, ignore this email: no access is given without the code.",
        ),
        link_label="Account Linker",
    ),
    EmailTemplate.LINK_REQUESTED: _Template(
        subject="A user asks to link your practice in the {plan_name} Provider Portal",
        lines=(
            "Hello {administrator},",
            "The user {username}, of another practice in the Provider Portal, asks to link {provider_name} to its "
            "login. Until you approve it, it sees nothing of your practice's members, claims or payments.",
            "Approve it with the permissions it needs, or deny it, in Manage Users.",
        ),
        link_label="Open Manage Users",
    ),
    EmailTemplate.LINK_APPROVED: _Template(
        subject="Your {plan_name} Provider Portal link is approved",
        lines=(
            "Hello {username},",
            "The provider you asked to link, {provider_name}, is linked to your login. Choose it in the provider "
            "selector to act for it.",
        ),
        link_label="Account Linker",
    ),
    EmailTemplate.LINK_DENIED: _Template(
        subject="Your {plan_name} Provider Portal link was not approved",
        lines=(
            "Hello {username},",
            "The link you asked for, to {provider_name}, was not approved, so your login does not act for it.",
            "If you think this is a mistake, ask that practice's Provider Administrator.",
        ),
        link_label="Account Linker",
    ),
    EmailTemplate.IMPERSONATION_NOTICE: _Template(
        subject="Someone viewed the {plan_name} Provider Portal as you",
        lines=(
            "Hello {username},",
            "{actor} ({viewer}) viewed the Provider Portal as you, to help you, from {started} to {ended} "
            "({duration}).",
            "The view was read-only: nothing could be sent or changed in your name.",
            "If you did not expect this, tell your practice's Provider Administrator or call Provider Services.",
        ),
        link_label="Provider Login",
    ),
    EmailTemplate.ACCOUNT_UNLOCKED: _Template(
        subject="Your {plan_name} Provider Portal account was unlocked",
        lines=(
            "Hello {username},",
            "Your Provider Portal account was locked after too many incorrect login attempts. It was unlocked by "
            "{by}, so you can log in again.",
            "If you did not ask for this, reset your password with Forgot password on the login page and call "
            "Provider Services.",
        ),
        link_label="Provider Login",
    ),
    EmailTemplate.MFA_RESET: _Template(
        subject="The two-step verification of your {plan_name} Provider Portal account was reset",
        lines=(
            "Hello {username},",
            "The two-step verification of your Provider Portal account was reset by {by}: your authenticator app's "
            "codes, your recovery codes and your remembered browsers no longer work. You set it up again at your "
            "next login.",
            "If you did not ask for this, reset your password with Forgot password on the login page and call "
            "Provider Services.",
        ),
        link_label="Provider Login",
    ),
}


def render(template: EmailTemplate, params: Mapping[str, str], settings: Settings) -> RenderedEmail:
    values = {
        "plan_name": settings.plan_name,
        "hours": str(settings.activation_token_hours),
        "minutes": str(settings.reset_token_minutes),
        "lockout_threshold": str(settings.lockout_threshold),
        "lockout_hours": str(settings.lockout_hours),
        "code_minutes": str(settings.practice_code_minutes),
        "inactive_days": str(settings.inactive_days),
        **params,
    }
    spec = _TEMPLATES[template]
    subject = spec.subject.format(**values)
    lines = [line.format(**values) for line in spec.lines]
    footer = f"Questions? Call Provider Services at {settings.help_line_medicaid}."
    link_text, link_html = "", ""
    if spec.link_label:
        link = values["link"]
        link_text = f"{spec.link_label}: {link}"
        link_html = f'<p><a href="{html.escape(link, quote=True)}">{html.escape(spec.link_label)}</a></p>'
    text = "\n\n".join([*lines, *([link_text] if link_text else []), footer]) + "\n"
    paragraphs = "".join(f"<p>{html.escape(line)}</p>" for line in lines)
    body = f"<html><body>{paragraphs}{link_html}<p>{html.escape(footer)}</p></body></html>"
    return RenderedEmail(subject=subject, text=text, html=body)
