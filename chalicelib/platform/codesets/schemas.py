"""The code set lookup's query and answer."""

from __future__ import annotations

import datetime as dt

from pydantic import Field

from chalicelib.platform.web.schemas import QueryParameters, ResponseBody


class DiagnosisLookupQuery(QueryParameters):
    q: str = Field(min_length=1, max_length=60, pattern=r"\S",
                   description="A code or its start (E11, e11.9) or words of the description, each the start of a "
                   "word (diab type 2)")
    date: dt.date | None = Field(default=None, description="Date of service the billable flag is for (default: today)")
    limit: int = Field(default=20, ge=1, le=50)


class DiagnosisOut(ResponseBody):
    code: str = Field(description="With its dot, e.g. E11.9")
    description: str
    billable: bool = Field(description="A complete code, billable on the date; a category is not")


class DiagnosisList(ResponseBody):
    release: str = Field(description="The code set's release, e.g. ICD-10-CM April-2026")
    items: list[DiagnosisOut]
