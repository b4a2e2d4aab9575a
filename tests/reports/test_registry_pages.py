"""The Clinical Practice Registry page: legend, the seed's filters as a GET form, summary, G/Y/R/gray cells."""

from __future__ import annotations

import pytest

from chalicelib.reports import registry

pytestmark = pytest.mark.usefixtures("registry_members")

REGISTRY = "/member-reports/registry"
MEASURE_NAMES = [m.name for m in registry.MEASURES]


def table_rows(soup):
    table = soup.select_one("#rows-heading").find_parent("section").find("table")
    if table is None:
        return []
    heads = [th.get_text(strip=True) for th in table.select("thead th")]
    return [dict(zip(heads, [td for td in tr.find_all("td")], strict=True)) for tr in table.select("tbody tr")]


def every_row(browser, path):
    soup, found = browser.get(path).html, []
    while True:
        found += table_rows(soup)
        more = soup.find("a", rel="next")
        if more is None:
            return found, soup
        soup = browser.get(more["href"]).html


def test_the_page_has_the_legend_the_filters_and_the_summary(logged_in, api, token_for):
    soup = logged_in("demo.group").get(REGISTRY).html
    assert [h.get_text(strip=True) for h in soup.find_all("h1")] == ["Clinical Practice Registry"]
    legend = [[td.get_text(" ", strip=True) for td in tr.find_all("td")]
              for tr in soup.select("#registry-legend tbody tr")]
    assert legend == [["Green", "G", "Service Rendered"], ["Yellow", "Y", "Service Needed"],
                      ["Red", "R", "Service Past Due"], ["Gray", "N/A", "Service N/A"]]
    form = soup.find("form", attrs={"method": "get", "action": REGISTRY})
    labels = [label.get_text(strip=True) for label in form.find_all("label")]
    assert labels == ["Select State", "Select Plans", "Select Measures", "Select Criteria", "Select Patient Status",
                      "Select Enrollment Status"]
    criteria = [o.get_text(strip=True) for o in form.find("select", id="criteria").find_all("option")]
    assert criteria == ["All", "Red", "Yellow", "Green"]
    measures = [o.get_text(strip=True) for o in form.find("select", id="measure").find_all("option")]
    assert measures[:4] == ["All", "Adult Access", "Asthma Control", "Beta Blockers"]
    summary = api.get("/reports/registry/summary", token=token_for("demo.group")).data
    shown = {tr.find("th").get_text(strip=True): [td.get_text(" ", strip=True) for td in tr.find_all("td")]
             for tr in soup.select("#registry-summary tbody tr")}
    for measure in summary["measures"]:
        counts = measure["counts"]
        assert shown[measure["name"]] == [
            f"G Service Rendered {counts['GREEN']:,}", f"Y Service Needed {counts['YELLOW']:,}",
            f"R Service Past Due {counts['RED']:,}", f"N/A Service N/A {counts['GRAY']:,}"]
    assert "as of 11/01/2031" in soup.find(id="summary-heading").get_text()


def test_every_cell_shows_its_letter_and_words_never_color_alone(logged_in):
    soup = logged_in("demo.group").get(REGISTRY).html
    rows = table_rows(soup)
    assert rows
    for row in rows:
        for name in MEASURE_NAMES:
            tag = row[name].find(class_="usa-tag")
            letter = tag.find(string=True, recursive=False).strip()
            assert letter in {"G", "Y", "R", "N/A"}
            words = tag.find(class_="usa-sr-only").get_text(strip=True)
            assert words.startswith(f"{name}: Service ")


def test_a_measure_with_the_red_criterion_shows_only_red_rows(logged_in, api, token_for):
    browser = logged_in("demo.group")
    rows, _ = every_row(browser, f"{REGISTRY}?measure=AAP&criteria=RED")
    assert rows
    assert {row["Adult Access"].find(class_="usa-tag").find(string=True, recursive=False).strip()
            for row in rows} == {"R"}
    expected, token = [], None
    while True:
        body = api.get("/reports/registry?measure=AAP&criteria=RED" + (f"&nextToken={token}" if token else ""),
                       token=token_for("demo.group")).data
        expected += [item["memberId"] for item in body["items"]]
        token = body["nextToken"]
        if not token:
            break
    assert [row["Plan Member ID"].get_text(strip=True) for row in rows] == expected


def test_the_filters_narrow_and_keep_their_values_across_pages(logged_in):
    browser = logged_in("demo.group")
    soup = browser.get(f"{REGISTRY}?state=Ohio").html
    assert table_rows(soup) == []
    assert soup.find("select", id="state").find("option", selected=True)["value"] == "Ohio"
    new_only, last = every_row(browser, f"{REGISTRY}?patientStatus=NEW&measure=AAP")
    assert all(row["Patient Status"].get_text(strip=True) == "New" for row in new_only)
    assert last.find("select", id="patientStatus").find("option", selected=True)["value"] == "NEW"
    assert last.find("select", id="measure").find("option", selected=True)["value"] == "AAP"
    assert soup.find(class_="portal-table__total") is None  # no total: the filters apply after the key


@pytest.mark.parametrize(("query", "field", "words"), [
    ("measure=XYZ", "measure", "is not a measure"),
    ("criteria=PURPLE", "criteria", "must be one of"),
    ("patientStatus=OLD", "patientStatus", "must be one of"),
    ("enrollmentStatus=SOMETIMES", "enrollmentStatus", "must be one of"),
])
def test_bad_filter_values_show_the_apis_field_errors(logged_in, query, field, words):
    answer = logged_in("demo.group").get(f"{REGISTRY}?{query}")
    assert answer.status == 200
    soup = answer.html
    assert words in soup.find(id=f"{field}-error").get_text()
    assert soup.find(id="error-summary").find("a", href=f"#{field}") is not None
    assert "usa-form-group--error" in soup.find(id=field).find_parent("div")["class"]
    assert table_rows(soup) == []


def test_a_forged_page_link_shows_the_first_page_with_the_filters_kept(logged_in):
    soup = logged_in("demo.group").get(f"{REGISTRY}?measure=AAP&trail=bm90LWEtdG9rZW4").html
    assert soup.find(id="error-summary") is not None
    assert table_rows(soup)
    assert soup.find("select", id="measure").find("option", selected=True)["value"] == "AAP"


@pytest.mark.parametrize(("query", "field", "words"), [
    ("state=" + "X" * 200, "state", "is not a state of the plan"),
    ("plans=Nope", "plans", "is not a plan on this roster"),
])
def test_an_unknown_state_or_plan_shows_its_error_beside_the_field(logged_in, query, field, words):
    soup = logged_in("demo.group").get(f"{REGISTRY}?{query}").html
    assert words in soup.find(id=f"{field}-error").get_text()
    assert soup.find(id="error-summary").find("a", href=f"#{field}") is not None
    assert table_rows(soup) == []
