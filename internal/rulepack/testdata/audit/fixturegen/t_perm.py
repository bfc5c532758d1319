from common import *

ARW = ("Application.ReadWrite.All", "1bfefb4e-e0b5-418b-a88f-73c46d2cc8e9")
MAILREAD = ("Mail.Read", "810c84a8-4a9e-49e6-bf7d-12d183f40d01")
USERREADALL = ("User.Read.All", "df021288-bdef-4463-88db-98f22de89214")
FULLACCESS = ("full_access_as_app", "dc890d15-9560-4a4c-9b7f-a736ec74ec40")
GROUPREAD = ("GroupMember.Read.All", "98830695-27a2-44f7-8c18-0c3ebc9698f6")
PAYROLL_ROLE = ("Payroll.Export", "0c2e4a6b-8d1f-4b3c-9e5a-7c9e1b3d5f70")
OTHER = ("Calendars.Read", "798ee544-9d2d-430c-a058-570e29e34338")

# ---------------- row 4 ----------------
cases = each_format(AUDIT_FORMATS, [app_role_audit(WED, BOB, "graph", *MAILREAD)], "Mail.Read application permission on Microsoft Graph",
                    [{"level": "high", "count": 1}])
cases[0]["alerts"][0]["message"] = "Application permission Mail.Read on Microsoft Graph granted to Contoso HR Connector by bob.admin@contoso.com"
cases += [
    {"name": "Application.ReadWrite.All (tenant takeover path): critical",
     "input": graph_page([app_role_audit(WED, BOB, "graph", *ARW)]), "alerts": [{"level": "critical", "count": 1}]},
    {"name": "a service principal grants itself RoleManagement.ReadWrite.Directory: critical",
     "input": ual_ndjson([app_role_audit(WED, PIPELINE, "graph", "RoleManagement.ReadWrite.Directory", "9e3f62cf-ca93-4989-b6ce-bf83c28f9fe8",
                                         client_name=PIPELINE.name, client_sp=PIPELINE.spid, client_app=PIPELINE.appid)]),
     "alerts": [{"level": "critical", "count": 1}]},
    {"name": "full_access_as_app on Exchange Online",
     "input": azmon_records([app_role_audit(WED, BOB, "exo", *FULLACCESS)]), "alerts": [{"level": "high", "count": 1}]},
    {"name": "any *.All permission on Graph (User.Read.All)",
     "input": la_json([app_role_audit(WED, BOB, "graph", *USERREADALL)]), "alerts": [{"level": "high", "count": 1}]},
    {"name": "negative: a narrow Graph permission (Calendars.Read)",
     "input": graph_page([app_role_audit(WED, BOB, "graph", *OTHER)]), "alerts": []},
    {"name": "negative: a *.All-looking role on an internal API is not a sensitive API",
     "input": graph_page([app_role_audit(WED, BOB, "payroll", "Payroll.ReadWrite.All", PAYROLL_ROLE[1])]), "alerts": []},
    {"name": "negative: delegated grants are not app roles",
     "input": graph_page([grant_audit(WED, BOB, "graph", "Mail.Read User.Read")]), "alerts": []},
]
write_tests("audit/app_role_privileged_granted.tests.yml", cases)

# ---------------- row 6 ----------------
cases = each_format(AUDIT_FORMATS, [grant_audit(WED, ALICE, "graph", "Mail.Read Mail.Send User.Read", consent_type="Principal")],
                    "delegated Mail.Read / Mail.Send on Microsoft Graph", [{"level": "high", "count": 1}])
cases[0]["alerts"][0]["message"] = "Add delegated permission grant on Microsoft Graph: Mail.Read Mail.Send User.Read (by alice@contoso.com)"
cases += [
    {"name": "application permission on Exchange Online",
     "input": graph_page([app_role_audit(WED, BOB, "exo", *FULLACCESS)]), "alerts": [{"level": "high", "count": 1}]},
    {"name": "sign-in scopes only: medium",
     "input": graph_page([grant_audit(WED, ALICE, "graph", "openid profile email offline_access User.Read", consent_type="Principal")]),
     "alerts": [{"level": "medium", "count": 1}]},
    {"name": "sign-in scopes only, outside business hours: high",
     "input": azmon_records([grant_audit(SAT, ALICE, "graph", "openid profile User.Read", consent_type="Principal")]),
     "alerts": [{"level": "high", "count": 1}]},
    {"name": "negative: grant on an internal API",
     "input": graph_page([grant_audit(WED, ALICE, "payroll", "Payroll.Read", consent_type="Principal")]), "alerts": []},
    {"name": "negative: app role on an internal API",
     "input": graph_page([app_role_audit(WED, BOB, "payroll", *PAYROLL_ROLE)]), "alerts": []},
]
write_tests("audit/sensitive_api_permission_granted.tests.yml", cases)

# ---------------- row 7 ----------------
cases = each_format(AUDIT_FORMATS, [app_role_audit(WED, BOB, "payroll", *PAYROLL_ROLE)], "app role on the internal Payroll API",
                    [{"level": "medium", "count": 1}])
cases[0]["alerts"][0]["message"] = "Application permission Payroll.Export on Contoso Payroll API granted to Contoso HR Connector by bob.admin@contoso.com"
cases += [
    {"name": "outside business hours: high",
     "input": graph_page([app_role_audit(SAT, BOB, "payroll", *PAYROLL_ROLE)]), "alerts": [{"level": "high", "count": 1}]},
    {"name": "negative: app role on Microsoft Graph (sensitive API rules cover it)",
     "input": graph_page([app_role_audit(WED, BOB, "graph", *GROUPREAD)]), "alerts": []},
    {"name": "negative: delegated grant on the internal API",
     "input": graph_page([grant_audit(WED, ALICE, "payroll", "Payroll.Read", consent_type="Principal")]), "alerts": []},
]
write_tests("audit/other_api_app_role_granted.tests.yml", cases)

# ---------------- row 8 ----------------
cases = each_format(AUDIT_FORMATS, [grant_audit(WED, BOB, "graph", "Mail.ReadWrite Files.Read.All User.Read")],
                    "tenant-wide grant of Mail.ReadWrite and Files.Read.All on Graph", [{"level": "high", "count": 1}])
cases[0]["alerts"][0]["message"] = "Tenant-wide delegated grant on Microsoft Graph: Mail.ReadWrite Files.Read.All User.Read (by bob.admin@contoso.com)"
cases += [
    {"name": "an existing tenant-wide grant extended with Mail.Send",
     "input": graph_page([grant_audit(WED, BOB, "graph", "User.Read Mail.Send", old_scope="User.Read")]), "alerts": [{"level": "high", "count": 1}]},
    {"name": "EWS.AccessAsUser.All on Exchange Online, outside business hours: critical",
     "input": la_json([grant_audit(SAT, BOB, "exo", "EWS.AccessAsUser.All")]), "alerts": [{"level": "critical", "count": 1}]},
    {"name": "negative: the high-privilege scope was already granted (only User.Read added)",
     "input": graph_page([grant_audit(WED, BOB, "graph", "Mail.Read User.Read", old_scope="Mail.Read")]), "alerts": []},
    {"name": "negative: a single user's grant (ConsentType Principal)",
     "input": graph_page([grant_audit(WED, ALICE, "graph", "Mail.Read User.Read", consent_type="Principal")]), "alerts": []},
    {"name": "negative: tenant-wide grant of sign-in scopes only",
     "input": graph_page([grant_audit(WED, BOB, "graph", "openid profile User.Read")]), "alerts": []},
    {"name": "negative: tenant-wide grant on an internal API",
     "input": graph_page([grant_audit(WED, BOB, "payroll", "Payroll.Read.All")]), "alerts": []},
]
write_tests("audit/delegated_grant_all_principals.tests.yml", cases)

# ---------------- row 5 ----------------
cases = each_format(AUDIT_FORMATS, [consent_audit(WED, BOB, True, "Mail.Read Mail.Send User.Read")],
                    "admin consent to high-privilege delegated scopes", [{"level": "high", "count": 1}])
cases[0]["alerts"][0]["message"] = "Admin consent by bob.admin@contoso.com to Contoso HR Connector (app-only: False, all users: True)"
cases += [
    {"name": "admin consent to application permissions (app-only)",
     "input": graph_page([consent_audit(WED, BOB, True, "full_access_as_app", app_only=True)]), "alerts": [{"level": "high", "count": 1}]},
    {"name": "admin consent outside business hours: critical",
     "input": ual_ndjson([consent_audit(SAT, BOB, True, "Directory.ReadWrite.All")]), "alerts": [{"level": "critical", "count": 1}]},
    {"name": "UAL fixture of the normalizer (internal/normalize/testdata/entra/ual): tenant-wide consent to Mail.Read Mail.Send on a Friday morning",
     "input": open(REPO + "/internal/normalize/testdata/entra/ual/consent-and-credential.json").read().split("\n")[0] + "\n",
     "alerts": [{"level": "high", "count": 1}]},
    {"name": "negative: admin consent to sign-in scopes only",
     "input": graph_page([consent_audit(WED, BOB, True, "openid profile User.Read")]), "alerts": []},
    {"name": "negative: end-user consent to high-privilege scopes (the end-user consent rule covers it)",
     "input": graph_page([consent_audit(WED, ALICE, False, "Mail.Read offline_access")]), "alerts": []},
]
write_tests("audit/admin_consent_privileged.tests.yml", cases)

# ---------------- row 10 ----------------
cases = each_format(AUDIT_FORMATS, [consent_audit(WED, ALICE, False, "openid profile User.Read", client_name="Contoso Expenses")],
                    "user consents to sign-in scopes of a normally named app", [{"level": "low", "count": 1}])
cases[0]["alerts"][0]["message"] = "alice@contoso.com consented to Contoso Expenses"
cases += [
    {"name": "high-risk scopes (Mail.Read with offline_access): medium",
     "input": graph_page([consent_audit(WED, ALICE, False, "Mail.Read offline_access User.Read", client_name="Contoso Expenses")]),
     "alerts": [{"level": "medium", "count": 1}]},
    {"name": "app imitating Microsoft with look-alike letters: medium",
     "input": graph_page([consent_audit(WED, ALICE, False, "openid User.Read", client_name="M1crosoft Security Update")]),
     "alerts": [{"level": "medium", "count": 1}]},
    {"name": "generic name and high-risk scopes: high",
     "input": azmon_records([consent_audit(WED, ALICE, False, "Files.ReadWrite.All offline_access", client_name="Document")]),
     "alerts": [{"level": "high", "count": 1}]},
    {"name": "offline_access alone, no read scope: low",
     "input": graph_page([consent_audit(WED, ALICE, False, "offline_access openid", client_name="Contoso Expenses")]),
     "alerts": [{"level": "low", "count": 1}]},
    {"name": "negative: admin consent",
     "input": graph_page([consent_audit(WED, BOB, True, "User.Read")]), "alerts": []},
    {"name": "negative: consent that failed",
     "input": graph_page([consent_audit(WED, ALICE, False, "User.Read", result="failure", reason="Microsoft.Online.Security.UserConsentBlockedForRiskyAppsException", blocked="all")]),
     "alerts": []},
]
write_tests("audit/end_user_consent.tests.yml", cases)

# ---------------- row 11 ----------------
GUIDE_REASON = "Microsoft.online.Security.userConsentBlockedForRiskyAppsExceptions"
cases = each_format(AUDIT_FORMATS, [consent_audit(WED, ALICE, False, "Mail.Read offline_access", client_name="Mail Sync Pro", blocked="all",
                                                  result="failure", reason=GUIDE_REASON)],
                    "consent blocked: all three signals", [{"level": "medium", "count": 1}])
cases[0]["alerts"][0]["message"] = "Risk-based consent blocked alice@contoso.com from consenting to Mail Sync Pro (1 attempts)"
cases += [
    {"name": "ConsentAction.Reason only (Splunk's signal)",
     "input": graph_page([consent_audit(WED, ALICE, False, "Mail.Read", client_name="Mail Sync Pro", blocked="reason", result="failure")]),
     "alerts": [{"level": "medium", "count": 1}]},
    {"name": "MethodExecutionResult. only (Sentinel's signal)",
     "input": graph_page([consent_audit(WED, ALICE, False, "Mail.Read", client_name="Mail Sync Pro", blocked="method", result="failure")]),
     "alerts": [{"level": "medium", "count": 1}]},
    {"name": "resultReason only (the guide's filter)",
     "input": graph_page([consent_audit(WED, ALICE, False, "Mail.Read", client_name="Mail Sync Pro", result="failure", reason=GUIDE_REASON)]),
     "alerts": [{"level": "medium", "count": 1}]},
    {"name": "three blocked attempts by one user for one app in a day: one alert",
     "input": graph_page([consent_audit(t, ALICE, False, "Mail.Read", client_name="Mail Sync Pro", blocked="all", result="failure", reason=GUIDE_REASON)
                          for t in ("2026-11-18T10:15:00", "2026-11-18T10:16:30", "2026-11-18T13:02:00")]),
     "alerts": [{"level": "medium", "count": 3}]},
    {"name": "negative: consent failed for another reason",
     "input": graph_page([consent_audit(WED, ALICE, False, "Mail.Read", client_name="Mail Sync Pro", result="failure", reason="Microsoft.Online.Security.InvalidScopeException")]),
     "alerts": []},
    {"name": "negative: successful consent",
     "input": graph_page([consent_audit(WED, ALICE, False, "Mail.Read", client_name="Mail Sync Pro")]), "alerts": []},
]
write_tests("audit/consent_blocked_risky_app.tests.yml", cases)
