"""The API's OpenAPI document; serving it calls no AWS (``offline_api`` checks)."""


def test_every_chalice_route_is_documented_and_nothing_else(offline_api):
    from app import app

    document = offline_api.get("/openapi.json").data
    documented = {(path, method.upper()) for path, operations in document["paths"].items() for method in operations}
    routed = {(path, method) for path, methods in app.routes.items() for method in methods}
    assert routed == documented


def test_request_and_response_bodies_have_real_schemas(offline_api):
    document = offline_api.get("/openapi.json").data
    register = document["paths"]["/auth/register"]["post"]
    schema_name = register["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    schema = document["components"]["schemas"][schema_name]
    assert {"providerType", "taxId", "providerId", "zipCode", "acceptAgreement", "username", "password", "email",
            "securityQuestion", "securityAnswer"} <= set(schema["required"])
    assert schema["additionalProperties"] is False
    assert set(register["responses"]) >= {"201", "400", "404", "409"}
    me = document["paths"]["/me"]["get"]
    assert me["security"] == [{"bearer": []}]
    me_schema = document["components"]["schemas"]["MeResponse"]
    assert "providers" in me_schema["properties"]


def test_every_operation_names_its_errors_with_the_error_schema(offline_api):
    document = offline_api.get("/openapi.json").data
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            assert operation["summary"], (path, method)
            for status, response in operation["responses"].items():
                if status.startswith("4") and path.startswith("/fhir/"):
                    ref = response["content"]["application/fhir+json"]["schema"]["$ref"]
                    assert ref.endswith("/OperationOutcome"), (path, method, status)
                elif status.startswith("4"):
                    ref = response["content"]["application/json"]["schema"]["$ref"]
                    assert ref.endswith("/ErrorBody"), (path, method, status)


def test_prior_auth_routes_are_documented_as_they_answer(offline_api):
    document = offline_api.get("/openapi.json").data
    extension = document["paths"]["/review/prior-auths/{authorizationNumber}/extension"]["post"]
    body = extension["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    assert set(document["components"]["schemas"][body]["required"]) == {"days", "reason"}
    assert set(extension["responses"]) >= {"200", "400", "403", "404", "409"}
    search = document["paths"]["/prior-auths"]["get"]
    assert "servicing" in {parameter["name"] for parameter in search["parameters"]}
    metadata = document["paths"]["/fhir/metadata"]["get"]
    assert "security" not in metadata
    assert "application/fhir+json" in metadata["responses"]["200"]["content"]
    operation = document["paths"]["/fhir/Claim/{operation}"]["post"]
    assert set(operation["requestBody"]["content"]) == {"application/fhir+json", "application/json"}
    assert set(operation["responses"]) >= {"200", "400", "401", "404", "409", "413", "415"}
    assert "OperationOutcome" in operation["responses"]["415"]["content"]["application/fhir+json"]["schema"]["$ref"]


def test_eligibility_is_a_get_by_id_and_a_post_with_the_search_in_the_body(api):
    document = api.get("/openapi.json").data
    operations = document["paths"]["/members/eligibility"]
    get_parameters = {parameter["name"] for parameter in operations["get"]["parameters"]}
    assert {"memberId", "medicaidId", "dateOfService"} <= get_parameters
    assert "POST /members/eligibility" in operations["get"]["description"]
    body = operations["post"]["requestBody"]["content"]["application/json"]["schema"]
    schema = document["components"]["schemas"][body["$ref"].rsplit("/", 1)[-1]] if "$ref" in body else body
    assert {"lastName", "firstName", "birthDate", "dateOfService", "memberId"} <= set(schema["properties"])
    assert "200" in operations["post"]["responses"]


def test_the_throttled_account_routes_document_429_with_retry_after(offline_api):
    paths = offline_api.get("/openapi.json").data["paths"]
    for path in ("/auth/login", "/auth/register", "/auth/forgot-password", "/auth/resend-activation",
                 "/auth/reset-password", "/auth/activate"):
        throttled = paths[path]["post"]["responses"]["429"]
        assert throttled["description"] == "Too many requests", path
        assert throttled["headers"]["Retry-After"]["schema"]["type"] == "integer", path


def test_the_two_step_login_is_documented(offline_api):
    document = offline_api.get("/openapi.json").data
    schemas = document["components"]["schemas"]
    login = document["paths"]["/auth/login"]["post"]
    answer = login["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    assert {ref["$ref"].rsplit("/", 1)[1] for ref in schemas[answer]["anyOf"]} == {"LoginResponse",
                                                                                   "MfaChallengeResponse"}
    assert set(schemas["MfaChallengeResponse"]["required"]) == {"mfaRequired", "challenge", "expiresAt"}
    assert "mfaEnrolmentRequired" in schemas["LoginResponse"]["properties"]
    assert "POST /auth/login/mfa" in login["description"]
    step = document["paths"]["/auth/login/mfa"]["post"]
    body = step["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    assert set(schemas[body]["required"]) == {"challenge", "code"}
    assert "rememberDevice" in schemas[body]["properties"]
    assert set(step["responses"]) >= {"200", "400", "401", "429"}
    for path, method in (("/me/mfa/enrolment", "post"), ("/me/mfa/enrolment/confirm", "post"),
                         ("/users/{username}/mfa-reset", "post"), ("/review/accounts/{username}/mfa-reset", "post")):
        assert document["paths"][path][method]["security"] == [{"bearer": []}], path
