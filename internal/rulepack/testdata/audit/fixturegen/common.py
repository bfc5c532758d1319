import sys
sys.path.insert(0, __import__("os").path.dirname(__import__("os").path.abspath(__file__)))
from fmt import *
from emit import *
import os

# The public samples (shared/data/public) sit beside the checkout, as in CI.
PUB = os.path.join(REPO, "../shared/data/public/")


def real(path, lines=None):
    """Lines of a real public sample (1-based line numbers)."""
    with open(PUB + path) as f:
        all_lines = f.read().split("\n")
    if lines is None:
        return "\n".join(all_lines).rstrip("\n") + "\n"
    return "".join(all_lines[i - 1] + "\n" for i in lines)


ALICE = User("alice@contoso.com", "4a8e1c3f-6b2d-4e9a-8f7c-1d5b3a9e2c60", ip="203.0.113.7", puid="10032001A4F7C2D9", display="Alice Example")
BOB = User("bob.admin@contoso.com", "7c1e3a5b-2d4f-4a6c-8e0b-9d1f3b5c7e24", ip="198.51.100.23", puid="10032001B5E8D3A1", display="Bob Admin")
EVE = User("eve.guest_fabrikam.example#EXT#@contoso.onmicrosoft.com", "9e2c4a6b-8d0f-4b1c-a3e5-7f9b1d3c5a86", ip="192.0.2.66", puid="10037FFE9A2B4C11")
PIPELINE = App("build-pipeline", "1e3a5c7b-9d2f-4e6a-8b0c-3d5f7a9c1e68", "c7e9a1b3-5d6f-4a8c-9e0b-2d4f6a8c0e57")
MSI = App("Managed Service Identity", "b9814691-9ca1-4e55-a1ac-8ef5dd010ec0")

HR_APP_OID = "0b2d4f6a-8c1e-4a3b-9d5f-7e9a1c3b5d46"
HR_APP_ID = "e5c1a7b3-9d4f-4e2a-8b6c-0f3d5a7c9e12"
HR_SP_ID = "2c4e6a8b-0d1f-4a3c-9e5b-7d9f1b3c5e68"
GRAPH_APP = "00000003-0000-0000-c000-000000000000"
GRAPH_SP = "6f2c8b1e-3a4d-4c5e-9f7a-8b0d2e4c6a18"
EXO_APP = "00000002-0000-0ff1-ce00-000000000000"
EXO_SP = "3a5c7e9b-1d2f-4b4c-8e6a-0c2e4a6b8d97"
PAYROLL_APP = "5b7d9f1a-3c4e-4f6a-8b0c-2e4a6c8e0a13"
PAYROLL_SP = "8d0f2b4c-6e8a-4c1d-9f3b-5a7c9e1b3d25"

# Business hours (the runner's default): Mon-Fri 08:00-18:00 UTC.
WED = "2026-11-18T10:15:00"   # Wednesday, inside business hours
WED2 = "2026-11-18T10:20:00"
SAT = "2026-11-21T02:30:00"   # Saturday night, outside business hours


def key(kid, typ="Password", name="deploy", usage="Verify"):
    return f"[KeyIdentifier={kid},KeyType={typ},KeyUsage={usage},DisplayName={name}]"


UA_BROWSER = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0"

RESOURCES = {
    "graph": ("Microsoft Graph", GRAPH_SP, GRAPH_APP, "https://graph.microsoft.com"),
    "exo": ("Office 365 Exchange Online", EXO_SP, EXO_APP, "https://outlook.office365.com"),
    "payroll": ("Contoso Payroll API", PAYROLL_SP, PAYROLL_APP, "api://contoso-payroll"),
}


def app_role_audit(t, actor, res, role_value, role_id, client_name="Contoso HR Connector", client_sp=HR_SP_ID, client_app=HR_APP_ID):
    rname, rsp, rapp, ruri = RESOURCES[res]
    return Audit("Add app role assignment to service principal", t, actor, [
        target("ServicePrincipal", rsp, rname, props=[
            prop("AppRole.Id", role_id, ""),
            prop("AppRole.Value", role_value, ""),
            prop("AppRole.DisplayName", role_value + " (display)", ""),
            prop("AppRoleAssignment.CreatedDateTime", "11/18/2026 10:15:00 AM", ""),
            prop("AppRoleAssignment.LastModifiedDateTime", "11/18/2026 10:15:00 AM", ""),
            prop("ServicePrincipal.ObjectID", client_sp, ""),
            prop("ServicePrincipal.DisplayName", client_name, ""),
            prop("ServicePrincipal.AppId", client_app, ""),
            prop("ServicePrincipal.Name", client_name, ""),
            prop("TargetId.ServicePrincipalNames", rapp + ";" + ruri, ""),
        ]),
        target("ServicePrincipal", client_sp, client_name),
    ], optype="Assign")


def grant_audit(t, actor, res, scope, consent_type="AllPrincipals", old_scope="", client_name="Contoso HR Connector", client_sp=HR_SP_ID, client_app=HR_APP_ID):
    rname, rsp, rapp, ruri = RESOURCES[res]
    return Audit("Add delegated permission grant", t, actor, [
        target("ServicePrincipal", rsp, rname, props=[
            prop("DelegatedPermissionGrant.Scope", scope, old_scope),
            prop("DelegatedPermissionGrant.ConsentType", consent_type, ""),
            prop("ServicePrincipal.ObjectID", client_sp, ""),
            prop("ServicePrincipal.DisplayName", client_name, ""),
            prop("ServicePrincipal.AppId", client_app, ""),
            prop("ServicePrincipal.Name", client_name, ""),
            prop("TargetId.ServicePrincipalNames", rapp + ";" + ruri, ""),
        ]),
        target("ServicePrincipal", client_sp, client_name),
    ], optype="Assign")


def permissions_text(client_sp, principal, consent_type, scope, resource_sp=GRAPH_SP):
    return (f"[] => [[Id: x5bxJQ0b4UqhE2fTo8wFUx6MVxaOUUBJnHvdLrxgTzc, ClientId: {client_sp}, PrincipalId: {principal}, "
            f"ResourceId: {resource_sp}, ConsentType: {consent_type}, Scope:  {scope}, CreatedDateTime: , LastModifiedDateTime ]]; ")


def consent_audit(t, actor, admin, scope, app_only=False, client_name="Contoso HR Connector", client_sp=HR_SP_ID, client_app=HR_APP_ID,
                  blocked=None, result="success", reason=""):
    yes = {True: "True", False: "False"}
    consent_type = "AllPrincipals" if admin else "Principal"
    principal = "" if admin else actor.id
    props = [
        prop("ConsentContext.IsAdminConsent", yes[admin], ""),
        prop("ConsentContext.IsAppOnly", yes[app_only], ""),
        prop("ConsentContext.OnBehalfOfAll", yes[admin], ""),
        prop("ConsentContext.Tags", "WindowsAzureActiveDirectoryIntegratedApp", ""),
        prop("ConsentAction.Permissions", permissions_text(client_sp, principal, consent_type, scope), ""),
    ]
    if blocked in ("reason", "all"):
        props.append(prop("ConsentAction.Reason", "Risky application detected", ""))
    props.append(prop("TargetId.ServicePrincipalNames", client_app, ""))
    if blocked in ("method", "all"):
        props.append(prop("MethodExecutionResult.", "Microsoft.Online.Security.UserConsentBlockedForRiskyAppsException", ""))
    return Audit("Consent to application", t, actor, [target("ServicePrincipal", client_sp, client_name, props=props)],
                 optype="Assign", result=result, reason=reason, details=[["User-Agent", UA_BROWSER], ["AppId", client_app]])
