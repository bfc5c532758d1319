from common import *


def application(name, oid, appid, created, secrets=(), certs=(), web=(), spa=(), public=(), publisher="contoso.onmicrosoft.com"):
    return {
        "id": oid, "deletedDateTime": None, "appId": appid, "applicationTemplateId": None, "createdDateTime": created,
        "displayName": name, "description": None, "identifierUris": ["api://" + appid], "isFallbackPublicClient": False,
        "notes": None, "publisherDomain": publisher, "signInAudience": "AzureADMyOrg", "tags": [],
        "api": {"requestedAccessTokenVersion": 2, "oauth2PermissionScopes": [], "preAuthorizedApplications": []},
        "appRoles": [],
        "keyCredentials": [{"customKeyIdentifier": "52B0E5F8C1D27A3B9E4F60718293A4B5C6D7E8F9", "displayName": n, "endDateTime": e, "key": None,
                            "keyId": k, "startDateTime": s, "type": "AsymmetricX509Cert", "usage": "Verify"} for (k, n, s, e) in certs],
        "passwordCredentials": [{"customKeyIdentifier": None, "displayName": n, "endDateTime": e, "hint": "Qx~", "keyId": k,
                                 "secretText": None, "startDateTime": s} for (k, n, s, e) in secrets],
        "publicClient": {"redirectUris": list(public)},
        "requiredResourceAccess": [],
        "spa": {"redirectUris": list(spa)},
        "web": {"homePageUrl": None, "logoutUrl": None, "redirectUris": list(web),
                "implicitGrantSettings": {"enableAccessTokenIssuance": False, "enableIdTokenIssuance": False}},
    }


def page(objs, what="applications"):
    return json.dumps({"@odata.context": f"https://graph.microsoft.com/v1.0/$metadata#{what}", "value": objs}, indent=1) + "\n"


SHORT = ("0f1e2d3c-4b5a-4968-8776-655443322110", "ci pipeline", "2026-06-01T09:30:20Z", "2026-11-28T09:30:20Z")   # 180 days
LONG_SECRET = ("4a6c8e0b-2d4f-4a6b-8c0d-1e3f5a7c9b24", "backdoor", "2026-11-21T01:36:00Z", "2031-11-21T01:36:00Z")  # 5 years
CERT_2Y = ("a9b8c7d6-e5f4-4a3b-9c2d-1e0f9a8b7c6d", "CN=hr-connector", "2025-01-15T09:30:20Z", "2027-01-15T09:30:20Z")  # 730 days

hr = lambda **kw: application("Contoso HR Connector", HR_APP_OID, HR_APP_ID, "2024-03-04T08:00:00Z", **kw)

cases = [
    {"name": "five-year client secret (Graph /applications page): high",
     "input": page([hr(secrets=[SHORT, LONG_SECRET])]),
     "alerts": [{"level": "high", "count": 1, "message": "Contoso HR Connector (" + HR_APP_ID + ") holds a credential valid for longer than 180 days"}]},
    {"name": "two-year certificate: medium",
     "input": page([hr(certs=[CERT_2Y])]), "alerts": [{"level": "medium", "count": 1}]},
    {"name": "service principal with a long-lived secret (Graph /servicePrincipals page)",
     "input": page([{"id": HR_SP_ID, "accountEnabled": True, "appDisplayName": "Contoso HR Connector", "appId": HR_APP_ID,
                     "appOwnerOrganizationId": TENANT, "displayName": "Contoso HR Connector", "servicePrincipalType": "Application",
                     "servicePrincipalNames": [HR_APP_ID], "replyUrls": [], "keyCredentials": [],
                     "passwordCredentials": [{"customKeyIdentifier": None, "displayName": "sp secret", "endDateTime": "2027-11-18T10:00:00Z", "hint": "a1b",
                                              "keyId": "6c8e0a2b-4d6f-4b8c-9e1a-3b5d7f9a1c46", "secretText": None, "startDateTime": "2026-11-18T10:00:00Z"}]}],
                   "servicePrincipals"),
     "alerts": [{"level": "medium", "count": 1}]},
    {"name": "negative: every credential within 180 days",
     "input": page([hr(secrets=[SHORT])]), "alerts": []},
    {"name": "negative: application without credentials",
     "input": page([hr()]), "alerts": []},
    {"name": "normalizer fixture (Graph docs shapes): a 3-year secret and a 1-year certificate",
     "input": open(REPO + "/internal/normalize/testdata/other/app_inventory/applications-page.json").read(),
     "alerts": [{"level": "high", "count": 1}]},
]
write_tests("inventory/credential_lifetime_beyond_policy.tests.yml", cases)

cases = [
    {"name": "redirect URI on an App Service host and a lapsed vendor domain",
     "input": page([hr(web=["https://hr.contoso.onmicrosoft.com/signin-oidc", "https://hr-connector-old.azurewebsites.net/signin-oidc"])]),
     "alerts": [{"level": "high", "count": 1}]},
    {"name": "single-page-application redirect URI on a foreign domain",
     "input": page([hr(spa=["https://hr-portal.example.org/"])]), "alerts": [{"level": "high", "count": 1}]},
    {"name": "negative: redirect URIs under the publisher domain, localhost and a mobile scheme",
     "input": page([hr(web=["https://hr.contoso.onmicrosoft.com/signin-oidc", "http://localhost:5001/signin-oidc"],
                       public=["msauth.com.contoso.hr://auth"])]),
     "alerts": []},
    {"name": "negative: service principal reply URLs are the vendor's (not an app registration)",
     "input": page([{"id": HR_SP_ID, "appId": HR_APP_ID, "displayName": "Vendor App", "servicePrincipalType": "Application",
                     "appOwnerOrganizationId": "f8cdef31-a31e-4b4a-93e4-5f571e91255a", "servicePrincipalNames": [HR_APP_ID],
                     "replyUrls": ["https://login.vendor.example/cb"], "keyCredentials": [], "passwordCredentials": []}], "servicePrincipals"),
     "alerts": []},
    {"name": "normalizer fixture (Graph docs shapes): App Service redirect URIs",
     "input": open(REPO + "/internal/normalize/testdata/other/app_inventory/applications-page.json").read(),
     "alerts": [{"level": "high", "count": 1}]},
]
write_tests("inventory/dangling_redirect_uri.tests.yml", cases)
