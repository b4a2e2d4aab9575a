"""Where the MEMBER REPORTS pages live: under /member-reports/, clear of the JSON routes' /reports/... paths.

Chalice cannot have one path and method twice and the API's paths are fixed, so the pages have their own
prefix; each calls the services the JSON route beside it calls.
"""

from __future__ import annotations

PREFIX = "/member-reports"
MEMBERSHIP = f"{PREFIX}/membership"
MEMBER = PREFIX + "/members/{memberId}"
EXPORTS = f"{PREFIX}/exports"
EXPORT = PREFIX + "/exports/{exportId}"
EXPORT_DOWNLOAD = PREFIX + "/exports/{exportId}/download"
SUBSCRIPTIONS = f"{PREFIX}/subscriptions"
SUBSCRIPTION_CANCEL = PREFIX + "/subscriptions/{subscriptionId}/cancel"
REGISTRY = f"{PREFIX}/registry"


def member(member_id: str) -> str:
    return MEMBER.format(memberId=member_id)


def export(export_id: str) -> str:
    return EXPORT.format(exportId=export_id)


def export_download(export_id: str) -> str:
    return EXPORT_DOWNLOAD.format(exportId=export_id)


def subscription_cancel(subscription_id: str) -> str:
    return SUBSCRIPTION_CANCEL.format(subscriptionId=subscription_id)
