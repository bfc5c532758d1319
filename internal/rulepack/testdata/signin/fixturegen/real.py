"""Real public samples (shared/data/public) as rule-test inputs: each is copied verbatim into
rules/<dir>/testdata/ and every alert the rules of signin/, aws/ and k8s/ raise on it is listed in a test
with the reason. emit.write_tests appends these cases to the rule's generated cases."""
import os

from common import PUBLIC, RULES

# name in rules/<dir>/testdata → path under shared/data/public (whole files; CloudTrail is the STS subset).
SIGNIN = {
    "panther-azure-audit.ndjson": "panther-analysis/Azure_Audit.ndjson",
    "elastic-noninteractive-signins.ndjson": "elastic-integrations/azure-signinlogs/test-non-interactive-user-sample.lines1-6.log",
    "elastic-signinlogs-raw.ndjson": "elastic-integrations/azure-signinlogs/test-signinlogs-raw.log",
    "msdocs-azure-monitor-signin.json": "microsoft-docs/entra-docs/azure-monitor-signin-schema-example.json",
    "msdocs-graph-beta-signins.json": "microsoft-docs/graph-docs/beta-signin-list-example1-response.json",
    "elastic-o365-sts-logon.ndjson": "elastic-integrations/o365-audit/test-azuread-sts-logon-events.events1-3.original.ndjson",
    "panther-o365-aad.ndjson": "panther-analysis/Microsoft365_Audit_AzureActiveDirectory.ndjson",
}
K8S = {
    "panther-eks-audit.ndjson": "panther-analysis/Amazon_EKS_Audit.ndjson",
    "elastic-k8s-audit.ndjson": "elastic-integrations/kubernetes-audit/test-audit.log",
}
AWS_SUBSET = ("panther-cloudtrail-sts.ndjson", "panther-analysis/AWS_CloudTrail.ndjson")


def copy_samples():
    """Copies the samples; returns False (and copies nothing) when shared/ is absent."""
    if not os.path.isdir(PUBLIC):
        return False
    for d, files in (("signin", SIGNIN), ("k8s", K8S)):
        os.makedirs(os.path.join(RULES, d, "testdata"), exist_ok=True)
        for name, src in files.items():
            with open(os.path.join(PUBLIC, src), "rb") as f:
                data = f.read()
            with open(os.path.join(RULES, d, "testdata", name), "wb") as f:
                f.write(data)
    # The STS and federated-user records of Panther's CloudTrail tests (the whole file is 475 records of
    # every AWS service; these are the ones the aws/ rules could match).
    name, src = AWS_SUBSET
    os.makedirs(os.path.join(RULES, "aws", "testdata"), exist_ok=True)
    with open(os.path.join(PUBLIC, src)) as f, open(os.path.join(RULES, "aws", "testdata", name), "w") as out:
        for line in f:
            if '"sts.amazonaws.com"' in line or '"FederatedUser"' in line:
                out.write(line)
    return True


PANTHER = "Panther's Azure.Audit rule tests (hand-written Azure Monitor records; dates from 2023-07 to 2025-01)"


def none(files, what):
    return [{"name": f"real sample {f}: no alert ({what})", "input_file": "testdata/" + f, "alerts": []} for f in files]


SIGNIN_QUIET = ["elastic-noninteractive-signins.ndjson", "elastic-signinlogs-raw.ndjson", "msdocs-azure-monitor-signin.json",
                "msdocs-graph-beta-signins.json", "elastic-o365-sts-logon.ndjson", "panther-o365-aad.ndjson"]

REAL = {
    "signin/consent_denied.tests.yml": none(list(SIGNIN), "no sign-in with error 65004"),
    "signin/mfa_rejected.tests.yml": none(list(SIGNIN), "no sign-in with error 500121"),
    "signin/app_token_abuse.tests.yml":
        none(["elastic-noninteractive-signins.ndjson"], "six non-interactive single-factor sign-ins of one user, one IP: under the seed's HAVING") +
        none(["panther-azure-audit.ndjson"], "one python-requests sign-in of a service principal, not a user token") +
        none(SIGNIN_QUIET[1:], "no non-interactive single-factor user sign-in"),
    "signin/account_lockout.tests.yml": [
        {"name": f"real sample {PANTHER}: boromir's 50053 alerts; user1@microsoft.com's, from AS8075, does not",
         "input_file": "testdata/panther-azure-audit.ndjson",
         "alerts": [{"level": "low", "count": 1, "group": {"userPrincipalName": "boromir@lotr.com"}}]}] +
        none(SIGNIN_QUIET, "no 50053"),
    "signin/risky_signin_success.tests.yml": [
        {"name": f"real sample {PANTHER}: aragorn (high, confirmedCompromised) and john (high, atRisk); cross's dismissed risk does not alert",
         "input_file": "testdata/panther-azure-audit.ndjson",
         "alerts": [{"level": "high", "group": {"userPrincipalName": "aragorn@lotr.com"}},
                    {"level": "high", "group": {"userPrincipalName": "john@justice.org"}}]}] +
        none(SIGNIN_QUIET, "no medium or high sign-in risk"),
    "signin/legacy_auth_success.tests.yml": [
        {"name": f"real sample {PANTHER}: eve's Authenticated SMTP sign-in (homer's record repeats its ID and is dropped as a duplicate export)",
         "input_file": "testdata/panther-azure-audit.ndjson",
         "alerts": [{"level": "medium", "count": 1, "group": {"userPrincipalName": "eve@lexcorp.com"}, "values": {"clientAppUsed": ["Authenticated SMTP"]}}]}] +
        none(SIGNIN_QUIET, "browser and modern clients only"),
    "signin/ropc_signin.tests.yml": [
        {"name": f"real sample {PANTHER}: eve's BAV2ROPC sign-in (authenticationProtocol misspelt rpoc, matched by the user agent)",
         "input_file": "testdata/panther-azure-audit.ndjson",
         "alerts": [{"level": "medium", "count": 1, "group": {"userPrincipalName": "eve@lexcorp.com"}}]}] +
        none(SIGNIN_QUIET, "no ROPC"),
    "signin/user_new_country.tests.yml": [
        {"name": f"real sample {PANTHER}: aragorn (China), normaluser (United States) and john (RU) - users first seen after the 3-day learning period that starts at eve's 2023-07-21 sign-in",
         "input_file": "testdata/panther-azure-audit.ndjson",
         "alerts": [{"level": "low", "group": {"userPrincipalName": "aragorn@lotr.com", "location.countryOrRegion": "China"}},
                    {"level": "low", "group": {"userPrincipalName": "normaluser@company.com", "location.countryOrRegion": "United States"}},
                    {"level": "low", "group": {"userPrincipalName": "john@justice.org", "location.countryOrRegion": "RU"}}]}] +
        none(SIGNIN_QUIET, "every sample spans less than the learning period"),
    "signin/attack_tool_user_agent.tests.yml": none(list(SIGNIN), "no offensive tool user agent"),
    "signin/password_spray.tests.yml": none(list(SIGNIN), "no burst of failures"),
    "signin/device_code_signin.tests.yml": none(list(SIGNIN), "no device code sign-in"),
    "signin/sp_new_country.tests.yml": none(["panther-azure-audit.ndjson"], "one successful service principal sign-in, in the learning period") +
        none(["elastic-signinlogs-raw.ndjson"], "one sign-in per category"),
    "aws/sts_get_federation_token.tests.yml": none([AWS_SUBSET[0]], "Panther's STS and federated-user records hold no GetFederationToken"),
    "aws/sts_federated_user_other_ip.tests.yml": none([AWS_SUBSET[0]], "federated-user records without a GetFederationToken"),
    "k8s/sa_secrets_access.tests.yml": none(list(K8S), "service-account secret reads there were refused (403)"),
    "k8s/sa_forbidden_namespaces.tests.yml": none(list(K8S), "each service account refused in one namespace at most"),
    "k8s/sa_token_request.tests.yml": none(list(K8S), "TokenRequests by kubelets (system:node:*) only"),
}
