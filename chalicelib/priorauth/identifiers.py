"""The identifier systems this server reads and writes in FHIR (documented in the README and /fhir/metadata).

Providers are named by NPI (``http://hl7.org/fhir/sid/us-npi``), resolved through the provider
directory, or by our own 12-digit provider ID under ``PROVIDER_ID_SYSTEM``. Members by our member ID
under ``MEMBER_ID_SYSTEM`` (an identifier of another system, such as a PAS example's member number,
is read as the member ID printed on the card). Our requests by their number under ``PRIOR_AUTH_SYSTEM``.
"""

NPI_SYSTEM = "http://hl7.org/fhir/sid/us-npi"
PROVIDER_ID_SYSTEM = "urn:portal:provider-id"
MEMBER_ID_SYSTEM = "urn:portal:member-id"
PRIOR_AUTH_SYSTEM = "urn:portal:prior-auth"
RESPONSE_BUNDLE_SYSTEM = "urn:portal:pas-response"
PROVIDER_ID_SYSTEMS = frozenset({PROVIDER_ID_SYSTEM})
