"""Members: by plan member ID; by Medicaid ID; by normalised name + birth date; by PCP.

Coverage spans and other insurance are kept on the member item (a member has a handful),
so an eligibility answer is one GetItem or one Query.
"""

from __future__ import annotations

from pynamodb.attributes import ListAttribute, MapAttribute, UnicodeAttribute
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from chalicelib.members.names import name_search_key
from chalicelib.models.base import TableMeta, table_name


class CoverageSpanAttribute(MapAttribute[str, str]):
    start = UnicodeAttribute()
    end = UnicodeAttribute(null=True)
    program = UnicodeAttribute()
    plan_type = UnicodeAttribute()


class OtherInsuranceAttribute(MapAttribute[str, str]):
    payer = UnicodeAttribute()
    policy_number = UnicodeAttribute()
    coverage_type = UnicodeAttribute()
    order = UnicodeAttribute()
    start = UnicodeAttribute()
    end = UnicodeAttribute(null=True)


class MembersByMedicaidId(GlobalSecondaryIndex["MemberModel"]):
    class Meta:
        index_name = "medicaid-id-index"
        projection = AllProjection()

    medicaid_id = UnicodeAttribute(hash_key=True)


class MembersByNameAndBirthDate(GlobalSecondaryIndex["MemberModel"]):
    class Meta:
        index_name = "name-birth-date-index"
        projection = AllProjection()

    name_key = UnicodeAttribute(hash_key=True)


class MembersByPcp(GlobalSecondaryIndex["MemberModel"]):
    class Meta:
        index_name = "pcp-index"
        projection = AllProjection()

    pcp_provider_id = UnicodeAttribute(hash_key=True)
    roster_sort_key = UnicodeAttribute(range_key=True)


def roster_sort_key(last_name: str, first_name: str, member_id: str) -> str:
    """Orders a PCP's roster by last name, then first name."""
    return f"{name_search_key(last_name, '', '')}#{name_search_key(first_name, '', '')}#{member_id}"


class MemberModel(Model):
    class Meta(TableMeta):
        table_name = table_name("members")

    member_id = UnicodeAttribute(hash_key=True)
    medicaid_id = UnicodeAttribute()
    first_name = UnicodeAttribute()
    last_name = UnicodeAttribute()
    birth_date = UnicodeAttribute()
    gender = UnicodeAttribute()
    state = UnicodeAttribute()
    language = UnicodeAttribute(null=True)
    phone = UnicodeAttribute(null=True)
    pcp_provider_id = UnicodeAttribute(null=True)
    pcp_name = UnicodeAttribute(null=True)
    name_key = UnicodeAttribute()
    roster_sort_key = UnicodeAttribute(null=True)
    coverage = ListAttribute(of=CoverageSpanAttribute, default=list)
    other_insurance = ListAttribute(of=OtherInsuranceAttribute, default=list)

    by_medicaid_id = MembersByMedicaidId()
    by_name = MembersByNameAndBirthDate()
    by_pcp = MembersByPcp()
