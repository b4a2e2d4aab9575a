"""The deployed functions' IAM policy is rendered from the template: committed files match, and name its resources."""

from __future__ import annotations

import json

import pytest

from infrastructure.policy import CHALICE_DIR, deployed_stages, policy_text, render_policy
from infrastructure.provision import load_template


@pytest.mark.parametrize("stage", deployed_stages())
def test_the_committed_policy_is_the_rendering_of_the_template(stage: str) -> None:
    committed = (CHALICE_DIR / f"policy-{stage}.json").read_text(encoding="utf-8")
    assert committed == policy_text(stage), "run: python -m infrastructure.policy"


def test_every_table_of_the_template_and_no_other_stage_is_granted() -> None:
    template = load_template()
    tables = {spec["Properties"]["TableName"]["Fn::Sub"].replace("${Stage}", "prod")
              for spec in template["Resources"].values() if spec["Type"] == "AWS::DynamoDB::Table"}
    statement = next(s for s in render_policy("prod")["Statement"] if s["Sid"] == "Tables")
    granted = {arn.split("table/", 1)[1] for arn in statement["Resource"] if not arn.endswith("/index/*")}
    assert granted == tables
    assert "portal-prod-control" in granted
    assert not any("*" in name or "dev" in name for name in granted)


def test_a_table_added_to_the_template_is_granted_without_editing_a_policy() -> None:
    template = load_template()
    template["Resources"]["ExtraTable"] = {"Type": "AWS::DynamoDB::Table",
                                           "Properties": {"TableName": {"Fn::Sub": "portal-${Stage}-extra"}}}
    text = json.dumps(render_policy("dev", template))
    assert "arn:*:dynamodb:*:*:table/portal-dev-extra" in text
