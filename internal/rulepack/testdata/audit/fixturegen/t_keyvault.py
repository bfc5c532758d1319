from common import *
from azure import *

APPSVC = Caller("5c7e9a1b-3d2f-4b6a-8c0e-9f1a3b5c7d24", None, appid="9a1c3e5b-7d2f-4a6b-8c0e-1f3b5d7a9c68", ip="20.50.2.10")
ALEX = Caller("30a6c29d-de7c-4830-815f-9b3bb366e975", "alex.wilber@contoso.com", ip="203.0.113.45")
ATTACKER_SP = Caller("8e0a2c4b-6d1f-4b3a-9c5e-7f9b1d3a5c87", None, appid=HR_APP_ID, ip="45.76.200.14")
MALLORY = Caller("2b4d6f8a-0c1e-4a3b-9d5f-7e9a1c3b5d99", "mallory@contoso.com", ip="185.220.101.7")


def learned():
    """Two weeks of the vault's usual callers (learning period, then steady state)."""
    evs = []
    for day in ("2026-11-02", "2026-11-03", "2026-11-10", "2026-11-16"):
        evs.append(KV("SecretGet", day + "T09:05:00", APPSVC, "db-password", client="azsdk-net-Security.KeyVault.Secrets/4.6.0"))
        evs.append(KV("SecretGet", day + "T11:40:00", ALEX, "api-key"))
    return evs


# ---------------- new identity ----------------
newid = learned() + [KV("SecretGet", "2026-11-18T10:15:00", ATTACKER_SP, "db-password", client="python-requests/2.32.3")]
cases = each_format(KV_FORMATS, newid, "a service principal never seen on the vault reads a secret after the learning period",
                    [{"level": "medium", "count": 1}])
cases += [
    {"name": "new identity outside business hours (objectidentifier claim form): high",
     "input": kv_records(learned() + [KV("SecretList", SAT, ATTACKER_SP, None, long_claims=True), KV("SecretGet", "2026-11-21T02:31:00", ATTACKER_SP, "db-password", long_claims=True)]),
     "alerts": [{"level": "high", "count": 1}]},
    {"name": "negative: only the vault's usual callers",
     "input": kv_records(learned() + [KV("SecretGet", "2026-11-18T10:15:00", APPSVC, "db-password")]), "alerts": []},
    {"name": "negative: new callers during the learning period are learnt, not alerted",
     "input": kv_records([KV("SecretGet", "2026-11-02T09:05:00", APPSVC, "db-password"), KV("SecretGet", "2026-11-03T10:00:00", ATTACKER_SP, "db-password")]),
     "alerts": []},
    {"name": "negative: a denied request is not access",
     "input": kv_records(learned() + [KV("SecretGet", "2026-11-18T10:15:00", ATTACKER_SP, "db-password", result="Forbidden", status=403)]),
     "alerts": []},
    {"name": "real sample (Microsoft docs AuditEvent example): one VaultGet, a management read - no alert",
     "input": real("microsoft-docs/azure-docs/keyvault-logging-auditevent-example.json"), "alerts": []},
]
write_tests("keyvault/new_identity_access.tests.yml", cases)

# ---------------- mass retrieval ----------------
def dump(caller, start_min=10, n=30, long_claims=False, base="2026-11-18T10:"):
    return [KV("SecretGet", f"{base}{start_min + i // 8:02d}:{(i * 7) % 60:02d}", caller, f"secret-{i:02d}", long_claims=long_claims,
               client="python-requests/2.32.3") for i in range(n)]


cases = each_format(KV_FORMATS, dump(ATTACKER_SP), "30 different secrets read in four minutes", [{"level": "medium"}])
cases += [
    {"name": "objectidentifier claim form, outside business hours: high",
     "input": kv_records(dump(ATTACKER_SP, long_claims=True, base="2026-11-21T02:")), "alerts": [{"level": "high"}]},
    {"name": "negative: an application re-reading the same secret 60 times",
     "input": kv_records([KV("SecretGet", f"2026-11-18T10:{i // 20:02d}:{(i * 3) % 60:02d}", APPSVC, "db-password") for i in range(60)]),
     "alerts": []},
    {"name": "negative: 30 secrets spread over two hours",
     "input": kv_records([KV("SecretGet", f"2026-11-18T{10 + i // 15:02d}:{(i * 4) % 60:02d}:00", ALEX, f"secret-{i:02d}") for i in range(30)]),
     "alerts": []},
    {"name": "negative: 19 different secrets",
     "input": kv_records(dump(ATTACKER_SP, n=19)), "alerts": []},
]
write_tests("keyvault/mass_secret_retrieval.tests.yml", cases)

# ---------------- sensitive operations ----------------
sens = [KV("SecretBackup", WED, MALLORY, "db-password"), KV("KeyBackup", WED2, MALLORY, "signing-key")]
cases = each_format(KV_FORMATS, sens, "secret and key backed up by a user", [{"level": "medium", "count": 2}])
cases += [
    {"name": "secret purged: high",
     "input": kv_records([KV("SecretDelete", WED, MALLORY, "db-password"), KV("SecretPurge", WED2, MALLORY, "db-password")]),
     "alerts": [{"level": "high", "count": 2}]},
    {"name": "negative: reads only",
     "input": kv_records([KV("SecretGet", WED, MALLORY, "db-password")]), "alerts": []},
    {"name": "negative: failed backup",
     "input": kv_records([KV("SecretBackup", WED, MALLORY, "db-password", result="Forbidden", status=403)]), "alerts": []},
]
write_tests("keyvault/sensitive_operation.tests.yml", cases)

# ---------------- access policy ----------------
pol = {"ObjectId": ATTACKER_SP.oid, "TenantId": TENANT, "Permissions": {"keys": [], "secrets": ["get", "list"], "certificates": []}}
pol_low = {"ObjectId": APPSVC.oid, "TenantId": TENANT, "Permissions": {"keys": [], "secrets": ["set"], "certificates": []}}
cases = each_format(KV_FORMATS, [KV("VaultPatch", WED, ALEX, None, added_policy=pol, long_claims=True,
                                    client="Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36")],
                    "access policy granting secret get/list added", [{"level": "high", "count": 1}])
cases += [
    {"name": "write-only policy: medium",
     "input": kv_records([KV("VaultPatch", WED, ALEX, None, added_policy=pol_low)]), "alerts": [{"level": "medium", "count": 1}]},
    {"name": "normalizer fixture (AzureDiagnostics portal CSV): VaultPatch granting secrets get/list",
     "input": open(REPO + "/internal/normalize/testdata/other/azure_keyvault/azurediagnostics-portal.csv").read(),
     "alerts": [{"level": "high", "count": 1}]},
    {"name": "negative: vault read",
     "input": kv_records([KV("VaultGet", WED, ALEX, None)]), "alerts": []},
    {"name": "negative: VaultPatch without an access policy change",
     "input": kv_records([KV("VaultPatch", WED, ALEX, None)]), "alerts": []},
]
write_tests("keyvault/access_policy_changed.tests.yml", cases)

# ---------------- user reads outside hours ----------------
night = [KV("SecretList", SAT, MALLORY, None), KV("SecretGet", "2026-11-21T02:31:00", MALLORY, "db-password"),
         KV("SecretGet", "2026-11-21T02:32:00", MALLORY, "api-key")]
cases = each_format(KV_FORMATS, night, "a user lists and reads secrets at 02:30 on a Saturday", [{"level": "medium", "count": 3}])
cases += [
    {"name": "objectidentifier/upn claim URIs",
     "input": kv_records([KV("SecretGet", SAT, MALLORY, "db-password", long_claims=True)]), "alerts": [{"level": "medium", "count": 1}]},
    {"name": "negative: the same reads during business hours",
     "input": kv_records([KV("SecretGet", WED, MALLORY, "db-password")]), "alerts": []},
    {"name": "negative: an application reading at night",
     "input": kv_records([KV("SecretGet", SAT, APPSVC, "db-password")]), "alerts": []},
]
write_tests("keyvault/user_access_outside_hours.tests.yml", cases)
