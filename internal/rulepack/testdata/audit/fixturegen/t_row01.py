from common import *

K1 = key("5f7a9c1e-3b5d-4f6a-8c0e-2d4f6a8c0e13", "Password", "prod-secret")
K2 = key("8b0d2f4a-6c8e-4a1b-9d3f-5e7a9c1b3d24", "Password", "deploy")
K3 = key("1c3e5a7b-9d0f-4b2c-8e4a-6b8d0f2a4c35", "AsymmetricX509Cert", "CN=hr-connector")
CREDS = "Update application \u2013 Certificates and secrets management "


def cred_audit(t, actor, old, new, activity=CREDS, typ="Application", tid=HR_APP_OID, name="Contoso HR Connector"):
    return Audit(activity, t, actor, [target(typ, tid, name, props=[
        prop("KeyDescription", new, old),
        prop("Included Updated Properties", "KeyDescription", None),
    ])], details=[["User-Agent", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"], ["AppId", HR_APP_ID]])


MSG = "Credential added to Application Contoso HR Connector by alice@contoso.com (Update application - Certificates and secrets management)"
cases = each_format(AUDIT_FORMATS, [cred_audit(WED, ALICE, [K1], [K1, K2])],
                    "a second client secret added during business hours",
                    [{"level": "medium", "count": 1, "message": MSG}])
cases += [
    {"name": "first credential on an application that had none (Sentinel FirstAppOrServicePrincipalCredential)",
     "input": graph_page([cred_audit(WED, ALICE, [], [K2])]),
     "alerts": [{"level": "high", "count": 1}]},
    {"name": "added outside business hours: raised one level",
     "input": azmon_records([cred_audit(SAT, ALICE, [K1], [K1, K3])]),
     "alerts": [{"level": "high", "count": 1}]},
    {"name": "a service principal adds a credential to another service principal",
     "input": ual_ndjson([cred_audit(WED, PIPELINE, [K1], [K1, K3], activity="Add service principal credentials", typ="ServicePrincipal", tid=HR_SP_ID)]),
     "alerts": [{"level": "high", "count": 1, "message": "Credential added to ServicePrincipal Contoso HR Connector by build-pipeline (Add service principal credentials)"}]},
    {"name": "negative: a key removed (the new list adds nothing)",
     "input": graph_page([cred_audit(WED, ALICE, [K1, K2], [K1])]),
     "alerts": []},
    {"name": "negative: the companion Update application entry names KeyDescription but carries no key list",
     "input": la_json([Audit("Update application", WED, ALICE, [target("Application", HR_APP_OID, "Contoso HR Connector", props=[
         prop("Included Updated Properties", "KeyDescription", None)])])]),
     "alerts": []},
    {"name": "negative: another application property changed",
     "input": graph_page([Audit("Update application", WED, ALICE, [target("Application", HR_APP_OID, "Contoso HR Connector", props=[
         prop("DisplayName", ["Contoso HR Connector v2"], ["Contoso HR Connector"]),
         prop("Included Updated Properties", "DisplayName", None)])])]),
     "alerts": []},
    {"name": "real sample (elastic azure-auditlogs): Managed Service Identity rotates a managed identity certificate - allowlisted, no alert",
     "input": real("elastic-integrations/azure-auditlogs/test-audit-logs-sample.log"),
     "alerts": []},
    {"name": "real sample (elastic azure-auditlogs raw): no credential activity",
     "input": real("elastic-integrations/azure-auditlogs/test-auditlogs-raw.log"),
     "alerts": []},
]
write_tests("audit/app_credential_added.tests.yml", cases)
