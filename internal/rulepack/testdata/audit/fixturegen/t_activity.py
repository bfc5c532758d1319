from common import *
from azure import *

ALEX = Caller("30a6c29d-de7c-4830-815f-9b3bb366e975", "alex.wilber@contoso.com", appid="c44b4083-3bb0-49c1-b47d-974e53cbdf3c", ip="203.0.113.45", name="Alex Wilber")
SP_ASSIGNEE = "9d8c7b6a-5f4e-4d3c-2b1a-0f9e8d7c6b5a"
RA = "7f3a9c1e-2b4d-4e6f-8a0b-1c2d3e4f5a6b"
OWNER = "8e3af657-a8ff-443c-a75c-2fe8c4bcb635"
CONTRIB = "b24988ac-6180-42a0-ab88-20f7382dd24c"
READER = "acdd72a7-3385-48ef-bd42-f606fba81ae7"
KV_ID = f"/subscriptions/{SUB}/resourceGroups/{RG}/providers/Microsoft.KeyVault/vaults/{VAULT}"


def ra(t, role, ptype="ServicePrincipal", scope=None, status="Started", pid=SP_ASSIGNEE, ra_id=RA):
    scope = scope or f"/subscriptions/{SUB}"
    rid = f"{scope}/providers/Microsoft.Authorization/roleAssignments/{ra_id}"
    body = {"Id": ra_id, "Properties": {"PrincipalId": pid, "PrincipalType": ptype,
                                        "RoleDefinitionId": f"/subscriptions/{SUB}/providers/Microsoft.Authorization/roleDefinitions/{role}",
                                        "Scope": scope, "Condition": None, "ConditionVersion": None}}
    return Act("Microsoft.Authorization/roleAssignments/write", t, ALEX, rid, status=status, request=body,
               event_name="BeginRequest" if status == "Started" else "EndRequest")


cases = each_format(ACT_FORMATS, [ra(WED, CONTRIB)], "Contributor on the subscription for a service principal", [{"level": "high", "count": 1}])
cases += [
    {"name": "start and success events of one assignment: one alert",
     "input": act_eventhub([ra(WED, OWNER), ra("2026-11-18T10:15:04", OWNER, status="Succeeded")]), "alerts": [{"level": "high", "count": 2}]},
    {"name": "Reader for a service principal: medium",
     "input": act_eventhub([ra(WED, READER)]), "alerts": [{"level": "medium", "count": 1}]},
    {"name": "Reader outside business hours: high",
     "input": act_la_json([ra(SAT, READER)]), "alerts": [{"level": "high", "count": 1}]},
    {"name": "negative: role assigned to a user",
     "input": act_eventhub([ra(WED, OWNER, ptype="User", pid="22222222-3333-4444-5555-666666666666")]), "alerts": []},
    {"name": "negative: failed assignment",
     "input": act_eventhub([ra(WED, OWNER, status="Failed")]), "alerts": []},
    {"name": "real samples (Panther Azure.MonitorActivity): three role assignments in the request body, two to service principals",
     "input": real("panther-analysis/Azure_MonitorActivity.ndjson", [115, 116, 117]),
     "alerts": [{"level": "high", "count": 1}, {"level": "medium", "count": 1}]},
]
cases.append({"name": "real sample, whole file (Panther Azure.MonitorActivity, 241 records): lines 115 (Owner to a service principal: high) and 117 (Storage Blob Data Owner to a service principal: medium); the elevate-access and user assignments do not match",
              "input_file": "testdata/panther-azure-monitor-activity.ndjson", "alerts": [{"level": "high", "count": 1}, {"level": "medium", "count": 1}]})
write_tests("activity/sp_rbac_role_assigned.tests.yml", cases)

pol = Act("Microsoft.KeyVault/vaults/accessPolicies/write", WED, ALEX, KV_ID + "/accessPolicies/add", status="Succeeded",
          request={"properties": {"accessPolicies": [{"tenantId": TENANT, "objectId": SP_ASSIGNEE, "permissions": {"secrets": ["get", "list"]}}]}})
cases = each_format(ACT_FORMATS, [pol], "access policy added to a vault", [{"level": "high", "count": 1}])
cases += [
    {"name": "vault written (network rules): medium",
     "input": act_eventhub([Act("Microsoft.KeyVault/vaults/write", WED, ALEX, KV_ID, status="Succeeded",
                                request={"properties": {"networkAcls": {"defaultAction": "Allow"}}})]),
     "alerts": [{"level": "medium", "count": 1}]},
    {"name": "Key Vault Secrets User assigned at the vault scope",
     "input": act_eventhub([ra(WED, "4633458b-17de-408a-b874-0445c86b69e6", ptype="User", pid="22222222-3333-4444-5555-666666666666", scope=KV_ID)]),
     "alerts": [{"level": "high", "count": 1}]},
    {"name": "negative: role assignment at the subscription scope",
     "input": act_eventhub([ra(WED, READER, ptype="User", pid="22222222-3333-4444-5555-666666666666")]), "alerts": []},
    {"name": "negative: failed access-policy write",
     "input": act_eventhub([Act("Microsoft.KeyVault/vaults/accessPolicies/write", WED, ALEX, KV_ID + "/accessPolicies/add", status="Failed")]),
     "alerts": []},
    {"name": "real samples (Panther Azure.MonitorActivity lines 40-59): Key Vault deletions, purges and secret reads raise nothing; the one Microsoft.KeyVault/vaults/write (line 49) is a vault configuration change",
     "input": real("panther-analysis/Azure_MonitorActivity.ndjson", list(range(40, 60))),
     "alerts": [{"level": "medium", "count": 1}]},
]
cases.append({"name": "real sample, whole file (Panther Azure.MonitorActivity, 241 records): only line 49 (Microsoft.KeyVault/vaults/write)",
              "input_file": "testdata/panther-azure-monitor-activity.ndjson", "alerts": [{"level": "medium", "count": 1}]})
write_tests("activity/keyvault_acl_changed.tests.yml", cases)
