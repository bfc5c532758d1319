from common import *
from ual365 import *
from t_row03 import role_audit, pim_audit, GA, READER

ALEXW = "alex.wilber@contoso.com"
EVIL_APP = "8f1d3b5a-7c9e-4b2d-a4f6-0e2c4a6b8d13"

# ---------------- federated domain ----------------
def domain_audit(t, activity, props, result="success"):
    return Audit(activity, t, BOB, [target("Domain", "contoso-sso.example", "contoso-sso.example", props=props)],
                 category="DirectoryManagement", optype="Set", result=result)

fed = domain_audit(WED, "Set domain authentication", [prop("LiveType", "Federated", "Managed"), prop("Included Updated Properties", "LiveType", None)])
cases = each_format(AUDIT_FORMATS, [fed], "domain switched from Managed to Federated", [{"level": "high", "count": 1}])
cases[0]["alerts"][0]["message"] = "Set domain authentication on contoso-sso.example by bob.admin@contoso.com (success)"
cases += [
    {"name": "federation settings changed (new issuer / signing certificate)",
     "input": graph_page([domain_audit(WED, "Set federation settings on domain", [prop("IssuerUri", "http://evil.example/adfs/services/trust", "http://sts.contoso.com/adfs/services/trust")])]),
     "alerts": [{"level": "high", "count": 1}]},
    {"name": "negative: domain authentication set back to Managed",
     "input": graph_page([domain_audit(WED, "Set domain authentication", [prop("LiveType", "Managed", "Federated")])]), "alerts": []},
    {"name": "negative: domain verified",
     "input": graph_page([domain_audit(WED, "Verify domain", [])]), "alerts": []},
    {"name": "real samples (Panther Azure.Audit lines 3-4): 'Set federation settings on domain' alerts; 'Set domain authentication' changing another property does not",
     "input": real("panther-analysis/Azure_Audit.ndjson", [3, 4]), "alerts": [{"level": "high", "count": 1}]},
]
cases.append({"name": "real sample, whole file (Panther Azure.Audit, 37 records): only line 3 ('Set federation settings on domain')",
              "input_file": "testdata/panther-azure-audit.ndjson", "alerts": [{"level": "high", "count": 1}]})
write_tests("audit/federated_domain_change.tests.yml", cases)

# ---------------- privileged role to user ----------------
cases = each_format(AUDIT_FORMATS, [role_audit(WED, BOB, "User", ALICE.id, "Alice Example", ("Exchange Administrator", "29232cdf-9323-42fd-ade2-1d097af3e4de", "ExchangeServiceAdmins", "29232cdf-9323-42fd-ade2-1d097af3e4de"), upn=ALICE.upn)],
                    "user made Exchange Administrator", [{"level": "high", "count": 1}])
cases[0]["alerts"][0]["message"] = "alice@contoso.com assigned a privileged Entra role (Add member to role: Exchange Administrator) by bob.admin@contoso.com"
cases += [
    {"name": "Global Administrator: critical",
     "input": graph_page([role_audit(WED, BOB, "User", ALICE.id, "Alice Example", GA, upn=ALICE.upn)]), "alerts": [{"level": "critical", "count": 1}]},
    {"name": "eligible assignment through PIM, completed",
     "input": graph_page([pim_audit(WED, BOB, "Add eligible member to role in PIM completed (permanent)", "User", ALICE.id, "Alice Example",
                                    ("Security Administrator", "194ae4cb-b126-40b2-bd5b-6091b380977d", "", "194ae4cb-b126-40b2-bd5b-6091b380977d"))]),
     "alerts": [{"level": "high", "count": 1}]},
    {"name": "negative: non-privileged role (Reports Reader)",
     "input": graph_page([role_audit(WED, BOB, "User", ALICE.id, "Alice Example", READER, upn=ALICE.upn)]), "alerts": []},
    {"name": "negative: PIM request not yet completed",
     "input": graph_page([pim_audit(WED, BOB, "Add member to role in PIM requested (permanent)", "User", ALICE.id, "Alice Example", GA)]), "alerts": []},
    {"name": "negative: privileged role for a service principal (the guide-row-3 rule covers it)",
     "input": graph_page([role_audit(WED, BOB, "ServicePrincipal", HR_SP_ID, "Contoso HR Connector", GA)]), "alerts": []},
    {"name": "real samples (Panther Azure.Audit lines 34-36): PIM and direct 'Application Administrator' assignments with placeholder template IDs - not matched",
     "input": real("panther-analysis/Azure_Audit.ndjson", [34, 35, 36]), "alerts": []},
]
write_tests("audit/privileged_role_assigned_to_user.tests.yml", cases)

# ---------------- PIM activation outside hours ----------------
def activation(t, role):
    a = pim_audit(t, ALICE, "Add member to role completed (PIM activation)", "User", ALICE.id, "Alice Example", role)
    return a

PRA = ("Privileged Role Administrator", "e8611ab8-c189-46e8-94e1-60213ab1f814", "", "e8611ab8-c189-46e8-94e1-60213ab1f814")
cases = each_format(AUDIT_FORMATS, [activation(SAT, PRA)], "Privileged Role Administrator activated at 02:30 on a Saturday", [{"level": "high", "count": 1}])
cases += [
    {"name": "non-privileged role activated at night: medium",
     "input": graph_page([activation(SAT, READER)]), "alerts": [{"level": "medium", "count": 1}]},
    {"name": "negative: activation during business hours",
     "input": graph_page([activation(WED, PRA)]), "alerts": []},
    {"name": "negative: activation request at night",
     "input": graph_page([pim_audit(SAT, ALICE, "Add member to role requested (PIM activation)", "User", ALICE.id, "Alice Example", PRA)]), "alerts": []},
]
write_tests("audit/pim_activation_outside_hours.tests.yml", cases)

# ---------------- CA policy weakened ----------------
def ca_policy(state, grant=True):
    p = {"id": "5e3cb481-2814-4295-b4cc-2440a6d66c86", "displayName": "Require MFA for all users", "createdDateTime": "2026-01-11T16:48:48.1196443+00:00",
         "modifiedDateTime": "2026-11-18T10:14:58.4989035+00:00", "state": state,
         "conditions": {"applications": {"includeApplications": ["All"], "excludeApplications": []}, "users": {"includeUsers": ["All"], "excludeUsers": []},
                        "clientAppTypes": ["all"]}}
    if grant:
        p["grantControls"] = {"operator": "OR", "builtInControls": ["mfa"], "customAuthenticationFactors": [], "termsOfUse": []}
    return jdump(p)


def ca_audit(t, activity, new, old):
    return Audit(activity, t, BOB, [target("Policy", "5e3cb481-2814-4295-b4cc-2440a6d66c86", "Require MFA for all users",
                                           props=[prop("ConditionalAccessPolicy", new, old, raw=True)])],
                 category="Policy", service="Conditional Access", details=[["Category", "Conditional Access"]])

cases = each_format(AUDIT_FORMATS, [ca_audit(WED, "Update conditional access policy", ca_policy("disabled"), ca_policy("enabled"))],
                    "policy switched off", [{"level": "high", "count": 1}])
cases[0]["alerts"][0]["message"] = "Conditional Access policy Require MFA for all users weakened (Update conditional access policy) by bob.admin@contoso.com"
cases += [
    {"name": "policy put in report-only mode",
     "input": graph_page([ca_audit(WED, "Update conditional access policy", ca_policy("enabledForReportingButNotEnforced"), ca_policy("enabled"))]),
     "alerts": [{"level": "high", "count": 1}]},
    {"name": "policy deleted outside business hours: critical",
     "input": graph_page([ca_audit(SAT, "Delete conditional access policy", None, ca_policy("enabled"))]), "alerts": [{"level": "critical", "count": 1}]},
    {"name": "grant controls (MFA) removed from an enabled policy",
     "input": azmon_records([ca_audit(WED, "Update conditional access policy", ca_policy("enabled", grant=False), ca_policy("enabled"))]),
     "alerts": [{"level": "high", "count": 1}]},
    {"name": "negative: policy enabled",
     "input": graph_page([ca_audit(WED, "Update conditional access policy", ca_policy("enabled"), ca_policy("disabled"))]), "alerts": []},
    {"name": "negative: new policy created",
     "input": graph_page([ca_audit(WED, "Add conditional access policy", ca_policy("enabled"), None)]), "alerts": []},
    {"name": "real samples (Panther Azure.Audit lines 21-27): a CA policy losing its MFA grant (line 21, 2024-11-27 03:31 UTC, outside hours) and a deleted CA policy (line 26, activityDateTime 2024-11-27 02:22 UTC) alert; adding the grant back and the Core Directory 'Update/Delete/Added policy' records do not",
     "input": real("panther-analysis/Azure_Audit.ndjson", [21, 22, 23, 24, 25, 26, 27]),
     "alerts": [{"level": "critical", "count": 1}, {"level": "critical", "count": 1}]},
]
cases.append({"name": "real sample, whole file (Panther Azure.Audit, 37 records): the same two alerts (lines 21 and 26), nothing else",
              "input_file": "testdata/panther-azure-audit.ndjson", "alerts": [{"level": "critical", "count": 1}, {"level": "critical", "count": 1}]})
write_tests("audit/conditional_access_policy_weakened.tests.yml", cases)

# ---------------- MFA methods ----------------
def secinfo(t, actor, activity, reason, target_user=ALICE, service="Authentication Methods"):
    return Audit(activity, t, actor, [target("User", target_user.id, target_user.display, upn=target_user.upn)],
                 category="UserManagement", service=service, optype="Add" if "registered" in activity else "Delete", reason=reason)

def strong_auth(t, actor, new, old):
    return Audit("Update user", t, actor, [target("User", ALICE.id, ALICE.display, upn=ALICE.upn, props=[
        prop("StrongAuthenticationMethod", new, old), prop("Included Updated Properties", "StrongAuthenticationMethod", None),
        prop("TargetId.UserType", "Member", None)])], category="UserManagement")

MFA_APP = App("Azure MFA StrongAuthenticationService", "8a9c1e3b-5d7f-4b9a-8c2e-4f6a8b0d2c15")
cases = each_format(AUDIT_FORMATS, [secinfo(WED, ALICE, "User registered security info", "User registered Authenticator App with Notification and Code")],
                    "user registers an authenticator app", [{"level": "low", "count": 1}])
cases[0]["alerts"][0]["message"] = "MFA methods of alice@contoso.com changed: User registered security info (User registered Authenticator App with Notification and Code)"
cases += [
    {"name": "admin registers a Temporary Access Pass for another user: high",
     "input": graph_page([secinfo(WED, BOB, "Admin registered security info", "Admin registered temporary access pass method for user")]),
     "alerts": [{"level": "high", "count": 1}]},
    {"name": "user deletes a method and registers a new phone at night: critical",
     "input": graph_page([secinfo(SAT, ALICE, "User deleted security info", "User deleted Authenticator App with Notification and Code"),
                          secinfo("2026-11-21T02:33:00", ALICE, "User registered security info", "User registered Mobile Phone SMS")]),
     "alerts": [{"level": "critical", "count": 2}]},
    {"name": "per-user MFA disabled: high",
     "input": la_json([Audit("Disable Strong Authentication", WED, BOB, [target("User", ALICE.id, ALICE.display, upn=ALICE.upn)], category="UserManagement")]),
     "alerts": [{"level": "high", "count": 1}]},
    {"name": "StrongAuthenticationMethod list emptied (UAL Update user): high",
     "input": ual_ndjson([strong_auth(WED, MFA_APP, [], [{"Default": True, "MethodType": 7}])]), "alerts": [{"level": "high", "count": 1}]},
    {"name": "admin updates another user's phone: medium",
     "input": graph_page([secinfo(WED, BOB, "Admin updated security info", "Admin updated phone method for user")]), "alerts": [{"level": "medium", "count": 1}]},
    {"name": "negative: another user attribute updated",
     "input": graph_page([Audit("Update user", WED, BOB, [target("User", ALICE.id, ALICE.display, upn=ALICE.upn, props=[prop("JobTitle", ["Manager"], ["Analyst"])])], category="UserManagement")]),
     "alerts": []},
    {"name": "real samples (Panther Microsoft365 AAD lines 3-4): StrongAuthenticationMethod added (low) and removed (high) for sample.user",
     "input": real("panther-analysis/Microsoft365_Audit_AzureActiveDirectory.ndjson", [3]) + real("panther-analysis/Microsoft365_Audit_AzureActiveDirectory.ndjson", [4]).replace('"Id": "123-abc-123"', '"Id": "123-abc-124"').replace("2022-12-12 17:28:35", "2022-12-13 09:28:35"),
     "alerts": [{"level": "low", "count": 1}, {"level": "high", "count": 1}]},
]
cases.append({"name": "real sample, whole file (Panther Microsoft365 AAD): lines 1-2 are sign-ins; line 3 (method added) alerts low; line 4 repeats line 3's Id and is dropped as a duplicate",
              "input": real("panther-analysis/Microsoft365_Audit_AzureActiveDirectory.ndjson"), "alerts": [{"level": "low", "count": 1}]})
write_tests("audit/mfa_method_changed.tests.yml", cases)

# ---------------- privileged group ----------------
def group_add(t, actor, member, group, gid="3c5e7a9b-1d2f-4b4c-8e6a-0c2e4a6b8d50"):
    return Audit("Add member to group", t, actor, [
        target("User", member.id, member.display, upn=member.upn, props=[prop("Group.ObjectID", gid, None), prop("Group.DisplayName", group, None),
                                                                          prop("Group.WellKnownObjectName", None, None)]),
        target("Group", gid, group)], category="GroupManagement", optype="Assign")

cases = each_format(AUDIT_FORMATS, [group_add(WED, BOB, ALICE, "Tier 0 Admins")], "user added to 'Tier 0 Admins'", [{"level": "medium", "count": 1}])
cases[0]["alerts"][0]["message"] = "alice@contoso.com added to group Tier 0 Admins by bob.admin@contoso.com"
cases += [
    {"name": "guest added to the break-glass exclusion group: high",
     "input": graph_page([group_add(WED, BOB, EVE, "CA Exclusion - Break Glass")]), "alerts": [{"level": "high", "count": 1}]},
    {"name": "negative: ordinary team group",
     "input": graph_page([group_add(WED, BOB, ALICE, "Marketing Team")]), "alerts": []},
]
write_tests("audit/user_added_to_privileged_group.tests.yml", cases)

# ---------------- risky app consent protection ----------------
def authz(t, new, old):
    return Audit("Update authorization policy", t, BOB, [target("Policy", "authorizationPolicy", "Authorization Policy", props=[
        prop("AllowUserConsentForRiskyApps", new, old), prop("Included Updated Properties", "AllowUserConsentForRiskyApps", None)])],
        category="Policy")

cases = each_format(AUDIT_FORMATS, [authz(WED, [True], [False])], "AllowUserConsentForRiskyApps set to true", [{"level": "high", "count": 1}])
cases += [
    {"name": "negative: protection turned back on",
     "input": graph_page([authz(WED, [False], [True])]), "alerts": []},
]
write_tests("audit/risky_app_consent_protection_disabled.tests.yml", cases)

# ---------------- registration -> credential -> consent ----------------
EVIL = ("Invoice Viewer", "1a3c5e7b-9d0f-4b2c-8e4a-6c8e0a2b4d69", "7e9a1c3b-5d2f-4a6b-8c0e-9f1b3d5a7c80")
def add_app(t, actor, name=EVIL[0]):
    return Audit("Add application", t, actor, [target("Application", EVIL[1], name, props=[
        prop("AppId", [EVIL[2]], None), prop("AvailableToOtherTenants", [True], None), prop("DisplayName", [name], None),
        prop("Included Updated Properties", "AppId, AvailableToOtherTenants, DisplayName", None)])], optype="Add")

def add_cred(t, actor, name=EVIL[0]):
    return Audit("Update application \u2013 Certificates and secrets management ", t, actor, [target("Application", EVIL[1], name, props=[
        prop("KeyDescription", [key("2e4a6c8b-0d1f-4b3c-9e5a-7c9e1b3d5f62", "Password", "x")], []),
        prop("Included Updated Properties", "KeyDescription", None)])])

seq = [add_app(WED, ALICE), add_cred("2026-11-18T10:21:00", ALICE),
       consent_audit("2026-11-18T10:40:00", ALICE, False, "Mail.Read offline_access", client_name=EVIL[0], client_sp="4c6e8a0b-2d3f-4b5c-9e7a-1c3e5a7b9d86", client_app=EVIL[2])]
cases = each_format(AUDIT_FORMATS, seq, "app registered, secret added, consent given within 25 minutes", [{"level": "high"}])
cases += [
    {"name": "negative: consent more than an hour after the registration",
     "input": graph_page([add_app(WED, ALICE), add_cred("2026-11-18T10:21:00", ALICE),
                          consent_audit("2026-11-18T11:40:00", ALICE, False, "Mail.Read", client_name=EVIL[0])]), "alerts": []},
    {"name": "negative: out of order (consent before the credential)",
     "input": graph_page([add_app(WED, ALICE), consent_audit("2026-11-18T10:20:00", ALICE, False, "Mail.Read", client_name=EVIL[0]),
                          add_cred("2026-11-18T10:21:00", ALICE)]), "alerts": []},
    {"name": "negative: steps on different applications",
     "input": graph_page([add_app(WED, ALICE), add_cred("2026-11-18T10:21:00", ALICE, name="Other App"),
                          consent_audit("2026-11-18T10:40:00", ALICE, False, "Mail.Read", client_name=EVIL[0])]), "alerts": []},
]
write_tests("audit/app_registration_credential_consent_sequence.tests.yml", cases)

# ================= M365 =================
def inbox(t, params, op="New-InboxRule", user=ALEXW):
    return Exo(op, t, user, params=params)

fwd = inbox(WED, [("AlwaysDeleteOutlookRulesBlob", "False"), ("Force", "False"), ("Name", "Invoices"), ("SubjectOrBodyContainsWords", "invoice;payment;wire"),
                  ("ForwardTo", "collector@example.net"), ("MarkAsRead", "True"), ("StopProcessingRules", "True")])
cases = each_format(EXO_FORMATS, [fwd], "inbox rule forwarding invoices to an external address", [{"level": "high", "count": 1}])
cases[0]["alerts"][0]["message"] = "New-InboxRule 'Invoices' by alex.wilber@contoso.com: forward collector@example.net, delete , move to "
cases += [
    {"name": "rule named '.' moving security mail to RSS Feeds: high",
     "input": exo_ndjson([inbox(WED, [("Name", "."), ("SubjectOrBodyContainsWords", "security;phish;hacked"), ("MoveToFolder", "RSS Feeds"), ("MarkAsRead", "True")])]),
     "alerts": [{"level": "high", "count": 1}]},
    {"name": "internal forward: medium",
     "input": exo_ndjson([inbox(WED, [("Name", "To assistant"), ("ForwardTo", "assistant@contoso.com")])]), "alerts": [{"level": "medium", "count": 1}]},
    {"name": "Exchange recipient format \"Name\" [SMTP:addr] to an external domain: high",
     "input": exo_ndjson([inbox(WED, [("Name", "fw"), ("RedirectTo", "\"Collector\" [SMTP:drop@mail-drop.example]")], op="Set-InboxRule")]),
     "alerts": [{"level": "high", "count": 1}]},
    {"name": "negative: rule filing newsletters into a named folder",
     "input": exo_ndjson([inbox(WED, [("Name", "Newsletters"), ("FromAddressContainsWords", "news"), ("MoveToFolder", "Newsletters")])]), "alerts": []},
    {"name": "negative: failed cmdlet",
     "input": exo_ndjson([Exo("New-InboxRule", WED, ALEXW, params=[("Name", "x"), ("ForwardTo", "a@example.net")], result="False")]), "alerts": []},
    {"name": "normalizer fixture (Management API blob): New-InboxRule named '.' forwarding to collector@example.net",
     "input": open(REPO + "/internal/normalize/testdata/other/m365_audit/mgmt-api-content-blob.json").read(),
     "alerts": [{"level": "high", "count": 1}]},
    {"name": "real samples (Panther Microsoft365 Exchange): line 3 (forward to external@example.com and delete) and line 4 (forward to three external addresses) alert high; line 10 moves mail to a named folder and does not alert",
     "input": real("panther-analysis/Microsoft365_Audit_Exchange.ndjson", [3]) + real("panther-analysis/Microsoft365_Audit_Exchange.ndjson", [4]).replace('"111-22-33"', '"111-22-34"') + real("panther-analysis/Microsoft365_Audit_Exchange.ndjson", [10]).replace('"111-22-33"', '"111-22-35"'),
     "alerts": [{"level": "high", "count": 1}, {"level": "high", "count": 1}]},
]
cases.append({"name": "real sample, whole file (Panther Microsoft365 Exchange): every record carries Id 111-22-33; only line 1 (a Set-Mailbox) survives de-duplication, so no inbox-rule alert",
              "input": real("panther-analysis/Microsoft365_Audit_Exchange.ndjson"), "alerts": []})
write_tests("m365/inbox_rule_forward_or_delete.tests.yml", cases)

def setmbx(t, identity, fwd, keep="False", user="bob.admin@contoso.com"):
    return Exo("Set-Mailbox", t, user, params=[("Identity", identity), ("ForwardingSmtpAddress", fwd), ("DeliverToMailboxAndForward", keep)])

cases = each_format(EXO_FORMATS, [setmbx(WED, ALEXW, "smtp:alex.w.private@gmail.example")], "mailbox forwarded to an external address", [{"level": "high", "count": 1}])
cases[0]["alerts"][0]["message"] = "Forwarding of mailbox alex.wilber@contoso.com set to smtp:alex.w.private@gmail.example by bob.admin@contoso.com (keep a copy: False)"
cases += [
    {"name": "forwarding to a colleague: medium",
     "input": exo_ndjson([setmbx(WED, ALEXW, "smtp:manager@contoso.com", keep="True")]), "alerts": [{"level": "medium", "count": 1}]},
    {"name": "negative: Set-Mailbox without forwarding",
     "input": exo_ndjson([Exo("Set-Mailbox", WED, "bob.admin@contoso.com", params=[("Identity", ALEXW), ("ProhibitSendQuota", "49 GB")])]), "alerts": []},
    {"name": "real samples (Panther Microsoft365 Exchange, Set-Mailbox lines 1, 2, 5-9): external forwards high (lines 1, 5, 6, 8); internal or subdomain forwards medium (lines 2, 7, 9)",
     "input": "".join(real("panther-analysis/Microsoft365_Audit_Exchange.ndjson", [n]).replace('"111-22-33"', f'"111-22-{40 + n}"').replace("22:19:00", f"22:{10 + n}:00") for n in (1, 2, 5, 6, 7, 8, 9)),
     "alerts": [{"level": "high", "count": 1}, {"level": "medium", "count": 1}, {"level": "high", "count": 1}, {"level": "high", "count": 1},
                {"level": "medium", "count": 1}, {"level": "high", "count": 1}, {"level": "medium", "count": 1}]},
]
cases.append({"name": "real sample, whole file (Panther Microsoft365 Exchange): every record carries Id 111-22-33, so the scan keeps the first (line 1, external forward: high) and drops the rest as duplicates",
              "input": real("panther-analysis/Microsoft365_Audit_Exchange.ndjson"), "alerts": [{"level": "high", "count": 1}]})
write_tests("m365/mailbox_forwarding_enabled.tests.yml", cases)

cases = each_format(EXO_FORMATS, [mail_access(WED, ALEXW, EVIL_APP), mail_access(WED2, ALEXW, EVIL_APP)],
                    "third-party app reads a mailbox through Graph", [{"level": "medium", "count": 2}])
cases += [
    {"name": "one app reads six mailboxes: high",
     "input": exo_ndjson([mail_access(f"2026-11-18T10:{15 + i}:00", f"user{i}@contoso.com", EVIL_APP) for i in range(6)]),
     "alerts": [{"level": "high", "count": 6}]},
    {"name": "EWS access by a third-party app",
     "input": exo_ndjson([mail_access(WED, ALEXW, EVIL_APP, app_id="", info="Client=WebServices;ExchangeWebServices/15.0;")]),
     "alerts": [{"level": "medium", "count": 1}]},
    {"name": "negative: Outlook on the web through Graph (first-party client, allowlisted)",
     "input": exo_ndjson([mail_access(WED, ALEXW, "9199bf20-a13f-4107-85dc-02114787ef48", ip="203.0.113.45")]), "alerts": []},
    {"name": "negative: Outlook desktop sync (no AppId)",
     "input": exo_ndjson([mail_access(WED, ALEXW, "", app_id="", info="Client=MSExchangeRPC", ip="203.0.113.45")]), "alerts": []},
    {"name": "normalizer fixture (Management API blob): Microsoft Office reading through Graph is allowlisted",
     "input": open(REPO + "/internal/normalize/testdata/other/m365_audit/mgmt-api-content-blob.json").read(), "alerts": []},
]
write_tests("m365/mail_items_accessed_by_app.tests.yml", cases)

def cmd(t, op, params):
    return Exo(op, t, "bob.admin@contoso.com", params=params)

cases = each_format(EXO_FORMATS, [cmd(WED, "Set-AdminAuditLogConfig", [("UnifiedAuditLogIngestionEnabled", "False")])],
                    "unified audit log ingestion turned off", [{"level": "critical", "count": 1}])
cases += [
    {"name": "mailbox audit bypass for an account: high",
     "input": exo_ndjson([cmd(WED, "Set-MailboxAuditBypassAssociation", [("Identity", "svc-sync@contoso.com"), ("AuditBypassEnabled", "True")])]),
     "alerts": [{"level": "high", "count": 1}]},
    {"name": "mailbox auditing disabled on a mailbox: high",
     "input": exo_ndjson([cmd(WED, "Set-Mailbox", [("Identity", ALEXW), ("AuditEnabled", "False")])]), "alerts": [{"level": "high", "count": 1}]},
    {"name": "negative: audit log ingestion turned on",
     "input": exo_ndjson([cmd(WED, "Set-AdminAuditLogConfig", [("UnifiedAuditLogIngestionEnabled", "True")])]), "alerts": []},
    {"name": "real samples (Panther Microsoft365 Exchange): no audit configuration changes",
     "input": real("panther-analysis/Microsoft365_Audit_Exchange.ndjson"), "alerts": []},
]
write_tests("m365/audit_logging_disabled.tests.yml", cases)

# ---------------- illicit consent -> mail access ----------------
consent = consent_audit("2026-11-18T10:15:00", ALICE, False, "Mail.Read offline_access User.Read", client_name="Microsoft 365 Mail Sync",
                        client_sp="4c6e8a0b-2d3f-4b5c-9e7a-1c3e5a7b9d86", client_app=EVIL_APP)
reads = [mail_access("2026-11-18T11:02:00", ALICE.upn, EVIL_APP), mail_access("2026-11-18T11:03:00", ALICE.upn, EVIL_APP)]
cases = [{"name": f"consent ({fname}) then Graph mail reads (UAL blob)", "input": fn([consent]) + exo_ndjson(reads),
          "alerts": [{"level": "high"}]} for fname, fn in AUDIT_FORMATS if not fname.endswith("CSV")]
cases += [
    {"name": "consent and mail reads in one UAL export",
     "input": ual_ndjson([consent]) + exo_ndjson(reads), "alerts": [{"level": "high"}]},
    {"name": "negative: mail read by the app before the consent",
     "input": graph_page([consent]) + exo_ndjson([mail_access("2026-11-18T09:02:00", ALICE.upn, EVIL_APP)]), "alerts": []},
    {"name": "negative: another user's mailbox read",
     "input": graph_page([consent]) + exo_ndjson([mail_access("2026-11-18T11:02:00", "someone.else@contoso.com", EVIL_APP)]), "alerts": []},
    {"name": "negative: consent without mail scopes",
     "input": graph_page([consent_audit("2026-11-18T10:15:00", ALICE, False, "User.Read openid", client_name="Contoso Expenses")]) + exo_ndjson(reads),
     "alerts": []},
]
write_tests("m365/illicit_consent_mail_access.tests.yml", cases)
