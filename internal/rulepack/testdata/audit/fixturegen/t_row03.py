from common import *

GA = ("Global Administrator", "62e90394-69f5-4237-9190-012177145e10", "TenantAdmins", "a4d7c2e9-5b81-4f36-8c0a-3e9b1d6f7a25")
READER = ("Reports Reader", "4a5d8f65-41da-4de4-8968-e035b65339cf", "ReportsReaders", "5e7a9c1b-3d4f-4a6b-8c0d-2e4f6a8b0c37")


def role_audit(t, actor, member_type, member_id, member_name, role, activity="Add member to role", upn=None):
    name, tmpl, wk, obj = role
    member = target(member_type, member_id, member_name, upn=upn, props=[
        prop("Role.ObjectID", obj, None),
        prop("Role.DisplayName", name, None),
        prop("Role.TemplateId", tmpl, None),
        prop("Role.WellKnownObjectName", wk, None),
    ])
    return Audit(activity, t, actor, [member, target("Role", obj, name)], category="RoleManagement", optype="Assign")


def pim_audit(t, actor, activity, member_type, member_id, member_name, role):
    name, tmpl, wk, obj = role
    return Audit(activity, t, actor, [
        target("Role", obj, name, props=[prop("RoleDefinitionOriginId", tmpl, ""), prop("RoleDefinitionOriginType", "BuiltInRole", ""), prop("TemplateId", tmpl, "")]),
        target("Request", det_uuid("req", t)),
        target(member_type, member_id, member_name),
        target("Directory", TENANT, "Contoso"),
    ], category="RoleManagement", service="PIM", optype="Update", reason="Break-glass automation",
        details=[["RoleDefinitionOriginId", tmpl], ["RoleDefinitionOriginType", "BuiltInRole"], ["TemplateId", tmpl],
                 ["Justification", "Break-glass automation"], ["ipaddr", "198.51.100.23"]])


MSG = "Entra role Global Administrator assigned to a service principal (Add member to role); targets Contoso HR Connector, Global Administrator; by bob.admin@contoso.com"
cases = each_format(AUDIT_FORMATS, [role_audit(WED, BOB, "ServicePrincipal", HR_SP_ID, "Contoso HR Connector", GA)],
                    "service principal made Global Administrator", [{"level": "high", "count": 1}])
cases[0]["alerts"][0]["message"] = MSG
cases += [
    {"name": "non-privileged role for a service principal: medium",
     "input": graph_page([role_audit(WED, BOB, "ServicePrincipal", HR_SP_ID, "Contoso HR Connector", READER)]),
     "alerts": [{"level": "medium", "count": 1}]},
    {"name": "non-privileged role outside business hours: raised to high",
     "input": azmon_records([role_audit(SAT, BOB, "ServicePrincipal", HR_SP_ID, "Contoso HR Connector", READER)]),
     "alerts": [{"level": "high", "count": 1}]},
    {"name": "a service principal assigns itself a role through PIM (eligible, completed): privileged by template ID",
     "input": graph_page([pim_audit(WED, PIPELINE, "Add eligible member to role in PIM completed (permanent)", "ServicePrincipal", PIPELINE.spid, PIPELINE.name,
                                    ("Privileged Role Administrator", "e8611ab8-c189-46e8-94e1-60213ab1f814", "", "e8611ab8-c189-46e8-94e1-60213ab1f814"))]),
     "alerts": [{"level": "high", "count": 1}]},
    {"name": "scoped role assignment (administrative unit) for a service principal",
     "input": la_json([role_audit(WED, BOB, "ServicePrincipal", HR_SP_ID, "Contoso HR Connector",
                                  ("User Administrator", "fe930be7-5e62-47db-91af-98c3a49a38b1", "", "fe930be7-5e62-47db-91af-98c3a49a38b1"), activity="Add scoped member to role")]),
     "alerts": [{"level": "high", "count": 1}]},
    {"name": "negative: a user (not a service principal) made Global Administrator",
     "input": graph_page([role_audit(WED, BOB, "User", ALICE.id, None, GA, upn=ALICE.upn)]),
     "alerts": []},
    {"name": "negative: PIM request for a service principal, not yet an assignment",
     "input": graph_page([pim_audit(WED, BOB, "Add member to role in PIM requested (permanent)", "ServicePrincipal", HR_SP_ID, "Contoso HR Connector", GA)]),
     "alerts": []},
    {"name": "negative: failed assignment",
     "input": graph_page([Audit("Add member to role", WED, BOB, role_audit(WED, BOB, "ServicePrincipal", HR_SP_ID, "Contoso HR Connector", GA).targets,
                                category="RoleManagement", optype="Assign", result="failure", reason="Insufficient privileges")]),
     "alerts": []},
    {"name": "real samples (Panther Azure.Audit): role assignments to users, PIM requests, CA and domain changes - none for a service principal",
     "input_file": "testdata/panther-azure-audit.ndjson",
     "alerts": []},
]
write_tests("audit/sp_entra_role_assigned.tests.yml", cases)
