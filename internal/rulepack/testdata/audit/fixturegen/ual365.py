"""Microsoft 365 unified audit log (Exchange) fixtures in every export format."""
from fmt import *

ORG = "contoso.onmicrosoft.com"
RT_NAMES = {1: "ExchangeAdmin", 2: "ExchangeItem", 50: "ExchangeItemAggregated"}
UT_NAMES = {0: "Regular", 2: "Admin", 5: "Application"}


class Exo:
    def __init__(self, op, t, user, params=None, record_type=1, user_type=2, client_ip="203.0.113.45:50312", result="True",
                 object_id=None, extra=None):
        self.op, self.t, self.user, self.params = op, t, user, params or []
        self.rt, self.ut, self.ip, self.result = record_type, user_type, client_ip, result
        self.object_id = object_id if object_id is not None else f"EURPR04A001.prod.outlook.com/Microsoft Exchange Hosted Organizations/{ORG}/{user.split('@')[0]}"
        self.extra = extra or {}
        self.id = det_uuid("exo", op, t, user)

    def ual(self):
        r = {"CreationTime": self.t, "Id": self.id, "Operation": self.op, "OrganizationId": TENANT, "RecordType": self.rt}
        if self.result is not None:
            r["ResultStatus"] = self.result
        r.update({"UserKey": "10032001A5B3C7D9", "UserType": self.ut, "Version": 1, "Workload": "Exchange",
                  "ClientIP": self.ip, "ObjectId": self.object_id, "UserId": self.user})
        if self.rt == 1:
            r.update({"AppId": "00000002-0000-0ff1-ce00-000000000000", "ClientAppId": "", "ExternalAccess": False,
                      "OrganizationName": ORG, "OriginatingServer": "AM0PR04MB6411 (15.20.7362.010)",
                      "Parameters": [{"Name": k, "Value": v} for k, v in self.params], "SessionId": det_uuid("sess", self.user)})
        r.update(self.extra)
        return r

    def office(self):
        u = self.ual()
        row = {"TenantId": WORKSPACE, "SourceSystem": "OfficeActivityManager", "TimeGenerated": self.t + "Z",
               "RecordType": RT_NAMES[self.rt], "Operation": self.op, "OrganizationId": TENANT,
               "UserType": UT_NAMES[self.ut], "UserKey": u["UserKey"], "OfficeWorkload": "Exchange",
               "ResultStatus": u.get("ResultStatus", ""), "OfficeObjectId": u["ObjectId"], "UserId": self.user, "ClientIP": self.ip}
        for k, v in u.items():
            if k in ("CreationTime", "Id", "Operation", "OrganizationId", "RecordType", "ResultStatus", "UserKey", "UserType",
                     "Version", "Workload", "ClientIP", "ObjectId", "UserId"):
                continue
            if k == "ClientIPAddress":
                k = "Client_IPAddress"
            if k == "LogonType":
                k = "Logon_Type"
            row[k] = v if isinstance(v, (str, int, bool)) else jdump(v)
        row.update({"OfficeId": self.id, "OfficeTenantId": TENANT, "SourceRecordId": self.id, "Type": "OfficeActivity"})
        return row


def mail_access(t, owner, client_app, app_id="00000003-0000-0000-c000-000000000000", ip="45.76.200.14",
                info="Client=REST;Client=RESTSystem;;", count=12):
    return Exo("MailItemsAccessed", t, owner, record_type=50, user_type=0, client_ip=ip, result="Succeeded",
               object_id="", extra={
                   "AppId": app_id, "ClientAppId": client_app, "ClientIPAddress": ip, "ClientInfoString": info,
                   "ExternalAccess": False, "InternalLogonType": 0, "LogonType": 0,
                   "LogonUserSid": "S-1-5-21-1004336348-1177238915-682003330-512",
                   "MailboxGuid": det_uuid("mbx", owner), "MailboxOwnerSid": "S-1-5-21-1004336348-1177238915-682003330-512",
                   "MailboxOwnerUPN": owner, "OperationProperties": [{"Name": "MailAccessType", "Value": "Bind"}, {"Name": "IsThrottled", "Value": "False"}],
                   "OrganizationName": ORG, "OriginatingServer": "AM0PR04MB6411 (15.20.7362.010)",
                   "Folders": [{"FolderItems": [{"InternetMessageId": f"<{det_uuid('msg', owner, i)}@AM0PR04MB6411.eurprd04.prod.outlook.com>"} for i in range(2)],
                                "Id": "LgAAAAAVyO4cbAn3RqkSRLgtNuSUAQDM6I9jv2dnR6FDDBvQ2kSSAAAAAAEMAAAB", "Path": "\\Inbox"}],
                   "OperationCount": count, "SessionId": det_uuid("sess", owner, client_app),
                   "AppAccessContext": {"AADSessionId": det_uuid("aad", owner), "ClientAppId": client_app,
                                        "IssuedAtTime": t, "UniqueTokenId": "Xk3vR8bQ0E2wT6nYp1LmAA"}})


def exo_ndjson(evs):
    return "".join(jdump(e.ual()) + "\n" for e in evs)


def exo_blob(evs):
    return "[\n" + ",\n".join(jdump(e.ual()) for e in evs) + "\n]\n"


def exo_purview(evs):
    cols = ["RecordId", "CreationDate", "RecordType", "Operation", "UserId", "AuditData", "AssociatedAdminUnits", "AssociatedAdminUnitsNames"]
    return csv_text(cols, [[e.id, e.t + ".0000000Z", str(e.rt), e.op, e.user, jdump(e.ual()), "", ""] for e in evs])


def exo_la_json(evs):
    return "[\n" + ",\n".join(jdump(e.office()) for e in evs) + "\n]\n"


def exo_la_csv(evs):
    rows = [e.office() for e in evs]
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


EXO_FORMATS = [
    ("Management Activity API content blob", exo_blob),
    ("Purview audit search CSV", exo_purview),
    ("Log Analytics OfficeActivity JSON", exo_la_json),
    ("Log Analytics OfficeActivity CSV", exo_la_csv),
]
