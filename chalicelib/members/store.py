"""Members: by plan member ID; by Medicaid ID; by normalised name + birth date; by PCP.

Coverage spans and other insurance are kept on the member item (a member has a handful),
so an eligibility answer is one GetItem or one Query.
"""

from __future__ import annotations

from pynamodb.attributes import ListAttribute, MapAttribute, UnicodeAttribute
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from chalicelib.platform.dynamo.base import TableMeta, table_name


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


class AlertAttribute(MapAttribute[str, str]):
    alert_type = UnicodeAttribute()
    appeared_on = UnicodeAttribute()


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
    pcp_tax_id = UnicodeAttribute(null=True)
    name_key = UnicodeAttribute()
    alerts = ListAttribute(of=AlertAttribute, default=list)
    coverage = ListAttribute(of=CoverageSpanAttribute, default=list)
    other_insurance = ListAttribute(of=OtherInsuranceAttribute, default=list)

    by_medicaid_id = MembersByMedicaidId()
    by_name = MembersByNameAndBirthDate()
