"""Typed domain errors.

Services raise these; the HTTP layer (``chalicelib/handlers/api.py``) maps each
``ErrorKind`` to a status code in one table. Callers switch on ``code``, never on
the message text.
"""

from __future__ import annotations

from enum import Enum


class ErrorKind(Enum):
    INVALID = "invalid"
    UNAUTHENTICATED = "unauthenticated"
    FORBIDDEN = "forbidden"
    NOT_FOUND = "not_found"
    CONFLICT = "conflict"
    TOO_LARGE = "too_large"
    UNSUPPORTED_MEDIA = "unsupported_media"
    LOCKED = "locked"
    GONE = "gone"
    THROTTLED = "throttled"
    UNAVAILABLE = "unavailable"


class PortalError(Exception):
    kind: ErrorKind = ErrorKind.INVALID
    code: str = "ERROR"
    default_message: str = "The request could not be completed."
    retry_after_seconds: int | None = None
    """When set, the answer carries ``Retry-After`` (a 429)."""

    def __init__(self, message: str | None = None, fields: dict[str, str] | None = None) -> None:
        self.message = message or self.default_message
        self.fields = dict(fields or {})
        super().__init__(self.message)


class ValidationFailed(PortalError):
    kind = ErrorKind.INVALID
    code = "VALIDATION_ERROR"
    default_message = "Some fields are missing or not valid."


class InvalidToken(PortalError):
    kind = ErrorKind.INVALID
    code = "INVALID_TOKEN"
    default_message = "This link is not valid: it is unknown, already used, or expired."


class PayloadTooLarge(PortalError):
    kind = ErrorKind.TOO_LARGE
    code = "PAYLOAD_TOO_LARGE"
    default_message = "The request body is too large."


class UnsupportedMediaType(PortalError):
    kind = ErrorKind.UNSUPPORTED_MEDIA
    code = "UNSUPPORTED_MEDIA_TYPE"
    default_message = "Send the body as application/json."


class NotAuthenticated(PortalError):
    kind = ErrorKind.UNAUTHENTICATED
    code = "NOT_AUTHENTICATED"
    default_message = "Log in to continue."


class SessionExpired(PortalError):
    kind = ErrorKind.UNAUTHENTICATED
    code = "SESSION_EXPIRED"
    default_message = "Your session has ended. Log in again."


class InvalidCredentials(PortalError):
    kind = ErrorKind.UNAUTHENTICATED
    code = "INVALID_CREDENTIALS"
    default_message = "The username or password is incorrect."


class NotActivated(PortalError):
    kind = ErrorKind.FORBIDDEN
    code = "NOT_ACTIVATED"
    default_message = "This account is not active yet. Use the link in the activation email."


class Forbidden(PortalError):
    kind = ErrorKind.FORBIDDEN
    code = "FORBIDDEN"
    default_message = "You are not allowed to do this."


class PermissionRequired(Forbidden):
    """The route needs a permission the account does not hold: 403 FORBIDDEN naming it in ``fields.permission``."""

    def __init__(self, permission: str, words: str) -> None:
        super().__init__(f"Your account does not have the permission \u201c{words}\u201d. An administrator can give "
                         "it to you.", {"permission": permission})


class LastAdministrator(PortalError):
    kind = ErrorKind.CONFLICT
    code = "LAST_ADMINISTRATOR"
    default_message = "A Tax ID keeps at least one active administrator. Make another user an administrator first."


class PermissionsChanged(PortalError):
    kind = ErrorKind.CONFLICT
    code = "PERMISSIONS_CHANGED"
    default_message = "Someone changed this user's permissions meanwhile. Look at them again and retry."


class AccountDeactivated(PortalError):
    kind = ErrorKind.FORBIDDEN
    code = "ACCOUNT_DEACTIVATED"
    default_message = ("Your account is deactivated. Ask your practice's Provider Administrator to reactivate it "
                       "in Manage Users.")


class AccountDeactivatedUnused(AccountDeactivated):
    """Deactivated for going unused: the same code (and, like it, answered only to the right password), with what
    brings it back and ``fields.reason``."""

    def __init__(self, inactive_days: int) -> None:
        super().__init__(f"Your account was deactivated because it was not used for {inactive_days} days. Reset "
                         "your password (Forgot password?) to use it again, or ask your practice's Provider "
                         "Administrator to reactivate it in Manage Users.", {"reason": "INACTIVITY"})


class AccountClosed(PortalError):
    kind = ErrorKind.FORBIDDEN
    code = "ACCOUNT_CLOSED"
    default_message = ("This account is closed: it was removed from its Tax ID or its registration was not "
                       "approved. Register again, or ask your practice's Provider Administrator.")


class UserStatusConflict(PortalError):
    """A change the user's status does not allow now (deactivating one already deactivated, ...): ``fields.status``
    names the status it has."""

    kind = ErrorKind.CONFLICT
    code = "USER_STATUS_CONFLICT"
    default_message = "The user's status does not allow this change. Reload the user and try again."


class NotAwaitingApproval(PortalError):
    kind = ErrorKind.CONFLICT
    code = "NOT_AWAITING_APPROVAL"
    default_message = ("This user is not waiting for approval: another administrator may have approved or denied "
                       "it already. Nothing was changed.")


class NotAwaitingConfirmation(PortalError):
    kind = ErrorKind.CONFLICT
    code = "NOT_AWAITING_CONFIRMATION"
    default_message = "This account is not waiting for its practice's confirmation. Nothing was changed."


class OwnAccount(PortalError):
    kind = ErrorKind.CONFLICT
    code = "OWN_ACCOUNT"
    default_message = "You cannot do this to your own account. Ask another administrator of your Tax ID."


class ImpersonationReadOnly(Forbidden):
    """Every state-changing route refuses a session that views the portal as another user (``api.admit``)."""

    code = "IMPERSONATION_READ_ONLY"

    def __init__(self, username: str) -> None:
        super().__init__(f"You are viewing the portal as {username}, read-only: nothing can be sent or changed in "
                         "this view. End the view (End, in the banner) to act as yourself again.")


class ImpersonationRefused(Forbidden):
    """Who may not be viewed as: ``fields.username`` says why (your own account, plan staff, an administrator for a
    user administrator who is not one, an account that is not active)."""

    code = "IMPERSONATION_REFUSED"

    def __init__(self, reason: str) -> None:
        super().__init__(f"You cannot view the portal as this user: it {reason}. Nothing was changed.",
                         {"username": reason})


class AlreadyImpersonating(PortalError):
    kind = ErrorKind.CONFLICT
    code = "ALREADY_IMPERSONATING"
    default_message = ("You are already viewing the portal as another user. End that view first, then start this "
                       "one. Nothing was changed.")


class NotImpersonating(PortalError):
    kind = ErrorKind.NOT_FOUND
    code = "NOT_IMPERSONATING"
    default_message = "This session is not viewing the portal as another user: there is no view to end."


class InvalidConfirmationCode(PortalError):
    kind = ErrorKind.INVALID
    code = "INVALID_CONFIRMATION_CODE"
    default_message = "The code is not the one we sent, or it has expired."


class NoContactOnRecord(PortalError):
    kind = ErrorKind.CONFLICT
    code = "NO_CONTACT_ON_RECORD"
    default_message = ("The provider directory has no contact email for your practice, so no code can be sent. "
                       "Call Provider Services: plan support staff can confirm you.")


class LinkedUser(PortalError):
    """A change Manage Users makes only to its own Tax ID's accounts, asked of a user linked from another Tax ID."""

    kind = ErrorKind.CONFLICT
    code = "LINKED_USER"
    default_message = ("This user's account belongs to another Tax ID and is linked to yours: only that Tax ID's "
                       "administrators deactivate, unlock or reset it. Here you change what it may do for your Tax "
                       "ID, or remove it from your Tax ID.")


class AlreadyLinked(PortalError):
    kind = ErrorKind.CONFLICT
    code = "ALREADY_LINKED"
    default_message = "Your login already acts for this provider, or asked to. Nothing was changed."


class LinkPending(PortalError):
    kind = ErrorKind.CONFLICT
    code = "LINK_PENDING"
    default_message = ("Another link of yours waits for a decision. Link the next provider once it is approved or "
                       "denied, or withdraw it. Nothing was changed.")


class TooManyLinks(PortalError):
    kind = ErrorKind.CONFLICT
    code = "TOO_MANY_LINKS"
    default_message = "Your login has as many linked providers as it may have. Remove one first."


class HomeProvider(PortalError):
    kind = ErrorKind.CONFLICT
    code = "HOME_PROVIDER"
    default_message = ("This is the provider your account registered for: it stays. Only its Tax ID's "
                       "administrator removes you from it.")


class NotAwaitingLinkDecision(PortalError):
    kind = ErrorKind.CONFLICT
    code = "NOT_AWAITING_APPROVAL"
    default_message = ("This link request is not waiting for approval: another administrator may have decided it "
                       "already, or it was withdrawn. Nothing was changed.")


class NotFound(PortalError):
    kind = ErrorKind.NOT_FOUND
    code = "NOT_FOUND"
    default_message = "Not found."


class ProviderNotFound(NotFound):
    code = "PROVIDER_NOT_FOUND"


class AlreadyRegistered(PortalError):
    kind = ErrorKind.CONFLICT
    code = "ALREADY_REGISTERED"
    default_message = "You are already registered. Go to the Provider Login page and log in."


class AccountLocked(PortalError):
    kind = ErrorKind.LOCKED
    code = "ACCOUNT_LOCKED"
    default_message = (
        "Your account is locked after too many incorrect login attempts. "
        "Reset your password with 'Forgot password?' or wait 24 hours."
    )


class TooManyRequests(PortalError):
    kind = ErrorKind.THROTTLED
    code = "TOO_MANY_REQUESTS"
    default_message = "Too many requests. Wait a few minutes and try again."

    def __init__(self, message: str | None = None, fields: dict[str, str] | None = None, *,
                 retry_after_seconds: int) -> None:
        super().__init__(message, fields)
        self.retry_after_seconds = retry_after_seconds


class TooManyAnswerChecks(TooManyRequests):
    """Plan support's security-answer checks of one account: after 5 wrong ones in 24 hours the desk checks no more
    (``fields.answer`` says until when), so it cannot be used to guess."""

    code = "TOO_MANY_ANSWER_CHECKS"
    default_message = ("This account's security answer was checked wrongly 5 times in 24 hours: no more checks until "
                       "the time given. Confirm the caller another way, or ask them to reset their password.")


class NotLocked(PortalError):
    kind = ErrorKind.CONFLICT
    code = "NOT_LOCKED"
    default_message = "This account is not locked: there is nothing to unlock. Nothing was changed."


class NotPendingActivation(PortalError):
    """An activation email goes to an account that waits for its activation only: ``fields.status`` names the
    account's status."""

    kind = ErrorKind.CONFLICT
    code = "NOT_PENDING_ACTIVATION"
    default_message = "This account is not waiting for its activation, so no activation email was sent."


class NoSecurityQuestion(PortalError):
    kind = ErrorKind.CONFLICT
    code = "NO_SECURITY_QUESTION"
    default_message = "This account has no security question to check. Confirm the caller another way."


class MemberNotFound(NotFound):
    code = "MEMBER_NOT_FOUND"
    default_message = "No member matches. Check the ID, or the name and birth date, exactly as on the member's card."


class MultipleMembersMatch(PortalError):
    kind = ErrorKind.CONFLICT
    code = "MULTIPLE_MEMBERS_MATCH"
    default_message = "More than one member has this name and birth date. Search by member ID or Medicaid ID."


class DocumentNotFound(NotFound):
    code = "DOCUMENT_NOT_FOUND"


class DocumentNotAccepted(PortalError):
    kind = ErrorKind.CONFLICT
    code = "DOCUMENT_NOT_ACCEPTED"
    default_message = "There is no accepted file to download for this document; see its status and reason."


class NotEligible(PortalError):
    kind = ErrorKind.CONFLICT
    code = "MEMBER_NOT_ELIGIBLE"
    default_message = "The member is not eligible on that date of service."


class ExportNotFound(NotFound):
    code = "EXPORT_NOT_FOUND"


class ExportNotReady(PortalError):
    kind = ErrorKind.CONFLICT
    code = "EXPORT_NOT_READY"
    default_message = "The export is not finished yet; follow its status."


class ExportExpired(PortalError):
    kind = ErrorKind.GONE
    code = "EXPORT_EXPIRED"
    default_message = "This export is no longer available. Start a new one."


class PriorAuthNotFound(NotFound):
    code = "PRIOR_AUTH_NOT_FOUND"
    default_message = "No prior authorization request with this number for the providers you act for."


class PriorAuthConflict(PortalError):
    kind = ErrorKind.CONFLICT
    code = "PRIOR_AUTH_STATUS_CONFLICT"
    default_message = "The request's status does not allow this."


class PriorAuthChanged(PortalError):
    kind = ErrorKind.CONFLICT
    code = "PRIOR_AUTH_CHANGED"
    default_message = "The request changed while you were working on it. Reload it and try again."


class PaymentCycleRunning(PortalError):
    kind = ErrorKind.CONFLICT
    code = "PAYMENT_CYCLE_RUNNING"
    default_message = "A payment cycle is running now. Its payments appear when it ends; run another after it."


class RequestInProgress(PortalError):
    kind = ErrorKind.CONFLICT
    code = "REQUEST_IN_PROGRESS"
    default_message = "A request with this Idempotency-Key is still being processed. Try again in a moment."


class IdempotencyKeyReused(PortalError):
    kind = ErrorKind.CONFLICT
    code = "IDEMPOTENCY_KEY_REUSED"
    default_message = "This Idempotency-Key was already used for a different request."


class ClaimNotFound(NotFound):
    code = "CLAIM_NOT_FOUND"
    default_message = "No claim with this number for the providers you act for."


class ClaimChanged(PortalError):
    kind = ErrorKind.CONFLICT
    code = "CLAIM_CHANGED"
    default_message = "The claim changed while you were working on it. Reload it and try again."


class PaymentsNotPermitted(Forbidden):
    code = "PAYMENTS_NOT_PERMITTED"
    default_message = ("Payments, their 835 files and whole EOPs belong to the Tax ID: its accounts acting for it "
                       "with the payments permission see them. A practitioner account sees the EOP lines of its own "
                       "claims.")


class PaymentNotFound(NotFound):
    code = "PAYMENT_NOT_FOUND"
    default_message = "No payment with this number for the Tax IDs you act for."


class BatchNotFound(NotFound):
    code = "BATCH_NOT_FOUND"
    default_message = "No claim file with this ID for the providers you act for."


class TrainingModuleNotFound(NotFound):
    code = "TRAINING_MODULE_NOT_FOUND"
    default_message = "No training module with this ID."


class TrainingVersionChanged(PortalError):
    kind = ErrorKind.CONFLICT
    code = "TRAINING_VERSION_CHANGED"
    default_message = "This training module has a new version. Read the current version, then attest to it."


class PlanAdministratorExists(PortalError):
    kind = ErrorKind.CONFLICT
    code = "PLAN_ADMINISTRATOR_EXISTS"
    default_message = ("This stage has its first plan administrator already; further plan staff are that "
                       "administrator's to manage.")
class MfaEnrolmentRequired(Forbidden):
    """A session opened with the password alone, before the account enrolled a second factor: it reaches only the
    enrolment routes, /me and logout (``before_mfa`` routes)."""

    code = "MFA_ENROLMENT_REQUIRED"
    default_message = ("Set up two-step verification first: the portal shows member, claim and payment data only to "
                       "accounts with a second factor. Start with POST /me/mfa/enrolment (the page: /mfa/enrol).")


class InvalidMfaCode(PortalError):
    kind = ErrorKind.UNAUTHENTICATED
    code = "INVALID_MFA_CODE"
    default_message = ("The code is not right, or it was already used. Enter the current code from your "
                       "authenticator app, or a recovery code.")


class MfaChallengeExpired(PortalError):
    kind = ErrorKind.UNAUTHENTICATED
    code = "MFA_CHALLENGE_EXPIRED"
    default_message = "This login has expired or had too many wrong codes. Log in again with your password."


class MfaAlreadyEnrolled(PortalError):
    kind = ErrorKind.CONFLICT
    code = "MFA_ALREADY_ENROLLED"
    default_message = ("Two-step verification is already set up for this account. To move it to a new device, ask "
                       "your administrator (or plan support) to reset it, then set it up again.")


class MfaNotEnrolled(PortalError):
    kind = ErrorKind.CONFLICT
    code = "MFA_NOT_ENROLLED"
    default_message = "Two-step verification is not set up for this account yet."


class MfaEnrolmentNotStarted(PortalError):
    kind = ErrorKind.CONFLICT
    code = "MFA_ENROLMENT_NOT_STARTED"
    default_message = "Start the set-up first (POST /me/mfa/enrolment), then confirm it with a code."


class LinkNotFound(NotFound):
    code = "LINK_NOT_FOUND"
    default_message = "No such linked provider or link request."
