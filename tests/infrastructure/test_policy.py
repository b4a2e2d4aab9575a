"""Each function's IAM policy is rendered from the template and FUNCTIONS: committed files match, and they grant
what the function touches by name, the audit table append-only."""

from __future__ import annotations

import json

import pytest

from infrastructure.policy import (
    APPEND_ACTIONS,
    CHALICE_DIR,
    FUNCTIONS,
    REWRITE_ACTIONS,
    config_text,
    deployed_stages,
    policy_file,
    policy_text,
    render_policy,
)
from infrastructure.provision import load_template

AUDIT_ARN = "arn:*:dynamodb:*:*:table/portal-prod-audit"


def _allowed(policy: dict, resource: str) -> set[str]:
    return {action for statement in policy["Statement"] if statement["Effect"] == "Allow"
            and resource in _list(statement["Resource"]) for action in statement["Action"]}


def _list(value: str | list[str]) -> list[str]:
    return [value] if isinstance(value, str) else value


@pytest.mark.parametrize("stage", deployed_stages())
def test_the_committed_policies_and_config_are_the_rendering(stage: str) -> None:
    for function in FUNCTIONS:
        committed = (CHALICE_DIR / policy_file(stage, function)).read_text(encoding="utf-8")
        assert committed == policy_text(stage, function), "run: python -m infrastructure.policy"
    config = json.loads((CHALICE_DIR / "config.json").read_text(encoding="utf-8"))
    assert (CHALICE_DIR / "config.json").read_text(encoding="utf-8") == config_text()
    assert "iam_policy_file" not in config["stages"][stage]  # no shared policy to fall back on
    functions = config["stages"][stage]["lambda_functions"]
    assert {name: functions[name]["iam_policy_file"] for name in FUNCTIONS} == {
        name: f"policy-{stage}-{name}.json" for name in FUNCTIONS}


def test_every_function_of_the_app_has_a_declared_policy() -> None:
    from app import app

    assert {"api_handler"} | {source.name for source in app.event_sources} == set(FUNCTIONS)


@pytest.mark.parametrize("function", FUNCTIONS)
def test_no_function_may_rewrite_the_audit_table(function: str) -> None:
    policy = render_policy("prod", function)
    assert _allowed(policy, AUDIT_ARN) <= set(APPEND_ACTIONS)
    [deny] = [s for s in policy["Statement"] if s["Effect"] == "Deny"]
    assert set(deny["Action"]) == set(REWRITE_ACTIONS) == {
        "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:BatchWriteItem"}
    assert AUDIT_ARN in deny["Resource"]


def test_the_api_appends_to_the_audit_table_and_writes_every_other_table() -> None:
    policy = render_policy("prod", "api_handler")
    assert _allowed(policy, AUDIT_ARN) == set(APPEND_ACTIONS)
    tables = {spec["Properties"]["TableName"]["Fn::Sub"].replace("${Stage}", "prod")
              for spec in load_template()["Resources"].values() if spec["Type"] == "AWS::DynamoDB::Table"}
    for table in tables - {"portal-prod-audit"}:
        assert "dynamodb:UpdateItem" in _allowed(policy, f"arn:*:dynamodb:*:*:table/{table}"), table
    assert "ses:SendEmail" not in json.dumps(policy)


def test_an_event_handler_gets_only_what_it_declares() -> None:
    policy = render_policy("prod", "sweep_email_outbox")
    text = json.dumps(policy)
    assert _allowed(policy, "arn:*:dynamodb:*:*:table/portal-prod-outbox") >= {"dynamodb:Query",
                                                                               "dynamodb:DeleteItem"}
    assert "portal-prod-members" not in text
    assert "portal-prod-documents" not in text
    assert _allowed(policy, "arn:*:sqs:*:*:portal-prod-email-outbox") >= {"sqs:SendMessage"}


@pytest.mark.parametrize("function", FUNCTIONS)
def test_logs_and_email_are_scoped_to_the_functions_own_group_and_the_sender(function: str) -> None:
    policy = render_policy("prod", function)
    for statement in policy["Statement"]:
        services = {action.split(":")[0] for action in statement["Action"]}
        if services & {"logs", "ses"}:
            for resource in _list(statement["Resource"]):
                named = resource.split(":", 5)[5].removesuffix(":*")  # the streams of a named group are its own
                assert "*" not in named, resource
    [logs] = [s for s in policy["Statement"] if s["Sid"] == "OwnLogs"]
    assert logs["Resource"] == f"arn:*:logs:*:*:log-group:/aws/lambda/provider-portal-prod-{function}:*"
    email = [s for s in policy["Statement"] if "ses:SendEmail" in s["Action"]]
    if function == "send_queued_emails":
        assert email[0]["Resource"] == "arn:*:ses:*:*:identity/no-reply@portal.example.org"
    else:
        assert email == []


def test_a_table_added_to_the_template_is_granted_to_the_api_without_editing_a_policy() -> None:
    template = load_template()
    template["Resources"]["ExtraTable"] = {"Type": "AWS::DynamoDB::Table",
                                           "Properties": {"TableName": {"Fn::Sub": "portal-${Stage}-extra"}}}
    assert "arn:*:dynamodb:*:*:table/portal-dev-extra" in json.dumps(render_policy("dev", "api_handler", template))
    assert "portal-dev-extra" not in json.dumps(render_policy("dev", "send_queued_emails", template))
