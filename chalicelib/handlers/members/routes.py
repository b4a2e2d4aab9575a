"""Members: eligibility on a date of service, consent forms, Member File Upload (batch eligibility)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalice import Blueprint

from chalicelib import wiring
from chalicelib.documents.enums import DocumentKind, DocumentStatus
from chalicelib.handlers.bodies import ticket_body, uploads_page
from chalicelib.members.alerts import labelled
from chalicelib.members.eligibility import current_program
from chalicelib.members.service import EligibilityAnswer, MemberLookup, coverage_spans, other_coverage
from chalicelib.platform.access import Principal
from chalicelib.platform.aws import storage
from chalicelib.platform.config import get_settings
from chalicelib.platform.errors import DocumentNotFound, ValidationFailed
from chalicelib.platform.permissions import MEMBER_DOCUMENTS_READ, MEMBER_LOOKUP, Permission
from chalicelib.platform.web.api import api_route

if TYPE_CHECKING:
    from chalicelib.documents.service import UploadTicket
    from chalicelib.documents.store import DocumentModel
    from chalicelib.members.schemas import EligibilityFileRequest, EligibilityQuery, EligibilitySearch
    from chalicelib.platform.web.schemas import ListQuery

member_routes = Blueprint(__name__)
TAG = "Members"
CSV_CONTENT_TYPE = "text/csv"


def lookup_from(query: EligibilityQuery | EligibilitySearch) -> MemberLookup:
    """Exactly one search method; the fields of a half-given name search are named."""
    names = {"lastName": query.last_name, "firstName": query.first_name, "birthDate": query.birth_date}
    by_name = any(value is not None for value in names.values())
    methods = sum([query.member_id is not None, query.medicaid_id is not None, by_name])
    if methods == 0:
        raise ValidationFailed("Search by member ID, Medicaid ID, or last name, first name and birth date.",
                               {"memberId": "is required unless medicaidId or lastName, firstName and birthDate "
                                            "are given"})
    if methods > 1:
        raise ValidationFailed("Use one search method at a time.",
                               {"memberId": "give only one of memberId, medicaidId, or the name search"})
    if by_name:
        missing = {name: "is required for a name search" for name, value in names.items() if value is None}
        if missing:
            raise ValidationFailed(fields=missing)
    return MemberLookup(member_id=query.member_id, medicaid_id=query.medicaid_id, last_name=query.last_name,
                        first_name=query.first_name, birth_date=query.birth_date)


def eligibility_body(answer: EligibilityAnswer) -> dict[str, Any]:
    member, eligibility = answer.member, answer.eligibility
    span = eligibility.span
    return {
        "eligible": eligibility.eligible,
        "date_of_service": answer.date_of_service,
        "member_id": member.member_id,
        "medicaid_id": member.medicaid_id,
        "first_name": member.first_name,
        "last_name": member.last_name,
        "birth_date": member.birth_date,
        "gender": member.gender,
        "state": member.state,
        "program": eligibility.program,
        "plan_type": span.plan_type if span else None,
        "coverage_start": span.start if span else None,
        "coverage_end": span.end if span else None,
        "pcp": {"provider_id": member.pcp_provider_id, "name": member.pcp_name} if member.pcp_provider_id else None,
        "other_insurance": list(eligibility.other_insurance),
        "coverage_spans": list(answer.spans),
        "acting_for_provider_id": answer.acting_for_provider_id,
    }


NAME_SEARCH_FIELDS = {"lastName": "last_name", "firstName": "first_name", "birthDate": "birth_date"}
NAME_SEARCH_MOVED = "is not taken in a URL: search by name with POST /members/eligibility (a JSON body)"


@api_route(member_routes, "/members/eligibility", permission=MEMBER_LOOKUP,
           summary="Is the member eligible on the date of service? (by ID)",
           tag=TAG, query="members:EligibilityQuery", response="members:EligibilityResponse", errors=(404, 409),
           description="By plan member ID or by Medicaid ID. The date of service is required, not in the future and "
           "at most 24 months back. A search by name and birth date is POST /members/eligibility, which keeps them "
           "out of URLs: here lastName, firstName or birthDate answer 400 naming that route. Members of the states "
           "your providers practise in; every answer is audited.")
def eligibility(principal: Principal, query: EligibilityQuery) -> dict[str, Any]:
    given = [name for name, attribute in NAME_SEARCH_FIELDS.items() if getattr(query, attribute) is not None]
    if given:
        raise ValidationFailed("Search by name with POST /members/eligibility: names and birth dates stay out of "
                               "URLs.", dict.fromkeys(given, NAME_SEARCH_MOVED))
    members = wiring.current().members()
    answer = members.eligibility(principal, lookup_from(query), query.date_of_service, query.provider_id)
    return eligibility_body(answer)


@api_route(member_routes, "/members/eligibility", permission=MEMBER_LOOKUP,
           method="POST", summary="Is the member eligible on the date of "
           "service? (by name, or by ID, in the body)", tag=TAG, body="members:EligibilitySearch",
           response="members:EligibilityResponse", errors=(404, 409),
           description="The search in a JSON body, so names and birth dates never enter a URL: by last name + first "
           "name + birth date (exact, ignoring case, accents and spacing; more than one match is a 409, search by "
           "ID), or by plan member ID or Medicaid ID. One method at a time; the date of service as for the GET. "
           "Answers 200 with the same body as the GET (nothing is created); every answer is audited.")
def eligibility_search(principal: Principal, body: EligibilitySearch) -> dict[str, Any]:
    members = wiring.current().members()
    answer = members.eligibility(principal, lookup_from(body), body.date_of_service, body.provider_id)
    return eligibility_body(answer)


@api_route(member_routes, "/members/{memberId}", permission=MEMBER_LOOKUP,
           tag=TAG, summary="Member detail", response="members:MemberDetailOut",
           errors=(404,))
def member_detail(principal: Principal, memberId: str) -> dict[str, Any]:
    member = wiring.current().members().detail(principal, memberId)
    spans = coverage_spans(member)
    return {
        **member.attribute_values,
        "program": current_program(spans),
        "pcp": {"provider_id": member.pcp_provider_id, "name": member.pcp_name} if member.pcp_provider_id else None,
        "alerts": labelled(member.alerts),
        "coverage_spans": list(spans),
        "other_insurance": list(other_coverage(member)),
    }


def eligibility_file_body(document: DocumentModel) -> dict[str, Any]:
    url = None
    if document.status == DocumentStatus.COMPLETED.value and document.result_key:
        url = storage.presigned_get(document.result_key, f"eligibility-results-{document.document_id}.csv",
                                    get_settings().presigned_url_seconds)
    return {**document.attribute_values, "result_url": url}


@api_route(member_routes, "/members/eligibility-files", permission=Permission.MEMBER_DOCUMENTS, method="POST", tag=TAG,
           summary="Member File Upload: ask to upload a CSV of members to check at once",
           body="members:EligibilityFileRequest", response="members:EligibilityFileTicket", status=201,
           errors=(404,),
           description="Columns (header row, any case): dateOfService and memberId, or medicaidId, or lastName, "
           "firstName, birthDate. Answers a presigned S3 POST for text/csv; follow GET "
           "/members/eligibility-files/{documentId} for progress and the results link.")
def request_eligibility_file(principal: Principal, body: EligibilityFileRequest) -> dict[str, Any]:
    ticket = start_eligibility_file(principal, body.provider_id, body.file_name)
    return {"file": eligibility_file_body(ticket.document), "upload": ticket_body(ticket)}


def start_eligibility_file(principal: Principal, provider_id: str | None, file_name: str) -> UploadTicket:
    """The record of a Member File Upload (AWAITING_UPLOAD) and its presigned POST; the route's and the page's."""
    documents = wiring.current().documents()
    provider = documents.acting_provider(principal, provider_id)
    document = documents.new_document(principal, provider, DocumentKind.ELIGIBILITY_FILE, file_name,
                                      CSV_CONTENT_TYPE)
    return documents.issue_upload(document, get_settings().upload_max_bytes)


def eligibility_file(principal: Principal, document_id: str) -> DocumentModel:
    """A Member File Upload the user may see; any other document answers as absent."""
    document = wiring.current().documents().get(principal, document_id)
    if document.kind != DocumentKind.ELIGIBILITY_FILE.value:
        raise DocumentNotFound()
    return document


@api_route(member_routes, "/members/eligibility-files/{documentId}", permission=MEMBER_DOCUMENTS_READ, tag=TAG,
           summary="Progress and results of a Member File Upload", response="members:EligibilityFileOut",
           errors=(404,))
def get_eligibility_file(principal: Principal, documentId: str) -> dict[str, Any]:
    return eligibility_file_body(eligibility_file(principal, documentId))


@api_route(member_routes, "/members/eligibility-files", permission=MEMBER_DOCUMENTS_READ,
           tag=TAG, summary="Your Member File Uploads, newest first",
           query="base:ListQuery", response="members:EligibilityFileList",
           description="A group sees every upload under its Tax ID; a practitioner, those made for it.")
def list_eligibility_files(principal: Principal, query: ListQuery) -> dict[str, Any]:
    return uploads_page(principal, DocumentKind.ELIGIBILITY_FILE, query, eligibility_file_body)


