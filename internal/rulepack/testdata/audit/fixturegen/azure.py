"""Key Vault AuditEvent and Azure Activity fixtures in every export format."""
from fmt import *

SUB = "a921d5d4-bdb7-43c3-aa01-88c6ae24992f"
RG = "security-rg"
VAULT = "contoso-kv"
VAULT_ID = f"/SUBSCRIPTIONS/{SUB.upper()}/RESOURCEGROUPS/{RG.upper()}/PROVIDERS/MICROSOFT.KEYVAULT/VAULTS/{VAULT.upper()}"
CLAIM_OID = "http://schemas.microsoft.com/identity/claims/objectidentifier"
CLAIM_UPN = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn"
CLAIM_NAME = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name"


class Caller:
    def __init__(self, oid, upn=None, appid="04b07795-8ddb-461a-bbee-02f9e1bf7b46", ip="203.0.113.45", name=None):
        self.oid, self.upn, self.appid, self.ip, self.name = oid, upn, appid, ip, name


class KV:
    def __init__(self, op, t, caller, secret=None, result="Success", long_claims=False, added_policy=None, ms=0, status=200,
                 client="azsdk-python-keyvault-secrets/4.7.0 Python/3.11.8 (Linux-6.5.0-x86_64-with-glibc2.35)"):
        self.op, self.t, self.c, self.secret, self.result = op, t, caller, secret, result
        self.long, self.added, self.ms, self.status, self.client = long_claims, added_policy, ms, status, client
        self.corr = det_uuid("kv", op, t, caller.oid, secret or "")

    def tstr(self):
        d = parse_t(self.t)
        return d.strftime("%Y-%m-%dT%H:%M:%S") + f".{self.ms:03d}4567Z"

    def claims(self):
        c = {}
        if self.long:
            c[CLAIM_OID] = self.c.oid
            if self.c.upn:
                c[CLAIM_UPN] = self.c.upn
            c["appid"] = self.c.appid
        else:
            c["oid"] = self.c.oid
            c["appid"] = self.c.appid
            if self.c.upn:
                c["upn"] = self.c.upn
                c["scp"] = "user_impersonation"
            c["ipaddr"] = self.c.ip
        return c

    def ids(self):
        if self.secret:
            kind = "secrets" if self.op.startswith("Secret") else ("keys" if self.op.startswith("Key") else "certificates")
            sid = f"https://{VAULT}.vault.azure.net/{kind}/{self.secret}/{det_uuid('ver', self.secret).replace('-', '')}"
            uri = f"https://{VAULT}.vault.azure.net/{kind}/{self.secret}/?api-version=7.4"
        else:
            sid = f"https://{VAULT}.vault.azure.net/"
            uri = f"https://northeurope.management.vault.azure.net/subscriptions/{SUB}/resourceGroups/{RG}/providers/Microsoft.KeyVault/vaults/{VAULT}?api-version=2022-07-01"
        return sid, uri

    def record(self):
        sid, uri = self.ids()
        props = {"id": sid, "clientInfo": self.client, "httpStatusCode": self.status, "requestUri": uri, "isAccessPolicyMatch": True}
        if self.added:
            props["addedAccessPolicy"] = self.added
        return {"time": self.tstr(), "category": "AuditEvent", "operationName": self.op, "resultType": self.result,
                "correlationId": self.corr, "callerIpAddress": self.c.ip, "identity": {"claim": self.claims()},
                "properties": props, "resourceId": VAULT_ID, "operationVersion": "7.4",
                "resultSignature": "OK" if self.result == "Success" else "Forbidden", "durationMs": 9}

    def azdiag(self):
        sid, uri = self.ids()
        row = {"TenantId": WORKSPACE, "TimeGenerated": self.tstr(), "ResourceId": VAULT_ID, "Category": "AuditEvent",
               "ResourceGroup": RG.upper(), "SubscriptionId": SUB, "ResourceProvider": "MICROSOFT.KEYVAULT",
               "Resource": VAULT.upper(), "ResourceType": "VAULTS", "OperationName": self.op, "ResultType": self.result,
               "CorrelationId": self.corr, "ResultSignature": "OK" if self.result == "Success" else "Forbidden",
               "ResultDescription": "", "DurationMs": 9, "CallerIPAddress": self.c.ip, "OperationVersion": "7.4"}
        if self.long:
            row["identity_claim_http_schemas_microsoft_com_identity_claims_objectidentifier_g"] = self.c.oid
            if self.c.upn:
                row["identity_claim_http_schemas_xmlsoap_org_ws_2005_05_identity_claims_upn_s"] = self.c.upn
            row["identity_claim_appid_g"] = self.c.appid
        else:
            row["identity_claim_oid_g"] = self.c.oid
            row["identity_claim_appid_g"] = self.c.appid
            if self.c.upn:
                row["identity_claim_upn_s"] = self.c.upn
            row["identity_claim_ipaddr_s"] = self.c.ip
        row.update({"id_s": sid, "clientInfo_s": self.client, "httpStatusCode_d": self.status, "requestUri_s": uri,
                    "isAccessPolicyMatch_b": True})
        if self.added:
            row["addedAccessPolicy_ObjectId_g"] = self.added["ObjectId"]
            row["addedAccessPolicy_TenantId_g"] = self.added["TenantId"]
            row["addedAccessPolicy_Permissions_keys_s"] = jdump(self.added["Permissions"]["keys"])
            row["addedAccessPolicy_Permissions_secrets_s"] = jdump(self.added["Permissions"]["secrets"])
            row["addedAccessPolicy_Permissions_certificates_s"] = jdump(self.added["Permissions"]["certificates"])
        row.update({"SourceSystem": "Azure", "Type": "AzureDiagnostics",
                    "_ResourceId": VAULT_ID.lower()})
        return row

    def azkv(self):
        sid, uri = self.ids()
        props = {}
        if self.added:
            props["addedAccessPolicy"] = self.added
        return {"TenantId": WORKSPACE, "TimeGenerated": self.tstr(), "OperationName": self.op, "OperationVersion": "7.4",
                "ResultType": self.result, "ResultSignature": "OK" if self.result == "Success" else "Forbidden",
                "ResultDescription": "", "DurationMs": 9, "CallerIpAddress": self.c.ip, "CorrelationId": self.corr,
                "Identity": {"claim": self.claims()}, "Properties": props, "Id": sid, "ClientInfo": self.client,
                "HttpStatusCode": self.status, "RequestUri": uri, "IsAccessPolicyMatch": True, "IsRbacAuthorized": False,
                "SourceSystem": "Azure", "Type": "AZKVAuditLogs", "_ResourceId": VAULT_ID.lower()}


def kv_records(evs):
    return "{\"records\":[\n" + ",\n".join(jdump(e.record()) for e in evs) + "\n]}\n"


def kv_azdiag_json(evs):
    return "[\n" + ",\n".join(jdump(e.azdiag()) for e in evs) + "\n]\n"


def kv_azdiag_csv(evs):
    rows = [e.azdiag() for e in evs]
    cols = []
    for r in rows:
        for k in r:
            if k not in cols:
                cols.append(k)
    out = []
    for e, r in zip(evs, rows):
        line = []
        for c in cols:
            if c == "TimeGenerated":
                line.append(tla_csv(e.t))
                continue
            v = r.get(c, "")
            line.append("True" if v is True else ("False" if v is False else str(v)))
        out.append(line)
    return csv_text([c + " [UTC]" if c == "TimeGenerated" else c for c in cols], out)


def kv_azkv_json(evs):
    return "[\n" + ",\n".join(jdump(e.azkv()) for e in evs) + "\n]\n"


KV_FORMATS = [
    ("Azure Monitor AuditEvent records", kv_records),
    ("Log Analytics AzureDiagnostics JSON", kv_azdiag_json),
    ("Log Analytics AzureDiagnostics CSV", kv_azdiag_csv),
    ("Log Analytics AZKVAuditLogs JSON", kv_azkv_json),
]


# ---------------- Azure Activity ----------------
class Act:
    def __init__(self, op, t, caller, resource_id, status="Succeeded", request=None, result_type=None, event_name="EndRequest",
                 evidence_role="Owner"):
        self.op, self.t, self.c, self.rid, self.status = op, t, caller, resource_id, status
        self.request, self.evidence_role = request, evidence_role
        self.result_type = result_type or {"Succeeded": "Success", "Started": "Start", "Failed": "Failure"}[status]
        self.event_name = event_name
        self.corr = det_uuid("act", op, resource_id)
        self.edi = det_uuid("edi", op, t, resource_id, status)

    def claims(self):
        c = {"aud": "https://management.core.windows.net/", "iss": f"https://sts.windows.net/{TENANT}/",
             "appid": self.c.appid, "appidacr": "2", "ipaddr": self.c.ip, CLAIM_OID: self.c.oid,
             "http://schemas.microsoft.com/identity/claims/tenantid": TENANT, "ver": "1.0"}
        if self.c.upn:
            c["name"] = self.c.name or self.c.upn
            c[CLAIM_UPN] = self.c.upn
            c[CLAIM_NAME] = self.c.upn
        return c

    def authorization(self):
        return {"scope": self.rid.lower(), "action": self.op.replace("MICROSOFT.", "Microsoft.").lower() if False else self.op,
                "evidence": {"role": self.evidence_role, "roleAssignmentScope": f"/subscriptions/{SUB}",
                             "roleAssignmentId": det_uuid("ra", self.c.oid).replace("-", ""),
                             "roleDefinitionId": "8e3af657a8ff443ca75c2fe8c4bcb635",
                             "principalId": self.c.oid.replace("-", ""), "principalType": "User" if self.c.upn else "ServicePrincipal"}}

    def props(self):
        p = {"eventCategory": "Administrative", "entity": self.rid.lower(), "message": self.op,
             "hierarchy": f"{TENANT}/{SUB}"}
        if self.request is not None:
            p = {"requestbody": jdump(self.request), **p}
        if self.status == "Succeeded":
            p = {"statusCode": "Created" if self.request is not None else "OK", "serviceRequestId": det_uuid("srq", self.edi), **p}
        return p

    def caller_name(self):
        return self.c.upn or self.c.oid

    def eventhub(self):
        return {"time": t7(self.t), "resourceId": self.rid.upper(), "operationName": self.op.upper(), "category": "Administrative",
                "resultType": self.result_type, "resultSignature": {"Succeeded": "Succeeded.Created", "Started": "Started.", "Failed": "Failed.Forbidden"}[self.status],
                "durationMs": "0", "callerIpAddress": self.c.ip, "correlationId": self.corr,
                "identity": {"authorization": self.authorization(), "claims": self.claims()}, "level": "Information",
                "location": "global", "properties": self.props()}

    def la(self):
        return {"TenantId": WORKSPACE, "SourceSystem": "Azure", "CallerIpAddress": self.c.ip, "CategoryValue": "Administrative",
                "CorrelationId": self.corr, "Authorization": jdump(self.authorization()), "Authorization_d": self.authorization(),
                "Claims": jdump(self.claims()), "Claims_d": self.claims(), "Level": "Informational",
                "OperationNameValue": self.op.upper(), "Properties": jdump(self.props()), "Properties_d": self.props(),
                "Caller": self.caller_name(), "EventDataId": self.edi, "EventSubmissionTimestamp": t7(self.t),
                "HTTPRequest": jdump({"clientRequestId": det_uuid("crq", self.edi), "clientIpAddress": self.c.ip, "method": "PUT"}),
                "OperationId": det_uuid("op", self.corr), "ResourceGroup": self.rid.split("/")[4].upper() if "/resourcegroups/" in self.rid.lower() else "",
                "ResourceProviderValue": self.rid.split("/providers/")[-1].split("/")[0].upper(), "ActivityStatusValue": self.status,
                "ActivitySubstatusValue": "Created" if self.status == "Succeeded" else "", "Hierarchy": f"{TENANT}/{SUB}",
                "TimeGenerated": t7(self.t), "SubscriptionId": SUB, "OperationName": "Create role assignment",
                "ActivityStatus": "Succeeded", "ActivitySubstatus": "", "Category": "Administrative", "ResourceId": self.rid.upper(),
                "Type": "AzureActivity", "_ResourceId": self.rid.lower()}

    def rest(self):
        prov = self.rid.split("/providers/")[-1].split("/")[0]
        return {"authorization": {"action": self.op, "scope": self.rid}, "caller": self.caller_name(), "channels": "Operation",
                "claims": self.claims(), "correlationId": self.corr, "description": "", "eventDataId": self.edi,
                "eventName": {"value": self.event_name, "localizedValue": "End request"},
                "category": {"value": "Administrative", "localizedValue": "Administrative"},
                "eventTimestamp": t7(self.t), "id": self.rid + "/events/" + self.edi + "/ticks/638669000000000000",
                "level": "Informational", "operationId": det_uuid("op", self.corr),
                "operationName": {"value": self.op, "localizedValue": self.op},
                "resourceGroupName": self.rid.split("/")[4] if "/resourcegroups/" in self.rid.lower() else "",
                "resourceProviderName": {"value": prov, "localizedValue": prov},
                "resourceType": {"value": "/".join(self.rid.split("/providers/")[-1].split("/")[0:2]), "localizedValue": ""},
                "resourceId": self.rid, "status": {"value": self.status, "localizedValue": self.status},
                "subStatus": {"value": "Created" if self.status == "Succeeded" else "", "localizedValue": ""},
                "submissionTimestamp": t7(self.t), "subscriptionId": SUB, "tenantId": TENANT,
                "properties": {k: (v if isinstance(v, str) else jdump(v)) for k, v in self.props().items()}, "relatedEvents": []}


def act_eventhub(evs):
    return "{\"records\":[\n" + ",\n".join(jdump(e.eventhub()) for e in evs) + "\n]}\n"


def act_la_json(evs):
    return "[\n" + ",\n".join(jdump(e.la()) for e in evs) + "\n]\n"


def act_la_csv(evs):
    rows = [e.la() for e in evs]
    cols = [c for c in rows[0] if not c.endswith("_d")]
    out = []
    for e, r in zip(evs, rows):
        line = []
        for c in cols:
            if c in ("TimeGenerated", "EventSubmissionTimestamp"):
                line.append(tla_csv(e.t))
                continue
            v = r.get(c, "")
            line.append(v if isinstance(v, str) else jdump(v))
        out.append(line)
    return csv_text([c + " [UTC]" if c in ("TimeGenerated", "EventSubmissionTimestamp") else c for c in cols], out)


def act_rest(evs):
    return "{\"value\":[\n" + ",\n".join(jdump(e.rest()) for e in evs) + "\n]}\n"


ACT_FORMATS = [
    ("Azure Monitor activity log records", act_eventhub),
    ("Log Analytics AzureActivity JSON", act_la_json),
    ("Log Analytics AzureActivity CSV", act_la_csv),
    ("Azure REST API activity log events", act_rest),
]
