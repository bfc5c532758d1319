"""One Entra sign-in in the Microsoft Graph signIn shape (beta: signInEventTypes, originalTransferMethod,
sessionId, autonomousSystemNumber), rendered in every export format of the sign-in kind:

  - Graph auditLogs/signIns pages ({"@odata.context", "value": [...]}),
  - Azure Monitor diagnostic records ({"records": [...]}, category from the stream, resultType a string,
    properties = the signIn without signInEventTypes, userType "Member"),
  - Log Analytics JSON (PascalCase columns, Type = the table, ResultType a string, some dynamic columns as
    JSON text as the query API returns them),
  - Log Analytics CSV (the portal's "Export to CSV": "TimeGenerated [UTC]", dynamic columns as JSON text),
  - UAL AzureActiveDirectoryStsLogon (RecordType 15, UserLoggedIn / UserLoginFailed, ErrorNumber a string).

Layouts follow internal/normalize/testdata/entra/crossformat (one sign-in in all five formats) and the real
samples in shared/data/public (elastic-integrations, Microsoft docs, O365 STS logon events). Log Analytics
tables have no sessionId / originalTransferMethod columns (azure-reference-other SigninLogs and
AADNonInteractiveUserSignInLogs includes), so those rows do not carry them; AADServicePrincipalSignInLogs
rows carry only that table's documented columns (no ASN, user agent or authentication details).
"""
from common import TENANT, WORKSPACE, det_uuid, jdump, t7, t7off, tla_csv, csv_text


class User:
    def __init__(self, upn, oid, display):
        self.upn, self.id, self.display = upn, oid, display


class App:
    def __init__(self, appid, name):
        self.id, self.name = appid, name


class SP:
    """A service principal signing in with its own credential."""

    def __init__(self, spid, appid, name, key_id=None, cred="clientSecret"):
        self.id, self.appid, self.name, self.key_id, self.cred = spid, appid, name, key_id, cred


ALICE = User("alice@contoso.com", "4a8e1c3f-6b2d-4e9a-8f7c-1d5b3a9e2c60", "Alice Example")
BOB = User("bob@contoso.com", "7c1e3a5b-2d4f-4a6c-8e0b-9d1f3b5c7e24", "Bob Example")

OFFICE = App("d3590ed6-52b3-4102-aeff-aad2292ab01c", "Microsoft Office")
OFFICEHOME = App("4765445b-32c6-49b0-83e6-1d93765276ca", "OfficeHome")
BROKER = App("29d9ed98-a469-4536-ade2-f981bc1d605e", "Microsoft Authentication Broker")
AZCLI = App("04b07795-8ddb-461a-bbee-02f9e1bf7b46", "Microsoft Azure CLI")
EVILAPP = App("e5c1a7b3-9d4f-4e2a-8b6c-0f3d5a7c9e12", "Mail Sync Pro")

GRAPH = App("00000003-0000-0000-c000-000000000000", "Microsoft Graph")
EXO = App("00000002-0000-0ff1-ce00-000000000000", "Office 365 Exchange Online")
SPO = App("00000003-0000-0ff1-ce00-000000000000", "Office 365 SharePoint Online")
AADGRAPH = App("00000002-0000-0000-c000-000000000000", "Windows Azure Active Directory")
ARM = App("797f4846-ba00-4fd7-ba43-dac1f8f63013", "Windows Azure Service Management API")
RES_SP = {GRAPH.id: "6f2c8b1e-3a4d-4c5e-9f7a-8b0d2e4c6a18", EXO.id: "0b3e5c7a-9d1f-4a2b-8c4e-6f8a0b2c4d16",
          SPO.id: "1c4e6a8b-0d2f-4b3c-9d5e-7f9b1c3d5e27", AADGRAPH.id: "2d5f7b9c-1e3a-4c4d-8e6f-8a0c2d4e6f38",
          ARM.id: "3e6a8c0d-2f4b-4d5e-9f7a-9b1d3e5f7a49", OFFICEHOME.id: "4f7b9d1e-3a5c-4e6f-8a8b-0c2e4f6a8b50"}

EDGE = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0"
OUTLOOK = "Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.18129; Pro)"

# (failureReason of Graph / Azure Monitor / Log Analytics, LogonError of UAL): Microsoft identity platform
# error-code reference (reference-error-codes), names as UAL writes them (InvalidUserNameOrPassword in the
# public O365 samples).
ERRORS = {
    0: ("", ""),
    50053: ("Account is locked because user tried to sign in too many times with an incorrect user ID or password.", "IdsLocked"),
    50055: ("The password is expired.", "InvalidPasswordExpiredPassword"),
    50074: ("Strong Authentication is required.", "UserStrongAuthClientAuthNRequiredInterrupt"),
    50076: ("Due to a configuration change made by your administrator, or because you moved to a new location, you must use multi-factor authentication to access the resource.", "UserStrongAuthClientAuthNRequired"),
    50126: ("Error validating credentials due to invalid username or password.", "InvalidUserNameOrPassword"),
    53003: ("Access has been blocked by Conditional Access policies. The access policy does not allow token issuance.", "BlockedByConditionalAccess"),
    70016: ("OAuth 2.0 device flow error. Authorization is pending. Continue polling.", "AuthorizationPending"),
    70008: ("The provided authorization code or refresh token has expired due to inactivity.", "ExpiredOrRevokedGrant"),
    65004: ("User declined to consent to access the app.", "UserDeclinedConsent"),
    500121: ("Authentication failed during strong authentication request.", "AuthenticationFailedDuringStrongAuthRequest"),
}

CATEGORY = {"interactiveUser": "SignInLogs", "nonInteractiveUser": "NonInteractiveUserSignInLogs",
            "servicePrincipal": "ServicePrincipalSignInLogs", "managedIdentity": "ManagedIdentitySignInLogs"}
TABLE = {"interactiveUser": "SigninLogs", "nonInteractiveUser": "AADNonInteractiveUserSignInLogs",
         "servicePrincipal": "AADServicePrincipalSignInLogs", "managedIdentity": "AADManagedIdentitySignInLogs"}

# Sites: (countryOrRegion, state, city, latitude, longitude, ASN).
SITES = {
    "NL": ("NL", "Noord-Holland", "Amsterdam", 52.37403, 4.88969, 64500),
    "DE": ("DE", "Hessen", "Frankfurt am Main", 50.11552, 8.68417, 64501),
    "US": ("US", "Washington", "Redmond", 47.67399, -122.12151, 64502),
    "BR": ("BR", "Sao Paulo", "Sao Paulo", -23.5475, -46.63611, 64510),
    "RU": ("RU", "Moscow", "Moscow", 55.75222, 37.61556, 64511),
    "SG": ("SG", "Singapore", "Singapore", 1.28967, 103.85007, 64512),
    "NG": ("NG", "Lagos", "Lagos", 6.45407, 3.39467, 64513),
    "VN": ("VN", "Ho Chi Minh", "Ho Chi Minh City", 10.82302, 106.62965, 64514),
}


def password_step(t, ok=True):
    return {"authenticationStepDateTime": t7(t), "authenticationMethod": "Password",
            "authenticationMethodDetail": "Password in the cloud", "succeeded": ok,
            "authenticationStepResultDetail": "Correct password" if ok else "Invalid username or password or Invalid on-premise username or password.",
            "authenticationStepRequirement": "Primary authentication"}


def push_step(t, detail, ok=False):
    return {"authenticationStepDateTime": t7(t), "authenticationMethod": "Mobile app notification",
            "authenticationMethodDetail": "", "succeeded": ok, "authenticationStepResultDetail": detail,
            "authenticationStepRequirement": "MFA"}


def claim_step(t):
    return {"authenticationStepDateTime": t7(t), "authenticationMethod": "Previously satisfied",
            "authenticationMethodDetail": "", "succeeded": True,
            "authenticationStepResultDetail": "MFA requirement satisfied by claim in the token",
            "authenticationStepRequirement": "MFA"}


def token_step(t):
    return {"authenticationStepDateTime": t7(t), "authenticationMethod": "Previously satisfied",
            "authenticationMethodDetail": "", "succeeded": True,
            "authenticationStepResultDetail": "First factor requirement satisfied by claim in the token",
            "authenticationStepRequirement": "Primary authentication"}


class SignIn:
    def __init__(self, t, user, app, resource, ip, code=0, details=None, stream="interactiveUser", ua=EDGE,
                 req="singleFactorAuthentication", steps=None, site="NL", asn=None, client="Browser",
                 protocol="none", transfer=None, session=None, risk="none", risk_agg=None, risk_state="none",
                 ca="notApplied", sp=None, incoming="none", n=0, reason=None):
        self.t, self.user, self.app, self.resource, self.ip = t, user, app, resource, ip
        self.code, self.details, self.stream, self.ua, self.req = code, details, stream, ua, req
        self.site = SITES[site]
        self.asn = asn if asn is not None else self.site[5]
        self.client, self.protocol, self.transfer = client, protocol, transfer
        self.session = session if session is not None else det_uuid("session", t, ip, n)
        self.risk, self.risk_agg, self.risk_state = risk, risk_agg or risk, risk_state
        self.ca, self.sp, self.incoming = ca, sp, incoming
        self.reason = reason if reason is not None else ERRORS[code][0]
        self.id = det_uuid("signin", t, ip, user.upn if user else sp.id, app.id, code, n)[:-4] + "2400"
        self.corr = det_uuid("corr", self.id)
        if steps is None:
            if stream == "nonInteractiveUser":
                steps = [token_step(t)]
            elif stream in ("servicePrincipal", "managedIdentity"):
                steps = []
            else:
                steps = [password_step(t, code not in (50126,))]
        self.steps = steps

    # ---- Graph signIn (beta) ----
    def status(self):
        st = {"errorCode": self.code}
        if self.reason:
            st["failureReason"] = self.reason
        if self.details:
            st["additionalDetails"] = self.details
        return st

    def location(self):
        c, s, city, lat, lon, _ = self.site
        return {"city": city, "state": s, "countryOrRegion": c, "geoCoordinates": {"latitude": lat, "longitude": lon}}

    def device(self):
        if self.stream in ("servicePrincipal", "managedIdentity"):
            return {"deviceId": "", "displayName": "", "operatingSystem": "", "browser": "", "isCompliant": False, "isManaged": False, "trustType": ""}
        browser = "Edge 131.0.0" if "Edg/" in self.ua else ("Rich Client 16.0.18129" if "Microsoft Office" in self.ua else "")
        return {"deviceId": "", "displayName": "", "operatingSystem": "Windows10" if "Windows" in self.ua else "",
                "browser": browser, "isCompliant": False, "isManaged": False, "trustType": ""}

    def graph(self, beta=True):
        u, sp = self.user, self.sp
        interactive = self.stream == "interactiveUser"
        d = {"id": self.id, "createdDateTime": t7(self.t),
             "userDisplayName": u.display if u else None, "userPrincipalName": u.upn if u else None,
             "userId": u.id if u else None, "appId": self.app.id, "appDisplayName": self.app.name,
             "ipAddress": self.ip, "clientAppUsed": self.client, "userAgent": self.ua if u else None,
             "correlationId": self.corr, "conditionalAccessStatus": self.ca, "originalRequestId": self.id,
             "isInteractive": interactive, "tokenIssuerName": "", "tokenIssuerType": "AzureAD",
             "processingTimeInMilliseconds": 187, "riskDetail": "none", "riskLevelAggregated": self.risk_agg,
             "riskLevelDuringSignIn": self.risk, "riskState": self.risk_state,
             "riskEventTypes_v2": ["unfamiliarFeatures"] if self.risk not in ("none", "hidden") else [],
             "resourceDisplayName": self.resource.name, "resourceId": self.resource.id,
             "resourceServicePrincipalId": RES_SP.get(self.resource.id, "5a8c0e2f-4b6d-4f7a-9b1c-3d5f7a9b1c60"),
             "resourceTenantId": TENANT, "homeTenantId": TENANT,
             "authenticationMethodsUsed": [], "authenticationRequirement": self.req,
             "authenticationProtocol": self.protocol, "incomingTokenType": self.incoming,
             "signInIdentifier": u.upn if u else "", "signInIdentifierType": "userPrincipalName" if u else None,
             "servicePrincipalId": sp.id if sp else "", "servicePrincipalName": sp.name if sp else "",
             "userType": "member", "crossTenantAccessType": "none", "autonomousSystemNumber": self.asn,
             "uniqueTokenIdentifier": det_uuid("uti", self.id).replace("-", "")[:22],
             "sessionId": self.session if u else "",
             "status": self.status(), "deviceDetail": self.device(), "location": self.location(),
             "appliedConditionalAccessPolicies": [],
             "authenticationProcessingDetails": [{"key": "Login Hint Present", "value": "True"}] if u else [{"key": "Azure AD App Authentication Library", "value": "Family: MSAL Library: MSAL.Python 1.31.0 Platform: Python"}],
             "networkLocationDetails": [], "authenticationDetails": self.steps,
             "authenticationRequirementPolicies": []}
        if sp:
            d["clientCredentialType"] = sp.cred
            d["servicePrincipalCredentialKeyId"] = sp.key_id or ""
            d["managedIdentityType"] = "none"
        if self.transfer:
            d["originalTransferMethod"] = self.transfer
        if beta:
            d["signInEventTypes"] = [self.stream]
        return d

    # ---- Azure Monitor diagnostic record ----
    def azmon(self):
        props = self.graph(beta=False)
        props["createdDateTime"] = t7off(self.t)
        props["userType"] = "Member"
        if not self.user:
            props.pop("sessionId", None)
        rec = {"time": t7(self.t), "resourceId": "/tenants/" + TENANT + "/providers/Microsoft.aadiam",
               "operationName": "Sign-in activity", "operationVersion": "1.0", "category": CATEGORY[self.stream],
               "tenantId": TENANT, "resultType": str(self.code),
               "resultSignature": "None" if self.code else "SUCCESS",
               "resultDescription": self.reason or "", "durationMs": 0, "callerIpAddress": self.ip,
               "correlationId": self.corr, "identity": self.user.display if self.user else self.sp.name,
               "Level": 4, "location": self.site[0], "properties": props}
        return rec

    # ---- Log Analytics row ----
    def la_row(self):
        g = self.graph(beta=False)
        if self.stream == "servicePrincipal":
            return self.la_sp_row(g)
        row = {"TenantId": WORKSPACE, "SourceSystem": "Azure AD", "TimeGenerated": t7(self.t),
               "ResourceId": "/tenants/" + TENANT + "/providers/Microsoft.aadiam",
               "OperationName": "Sign-in activity", "OperationVersion": "1.0", "Category": CATEGORY[self.stream],
               "ResultType": str(self.code), "ResultSignature": "None", "ResultDescription": self.reason or "",
               "DurationMs": 0, "CorrelationId": self.corr, "Resource": "Microsoft.aadiam",
               "ResourceGroup": "Microsoft.aadiam", "ResourceProvider": "Microsoft.aadiam",
               "Identity": self.user.display, "Level": "4", "Location": self.site[0],
               "AppDisplayName": g["appDisplayName"], "AppId": g["appId"],
               "AuthenticationDetails": jdump(g["authenticationDetails"]), "AuthenticationMethodsUsed": "[]",
               "AuthenticationProcessingDetails": jdump(g["authenticationProcessingDetails"]),
               "AuthenticationProtocol": g["authenticationProtocol"],
               "AuthenticationRequirement": g["authenticationRequirement"], "AuthenticationRequirementPolicies": "[]",
               "AutonomousSystemNumber": str(g["autonomousSystemNumber"]), "ClientAppUsed": g["clientAppUsed"],
               "ConditionalAccessPolicies": [], "ConditionalAccessStatus": g["conditionalAccessStatus"],
               "CreatedDateTime": t7(self.t), "CrossTenantAccessType": "none", "DeviceDetail": g["deviceDetail"],
               "HomeTenantId": TENANT, "Id": self.id, "IPAddress": self.ip,
               "IsInteractive": g["isInteractive"], "IsRisky": self.risk in ("high", "medium"),
               "LocationDetails": g["location"], "NetworkLocationDetails": "[]", "OriginalRequestId": self.id,
               "ProcessingTimeInMilliseconds": "187", "ResourceDisplayName": g["resourceDisplayName"],
               "ResourceIdentity": g["resourceId"], "ResourceServicePrincipalId": g["resourceServicePrincipalId"],
               "ResourceTenantId": TENANT, "RiskDetail": "none", "RiskEventTypes": "[]",
               "RiskEventTypes_V2": jdump(g["riskEventTypes_v2"]), "RiskLevelAggregated": self.risk_agg,
               "RiskLevelDuringSignIn": self.risk, "RiskState": self.risk_state, "ServicePrincipalId": "",
               "ServicePrincipalName": "", "SignInIdentifier": self.user.upn,
               "SignInIdentifierType": "userPrincipalName", "Status": g["status"], "TokenIssuerName": "",
               "TokenIssuerType": "AzureAD", "UniqueTokenIdentifier": g["uniqueTokenIdentifier"],
               "UserAgent": g["userAgent"], "UserDisplayName": self.user.display, "UserId": self.user.id,
               "UserPrincipalName": self.user.upn, "UserType": "Member", "Type": TABLE[self.stream]}
        return row

    def la_sp_row(self, g):
        # Columns of AADServicePrincipalSignInLogs (azure-reference-other aadserviceprincipalsigninlogs-include).
        sp = self.sp
        return {"TenantId": WORKSPACE, "SourceSystem": "Azure AD", "TimeGenerated": t7(self.t),
                "OperationName": "Sign-in activity", "OperationVersion": "1.0", "Category": "ServicePrincipalSignInLogs",
                "ResultType": str(self.code), "ResultSignature": "None", "ResultDescription": self.reason or "",
                "DurationMs": 0, "CorrelationId": self.corr, "ResourceGroup": "Microsoft.aadiam",
                "Identity": sp.name, "Level": "4", "Location": self.site[0], "AppId": sp.appid,
                "AuthenticationContextClassReferences": "[]",
                "AuthenticationProcessingDetails": jdump(g["authenticationProcessingDetails"]),
                "ConditionalAccessPolicies": "[]", "ConditionalAccessStatus": self.ca, "FederatedCredentialId": "",
                "Id": self.id, "IPAddress": self.ip, "LocationDetails": jdump(g["location"]),
                "ResourceDisplayName": self.resource.name, "ResourceIdentity": self.resource.id,
                "ResourceServicePrincipalId": g["resourceServicePrincipalId"],
                "ServicePrincipalCredentialKeyId": sp.key_id or "", "ServicePrincipalCredentialThumbprint": "",
                "ServicePrincipalId": sp.id, "ServicePrincipalName": sp.name,
                "UniqueTokenIdentifier": g["uniqueTokenIdentifier"], "Type": "AADServicePrincipalSignInLogs"}

    # ---- UAL AzureActiveDirectoryStsLogon ----
    def ual(self):
        u = self.user
        ok = self.code == 0
        rec = {"CreationTime": self.t, "Id": det_uuid("ual", self.id), "Operation": "UserLoggedIn" if ok else "UserLoginFailed",
               "OrganizationId": TENANT, "RecordType": 15, "ResultStatus": "Success" if ok else "Failed",
               "UserKey": u.id, "UserType": 0, "Version": 1, "Workload": "AzureActiveDirectory", "ClientIP": self.ip,
               "ObjectId": self.resource.id, "UserId": u.upn, "AzureActiveDirectoryEventType": 1,
               "ExtendedProperties": [{"Name": "ResultStatusDetail", "Value": "Success" if ok else "Redirect"},
                                      {"Name": "UserAgent", "Value": self.ua},
                                      {"Name": "RequestType", "Value": "OAuth2:Authorize" if ok else "Login:login"}],
               "ModifiedProperties": [], "Actor": [{"ID": u.id, "Type": 0}, {"ID": u.upn, "Type": 5}],
               "ActorContextId": TENANT, "ActorIpAddress": self.ip, "InterSystemsId": self.corr,
               "IntraSystemId": self.id, "SupportTicketId": "", "Target": [{"ID": self.resource.id, "Type": 0}],
               "TargetContextId": TENANT, "ApplicationId": self.app.id}
        if not ok:
            rec["ErrorNumber"] = str(self.code)
            rec["LogonError"] = ERRORS[self.code][1]
        return rec


# ---- renderers: a list of SignIn → file text ----
def graph_page(recs):
    return "{\"@odata.context\":\"https://graph.microsoft.com/beta/$metadata#auditLogs/signIns\",\"value\":[\n" + \
        ",\n".join(jdump(r.graph()) for r in recs) + "\n]}\n"


def azmon_records(recs):
    return "{\"records\":[\n" + ",\n".join(jdump(r.azmon()) for r in recs) + "\n]}\n"


def azmon_ndjson(recs):
    return "".join(jdump(r.azmon()) + "\n" for r in recs)


def la_json(recs):
    return "[\n" + ",\n".join(jdump(r.la_row()) for r in recs) + "\n]\n"


LA_COLS = ["TenantId", "SourceSystem", "TimeGenerated [UTC]", "ResourceId", "OperationName", "OperationVersion",
           "Category", "ResultType", "ResultSignature", "ResultDescription", "DurationMs", "CorrelationId", "Resource",
           "ResourceGroup", "ResourceProvider", "Identity", "Level", "Location", "AppDisplayName", "AppId",
           "AuthenticationDetails", "AuthenticationMethodsUsed", "AuthenticationProcessingDetails",
           "AuthenticationProtocol", "AuthenticationRequirement", "AuthenticationRequirementPolicies",
           "AutonomousSystemNumber", "ClientAppUsed", "ConditionalAccessPolicies", "ConditionalAccessStatus",
           "CreatedDateTime [UTC]", "CrossTenantAccessType", "DeviceDetail", "HomeTenantId", "Id", "IPAddress",
           "IsInteractive", "IsRisky", "LocationDetails", "NetworkLocationDetails", "OriginalRequestId",
           "ProcessingTimeInMilliseconds", "ResourceDisplayName", "ResourceIdentity", "ResourceServicePrincipalId",
           "ResourceTenantId", "RiskDetail", "RiskEventTypes", "RiskEventTypes_V2", "RiskLevelAggregated",
           "RiskLevelDuringSignIn", "RiskState", "ServicePrincipalId", "ServicePrincipalName", "SignInIdentifier",
           "SignInIdentifierType", "Status", "TokenIssuerName", "TokenIssuerType", "UniqueTokenIdentifier",
           "UserAgent", "UserDisplayName", "UserId", "UserPrincipalName", "UserType", "Type"]


def csv_cell(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (list, dict)):
        return jdump(v)
    return "" if v is None else str(v)


def la_csv(recs):
    """One table per export: the portal exports one query result, so all rows share the header (the
    service-principal table has its own columns)."""
    cols = LA_COLS
    if recs and all(r.stream == "servicePrincipal" for r in recs):
        cols = ["TimeGenerated [UTC]" if k == "TimeGenerated" else k for k in recs[0].la_row()]
    rows = []
    for r in recs:
        row = r.la_row()
        out = []
        for c in cols:
            if c in ("TimeGenerated [UTC]", "CreatedDateTime [UTC]"):
                out.append(tla_csv(r.t))
            else:
                out.append(csv_cell(row.get(c)))
        rows.append(out)
    return csv_text(cols, rows)


def ual_ndjson(recs):
    return "".join(jdump(r.ual()) + "\n" for r in recs)


FORMATS = [
    ("Graph signIns page", graph_page),
    ("Azure Monitor records", azmon_records),
    ("Log Analytics JSON", la_json),
    ("Log Analytics CSV", la_csv),
    ("UAL STS logon", ual_ndjson),
]
ENTRA_ONLY = FORMATS[:4]
