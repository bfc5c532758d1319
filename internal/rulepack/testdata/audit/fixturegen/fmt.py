"""Fixture generator for idsentry rule tests: one Graph directoryAudit record
rendered in every export format of the Entra audit kind, plus M365 UAL,
Key Vault, Azure Activity and app-inventory helpers."""
import csv, io, json, datetime, hashlib, uuid

TENANT = "7f3c2a91-5b4e-4d8a-9c1f-2e6b8d0a4f53"
WORKSPACE = "e3a1c5b7-9d2f-4b6a-8c0e-1f3d5b7a9c24"


def det_uuid(*parts):
    h = hashlib.sha256("|".join(str(p) for p in parts).encode()).hexdigest()
    return str(uuid.UUID(h[:32]))


def jdump(v):
    return json.dumps(v, ensure_ascii=False, separators=(",", ":"))


def parse_t(t):
    return datetime.datetime.strptime(t, "%Y-%m-%dT%H:%M:%S").replace(tzinfo=datetime.timezone.utc)


def t7(t):
    return parse_t(t).strftime("%Y-%m-%dT%H:%M:%S") + ".1234567Z"


def t7off(t):
    return parse_t(t).strftime("%Y-%m-%dT%H:%M:%S") + ".1234567+00:00"


def tla_csv(t):
    d = parse_t(t)
    h = d.hour % 12 or 12
    ampm = "AM" if d.hour < 12 else "PM"
    return f"{d.month}/{d.day}/{d.year}, {h}:{d.minute:02d}:{d.second:02d}.123 {ampm}"


class User:
    def __init__(self, upn, oid, ip="203.0.113.7", puid="10032001A4F7C2D9", display=None):
        self.upn, self.id, self.ip, self.puid, self.display = upn, oid, ip, puid, display


class App:
    def __init__(self, name, spid, appid=None):
        self.name, self.spid, self.appid = name, spid, appid


def prop(name, new, old=None, raw=False):
    """A modifiedProperty. Values are Python values JSON-encoded as Entra
    does (strings quoted, lists as JSON arrays); raw=True keeps text as is
    (JSON objects written as text, e.g. ConditionalAccessPolicy)."""
    return {"name": name, "new": new, "old": old, "raw": raw}


def enc(v, raw):
    if v is None:
        return None
    if raw:
        return v
    return jdump(v)


def ual_enc(v, raw):
    if v is None:
        return ""
    if raw:
        return v
    if isinstance(v, str):
        return v
    return json.dumps(v, indent=2, ensure_ascii=False).replace("\n", "\r\n")


def target(typ, tid, display=None, upn=None, props=()):
    return {"type": typ, "id": tid, "display": display, "upn": upn, "props": list(props)}


class Audit:
    def __init__(self, activity, t, actor, targets, category="ApplicationManagement", service="Core Directory",
                 optype="Update", result="success", reason="", details=None, corr=None, ua="Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0"):
        self.activity, self.t, self.actor, self.targets = activity, t, actor, targets
        self.category, self.service, self.optype = category, service, optype
        self.result, self.reason = result, reason
        self.details = details if details is not None else [["User-Agent", ua]]
        self.corr = corr or det_uuid("corr", activity, t, targets[0]["id"] if targets else "")
        self.id = "Directory_" + self.corr + "_K3L9M_" + str(int(hashlib.sha256((activity + t).encode()).hexdigest()[:8], 16) % 900000000 + 100000000)
        self.ualid = det_uuid("ual", activity, t)

    # ---- Graph directoryAudit ----
    def initiated(self, la=False):
        a = self.actor
        if isinstance(a, User):
            u = {"id": a.id, "displayName": a.display, "userPrincipalName": a.upn, "ipAddress": a.ip}
            if la:
                u["roles"] = []
            return {"user": u}
        return {"app": {"appId": a.appid, "displayName": a.name, "servicePrincipalId": a.spid, "servicePrincipalName": None}}

    def graph_targets(self, admin_units=False):
        out = []
        for tr in self.targets:
            o = {"id": tr["id"], "displayName": tr["display"], "type": tr["type"], "userPrincipalName": tr["upn"],
                 "groupType": None,
                 "modifiedProperties": [{"displayName": p["name"], "oldValue": enc(p["old"], p["raw"]), "newValue": enc(p["new"], p["raw"])} for p in tr["props"]]}
            if admin_units:
                o["administrativeUnits"] = []
            out.append(o)
        return out

    def graph_details(self):
        return [{"key": k, "value": v} for k, v in self.details]

    def graph(self):
        return {"id": self.id, "category": self.category, "correlationId": self.corr, "result": self.result,
                "resultReason": self.reason, "activityDisplayName": self.activity, "activityDateTime": t7(self.t),
                "loggedByService": self.service, "operationType": self.optype, "initiatedBy": self.initiated(),
                "userAgent": None, "targetResources": self.graph_targets(), "additionalDetails": self.graph_details()}

    def caller_ip(self):
        return self.actor.ip if isinstance(self.actor, User) else None

    def actor_name(self):
        return self.actor.display or self.actor.upn if isinstance(self.actor, User) else self.actor.name

    def azmon(self):
        props = {"id": self.id, "category": self.category, "correlationId": self.corr, "result": self.result,
                 "resultReason": self.reason, "activityDisplayName": self.activity, "activityDateTime": t7off(self.t),
                 "loggedByService": self.service, "operationType": self.optype, "userAgent": None,
                 "initiatedBy": self.initiated(), "targetResources": self.graph_targets(True),
                 "additionalDetails": self.graph_details()}
        rec = {"time": t7(self.t), "resourceId": "/tenants/" + TENANT + "/providers/Microsoft.aadiam",
               "operationName": self.activity, "operationVersion": "1.0", "category": "AuditLogs",
               "tenantId": TENANT, "resultSignature": "None", "durationMs": 0}
        if self.caller_ip():
            rec["callerIpAddress"] = self.caller_ip()
        rec.update({"correlationId": self.corr, "identity": self.actor_name(), "Level": 4, "properties": props})
        return rec

    def la_row(self):
        return {"TenantId": WORKSPACE, "SourceSystem": "Azure AD", "TimeGenerated": t7(self.t),
                "ResourceId": "/tenants/" + TENANT + "/providers/Microsoft.aadiam", "OperationName": self.activity,
                "OperationVersion": "1.0", "Category": self.category, "ResultType": "", "ResultSignature": "None",
                "ResultDescription": "", "DurationMs": 0, "CorrelationId": self.corr, "Resource": "Microsoft.aadiam",
                "ResourceGroup": "Microsoft.aadiam", "ResourceProvider": "Microsoft.aadiam",
                "Identity": self.actor_name(), "Level": "4", "Location": "EU",
                "AdditionalDetails": self.graph_details(), "Id": self.id, "InitiatedBy": self.initiated(True),
                "LoggedByService": self.service, "Result": self.result, "ResultReason": self.reason,
                "TargetResources": self.graph_targets(True), "AADOperationType": self.optype,
                "ActivityDateTime": t7(self.t), "ActivityDisplayName": self.activity, "AADTenantId": TENANT,
                "Type": "AuditLogs"}

    def ual(self):
        a = self.actor
        if isinstance(a, User):
            actor = [{"ID": a.upn, "Type": 5}, {"ID": a.puid, "Type": 3}, {"ID": "User_" + a.id, "Type": 2},
                     {"ID": a.id, "Type": 2}, {"ID": "User", "Type": 2}]
            user_id, user_key, user_type = a.upn, a.puid + "@" + a.upn.split("@")[1], 0
        else:
            actor = [{"ID": a.name, "Type": 1}, {"ID": "ServicePrincipal_" + a.spid, "Type": 2},
                     {"ID": a.spid, "Type": 2}, {"ID": "ServicePrincipal", "Type": 2}]
            if a.appid:
                actor.append({"ID": a.appid, "Type": 4})
            user_id, user_key, user_type = "ServicePrincipal_" + a.spid, "Not Available", 4
        tgt = []
        obj = ""
        if self.targets:
            tr = self.targets[0]
            tgt = [{"ID": tr["type"] + "_" + tr["id"], "Type": 2}, {"ID": tr["id"], "Type": 2}, {"ID": tr["type"], "Type": 2}]
            if tr["upn"]:
                tgt.append({"ID": tr["upn"], "Type": 5})
                obj = tr["upn"]
            elif tr["display"]:
                tgt.append({"ID": tr["display"], "Type": 1})
                obj = tr["display"]
        mods = []
        for tr in self.targets:
            for p in tr["props"]:
                mods.append({"Name": p["name"], "NewValue": ual_enc(p["new"], p["raw"]), "OldValue": ual_enc(p["old"], p["raw"])})
        det = {k: v for k, v in self.details}
        rec = {"CreationTime": self.t, "Id": self.ualid, "Operation": self.activity + ".", "OrganizationId": TENANT,
               "RecordType": 8, "ResultStatus": "Success" if self.result == "success" else "Failure",
               "UserKey": user_key, "UserType": user_type, "Version": 1, "Workload": "AzureActiveDirectory"}
        if isinstance(a, User):
            rec["ClientIP"] = a.ip
        rec.update({"ObjectId": obj, "UserId": user_id, "AzureActiveDirectoryEventType": 1,
                    "ExtendedProperties": [{"Name": "additionalDetails", "Value": jdump(det)},
                                           {"Name": "extendedAuditEventCategory", "Value": self.targets[0]["type"] if self.targets else "Other"}],
                    "ModifiedProperties": mods, "Actor": actor, "ActorContextId": TENANT})
        if isinstance(a, User):
            rec["ActorIpAddress"] = a.ip
        rec.update({"InterSystemsId": self.corr, "IntraSystemId": det_uuid("intra", self.ualid), "SupportTicketId": "",
                    "Target": tgt, "TargetContextId": TENANT})
        return rec


# ---- renderers: a list of Audit → file text ----
def graph_page(recs):
    return "{\"@odata.context\":\"https://graph.microsoft.com/v1.0/$metadata#auditLogs/directoryAudits\",\"value\":[\n" + \
        ",\n".join(jdump(r.graph()) for r in recs) + "\n]}\n"


def azmon_records(recs):
    return "{\"records\":[\n" + ",\n".join(jdump(r.azmon()) for r in recs) + "\n]}\n"


def azmon_ndjson(recs):
    return "".join(jdump(r.azmon()) + "\n" for r in recs)


def la_json(recs):
    return "[\n" + ",\n".join(jdump(r.la_row()) for r in recs) + "\n]\n"


LA_AUDIT_COLS = ["TenantId", "SourceSystem", "TimeGenerated [UTC]", "ResourceId", "OperationName", "OperationVersion",
                 "Category", "ResultType", "ResultSignature", "ResultDescription", "DurationMs", "CorrelationId",
                 "Resource", "ResourceGroup", "ResourceProvider", "Identity", "Level", "Location", "AdditionalDetails",
                 "Id", "InitiatedBy", "LoggedByService", "Result", "ResultReason", "TargetResources",
                 "AADOperationType", "ActivityDateTime [UTC]", "ActivityDisplayName", "AADTenantId", "Type"]


def csv_text(cols, rows):
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(cols)
    for r in rows:
        w.writerow(r)
    return buf.getvalue()


def la_csv(recs):
    rows = []
    for r in recs:
        row = r.la_row()
        out = []
        for c in LA_AUDIT_COLS:
            if c == "TimeGenerated [UTC]" or c == "ActivityDateTime [UTC]":
                out.append(tla_csv(r.t))
                continue
            v = row[c]
            if isinstance(v, (list, dict)):
                v = jdump(v)
            out.append("" if v is None else str(v))
        rows.append(out)
    return csv_text(LA_AUDIT_COLS, rows)


def ual_ndjson(recs):
    return "".join(jdump(r.ual()) + "\n" for r in recs)


def purview_csv(recs):
    cols = ["RecordId", "CreationDate", "RecordType", "Operation", "UserId", "AuditData", "AssociatedAdminUnits", "AssociatedAdminUnitsNames"]
    rows = []
    for r in recs:
        u = r.ual() if hasattr(r, "ual") else r
        rows.append([u["Id"], u["CreationTime"] + ".0000000Z", str(u["RecordType"]), u["Operation"], u["UserId"], jdump(u), "", ""])
    return csv_text(cols, rows)


AUDIT_FORMATS = [
    ("Graph directoryAudits page", graph_page),
    ("Azure Monitor AuditLogs records", azmon_records),
    ("Log Analytics AuditLogs JSON", la_json),
    ("Log Analytics AuditLogs CSV", la_csv),
    ("UAL AzureActiveDirectory record", ual_ndjson),
]
