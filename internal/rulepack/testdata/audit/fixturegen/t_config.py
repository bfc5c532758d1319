from common import *


def addr(urls):
    return [{"AddressType": 0, "Address": u, "ReplyAddressClientType": 1, "ReplyAddressIndex": None, "IsReplyAddressDefault": False} for u in urls]


def app_update(t, actor, props, included, activity="Update application", typ="Application", tid=HR_APP_OID, name="Contoso HR Connector"):
    return Audit(activity, t, actor, [target(typ, tid, name, props=list(props) + [prop("Included Updated Properties", included, None)])],
                 details=[["User-Agent", UA_BROWSER], ["AppId", HR_APP_ID]])


OLD = ["https://hr.contoso.com/signin-oidc", "http://localhost:5001/signin-oidc"]


def redirect(t, actor, new, old=OLD):
    return app_update(t, actor, [prop("AppAddress", addr(new), addr(old))], "AppAddress")


# ---------------- row 12: dangling redirect URI ----------------
dang = redirect(WED, ALICE, OLD + ["https://hr-connector.azurewebsites.net/signin-oidc"])
cases = each_format(AUDIT_FORMATS, [dang], "redirect URI on an App Service host (not a tenant domain) added", [{"level": "high", "count": 1}])
cases[0]["alerts"][0]["message"] = "Redirect URI on a domain the tenant does not own added to Contoso HR Connector by alice@contoso.com"
cases += [
    {"name": "foreign domain added by a service principal (no UPN domain to fall back on)",
     "input": graph_page([redirect(WED, PIPELINE, OLD + ["https://hr.contoso.com/auth"])]), "alerts": [{"level": "high", "count": 1}]},
    {"name": "negative: new URI on a subdomain of the administrator's domain",
     "input": graph_page([redirect(WED, ALICE, OLD + ["https://hr-staging.contoso.com/signin-oidc"])]), "alerts": []},
    {"name": "negative: localhost URI for development",
     "input": graph_page([redirect(WED, ALICE, OLD + ["http://localhost:7071/callback"])]), "alerts": []},
    {"name": "negative: a URI removed",
     "input": graph_page([redirect(WED, ALICE, OLD[:1])]), "alerts": []},
    {"name": "negative: a foreign URI that was already there is not re-reported",
     "input": graph_page([redirect(WED, ALICE, ["https://vendor.example.net/cb", "https://hr.contoso.com/new"], old=["https://vendor.example.net/cb"])]),
     "alerts": []},
]
write_tests("audit/dangling_redirect_uri.tests.yml", cases)

# ---------------- row 13: redirect URI changes ----------------
cases = each_format(AUDIT_FORMATS, [redirect(WED, ALICE, OLD + ["http://hr-sync.example.net/callback"])],
                    "plain-http redirect URI on a foreign domain added", [{"level": "high", "count": 1}])
cases[0]["alerts"][0]["message"] = "Redirect URI added to Contoso HR Connector by alice@contoso.com"
cases += [
    {"name": "wildcard redirect URI in the tenant's own domain: high",
     "input": graph_page([redirect(WED, ALICE, OLD + ["https://*.contoso.com/signin-oidc"])]), "alerts": [{"level": "high", "count": 1}]},
    {"name": "https redirect URI in the administrator's own domain: medium",
     "input": graph_page([redirect(WED, ALICE, OLD + ["https://hr-staging.contoso.com/signin-oidc"])]), "alerts": [{"level": "medium", "count": 1}]},
    {"name": "http://localhost for development: medium",
     "input": azmon_records([redirect(WED, ALICE, OLD + ["http://localhost:7071/callback"])]), "alerts": [{"level": "medium", "count": 1}]},
    {"name": "negative: a URI removed",
     "input": graph_page([redirect(WED, ALICE, OLD[:1])]), "alerts": []},
    {"name": "negative: application update without AppAddress",
     "input": graph_page([app_update(WED, ALICE, [prop("DisplayName", ["HR Connector"], ["Contoso HR Connector"])], "DisplayName")]), "alerts": []},
]
write_tests("audit/redirect_uri_changed.tests.yml", cases)

# ---------------- row 14: AppID URI ----------------
uri = app_update(WED, ALICE, [prop("AppIdentifierUri", ["api://" + HR_APP_ID, "https://hr-connector.example.net"], ["api://" + HR_APP_ID])], "AppIdentifierUri")
cases = each_format(AUDIT_FORMATS, [uri], "Application ID URI added", [{"level": "high", "count": 1}])
cases[0]["alerts"][0]["message"] = "Application ID URI of Contoso HR Connector changed by alice@contoso.com: now api://" + HR_APP_ID + ", https://hr-connector.example.net"
cases += [
    {"name": "Application ID URI removed, outside business hours: critical",
     "input": graph_page([app_update(SAT, ALICE, [prop("AppIdentifierUri", [], ["api://" + HR_APP_ID])], "AppIdentifierUri")]),
     "alerts": [{"level": "critical", "count": 1}]},
    {"name": "service principal update naming AppIdentifierUri",
     "input": graph_page([app_update(WED, BOB, [prop("AppIdentifierUri", ["api://hr"], ["api://" + HR_APP_ID])], "AppIdentifierUri",
                                     activity="Update service principal", typ="ServicePrincipal", tid=HR_SP_ID)]),
     "alerts": [{"level": "high", "count": 1}]},
    {"name": "negative: redirect URI change only",
     "input": graph_page([redirect(WED, ALICE, OLD + ["https://hr.contoso.com/x"])]), "alerts": []},
]
write_tests("audit/appid_uri_changed.tests.yml", cases)


# ---------------- row 15: new owner ----------------
def owner(t, actor, new_owner, activity="Add owner to application", app_type="Application", app_id=HR_APP_OID, guest=False):
    if isinstance(new_owner, User):
        first = target("User", new_owner.id, new_owner.display, upn=new_owner.upn, props=[])
    else:
        first = target("ServicePrincipal", new_owner.spid, new_owner.name, props=[])
    pre = "Application" if app_type == "Application" else "ServicePrincipal"
    first["props"] = [prop(pre + ".ObjectID", app_id, ""), prop(pre + ".DisplayName", "Contoso HR Connector", ""), prop(pre + ".AppId", HR_APP_ID, "")]
    return Audit(activity, t, actor, [first, target(app_type, app_id, "Contoso HR Connector")], optype="Assign")


cases = each_format(AUDIT_FORMATS, [owner(WED, BOB, ALICE)], "administrator adds another user as owner", [{"level": "medium", "count": 1}])
cases[0]["alerts"][0]["message"] = "New owner alice@contoso.com (Alice Example) added to Contoso HR Connector by bob.admin@contoso.com"
cases += [
    {"name": "guest made owner: high",
     "input": graph_page([owner(WED, BOB, EVE)]), "alerts": [{"level": "high", "count": 1}]},
    {"name": "a service principal adds an owner to a service principal: high",
     "input": ual_ndjson([owner(WED, PIPELINE, ALICE, activity="Add owner to service principal", app_type="ServicePrincipal", app_id=HR_SP_ID)]),
     "alerts": [{"level": "high", "count": 1}]},
    {"name": "administrator adds themselves (app registration): low",
     "input": graph_page([owner(WED, BOB, BOB)]), "alerts": [{"level": "low", "count": 1}]},
    {"name": "another user made owner outside business hours: high",
     "input": la_json([owner(SAT, BOB, ALICE)]), "alerts": [{"level": "high", "count": 1}]},
    {"name": "negative: owner removed",
     "input": graph_page([owner(WED, BOB, ALICE, activity="Remove owner from application")]), "alerts": []},
]
write_tests("audit/app_owner_added.tests.yml", cases)

# ---------------- row 16: logout URL ----------------
lo = app_update(WED, ALICE, [prop("LogoutUrl", "https://hr.contoso.com/signout", "https://hr.contoso.com/logout")], "LogoutUrl")
cases = each_format(AUDIT_FORMATS, [lo], "logout URL moved within the tenant's domain", [{"level": "low", "count": 1}])
cases[0]["alerts"][0]["message"] = "Logout URL of Contoso HR Connector changed from 'https://hr.contoso.com/logout' to 'https://hr.contoso.com/signout' by alice@contoso.com"
cases += [
    {"name": "logout URL pointed at a plain-http foreign host: medium",
     "input": graph_page([app_update(WED, ALICE, [prop("LogoutUrl", "http://hr-sync.example.net/logout", "https://hr.contoso.com/logout")], "LogoutUrl")]),
     "alerts": [{"level": "medium", "count": 1}]},
    {"name": "logout URL blanked: medium",
     "input": ual_ndjson([app_update(WED, ALICE, [prop("LogoutUrl", "", "https://hr.contoso.com/logout")], "LogoutUrl")]),
     "alerts": [{"level": "medium", "count": 1}]},
    {"name": "negative: homepage changed",
     "input": graph_page([app_update(WED, ALICE, [prop("HomePage", "https://hr.contoso.com/home", "https://hr.contoso.com/")], "HomePage")]), "alerts": []},
]
write_tests("audit/logout_url_changed.tests.yml", cases)
