"""CloudTrail records and Kubernetes audit events, in the containers idsentry reads.

CloudTrail: the record of "CloudTrail record contents" and the userIdentity examples of the CloudTrail user
guide (IAMUser; FederatedUser with sessionContext.sessionIssuer), laid out as the normalizer's
getfederationtoken-policy-star fixture and the stratus-red-team detonation logs; containers {"Records":[...]}
(S3 delivery), NDJSON and a JSON array. Kubernetes: audit.k8s.io/v1 Event as the API server's log backend
writes it (NDJSON), an EventList (webhook backend), AKS diagnostic records (category kube-audit, the event as
JSON text in properties.log), Log Analytics AKSAudit rows and EKS audit logs exported from CloudWatch Logs, as in
internal/normalize/testdata/other/k8s_audit; CloudTrail also as EventBridge events.
"""
from common import det_uuid, jdump, parse_t

ACCOUNT = "111122223333"
BOTO = "Boto3/1.35.54 md/Botocore#1.35.54 ua/2.0 os/linux#6.8.0 md/arch#x86_64 lang/python#3.12.3 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.35.54"
AWSCLI = "aws-cli/2.15.30 Python/3.11.8 Linux/6.5.0-1016-aws exe/x86_64.ubuntu.22 prompt/off command/sts.get-federation-token"


def iam_user(name, key="AKIAIOSFODNN7EXAMPLE"):
    return {"type": "IAMUser", "principalId": "AIDAJ45Q7YFFAREXAMPLE", "arn": f"arn:aws:iam::{ACCOUNT}:user/{name}",
            "accountId": ACCOUNT, "accessKeyId": key, "userName": name}


def federated_user(name, issuer, since, key="ASIAIOSFODNN7EXAMPLE"):
    return {"type": "FederatedUser", "principalId": f"{ACCOUNT}:{name}", "arn": f"arn:aws:sts::{ACCOUNT}:federated-user/{name}",
            "accountId": ACCOUNT, "accessKeyId": key,
            "sessionContext": {"sessionIssuer": {"type": "IAMUser", "principalId": "AIDAJ45Q7YFFAREXAMPLE",
                                                 "arn": f"arn:aws:iam::{ACCOUNT}:user/{issuer}", "accountId": ACCOUNT,
                                                 "userName": issuer},
                               "webIdFederationData": {},
                               "attributes": {"creationDate": since + "Z", "mfaAuthenticated": "false"}}}


def trail(t, source, name, ip, identity, req=None, resp=None, ua=BOTO, error=None, read_only=True, n=0):
    rec = {"eventVersion": "1.08", "userIdentity": identity, "eventTime": t + "Z", "eventSource": source,
           "eventName": name, "awsRegion": "us-east-1", "sourceIPAddress": ip, "userAgent": ua}
    if error:
        rec["errorCode"] = error
        rec["errorMessage"] = f"User: {identity.get('arn')} is not authorized to perform: {source.split('.')[0]}:{name}"
    rec.update({"requestParameters": req, "responseElements": None if error else resp,
                "requestID": det_uuid("req", t, name, ip, n), "eventID": det_uuid("ev", t, name, ip, n),
                "readOnly": read_only, "eventType": "AwsApiCall", "managementEvent": True,
                "recipientAccountId": ACCOUNT, "eventCategory": "Management"})
    if source.endswith(".amazonaws.com") and not ip.endswith(".amazonaws.com"):
        rec["tlsDetails"] = {"tlsVersion": "TLSv1.3", "cipherSuite": "TLS_AES_128_GCM_SHA256", "clientProvidedHostHeader": source}
    return rec


def get_federation_token(t, ip, issuer, fed_name, policy=None, policy_arns=None, error=None, ua=AWSCLI, n=0):
    req = {"name": fed_name, "durationSeconds": 43200}
    if policy is not None:
        req["policy"] = jdump(policy)
    if policy_arns:
        req["policyArns"] = [{"arn": a} for a in policy_arns]
    resp = {"credentials": {"accessKeyId": "ASIAIOSFODNN7EXAMPLE", "expiration": "Nov 18, 2026, 10:15:00 PM"},
            "federatedUser": {"federatedUserId": f"{ACCOUNT}:{fed_name}", "arn": f"arn:aws:sts::{ACCOUNT}:federated-user/{fed_name}"},
            "packedPolicySize": 9}
    return trail(t, "sts.amazonaws.com", "GetFederationToken", ip, iam_user(issuer), req=req, resp=resp, ua=ua, error=error, n=n)


def records(recs):
    return "{\"Records\":[\n" + ",\n".join(jdump(r) for r in recs) + "\n]}\n"


def ndjson(recs):
    return "".join(jdump(r) + "\n" for r in recs)


def json_array(recs):
    return "[\n" + ",\n".join(jdump(r) for r in recs) + "\n]\n"


def eventbridge(recs):
    """Amazon EventBridge events carrying the records ("AWS API Call via CloudTrail"), one per line."""
    out = []
    for r in recs:
        out.append(jdump({"version": "0", "id": det_uuid("eb", r["eventID"]), "detail-type": "AWS API Call via CloudTrail",
                          "source": "aws." + r["eventSource"].split(".")[0], "account": ACCOUNT, "time": r["eventTime"],
                          "region": r["awsRegion"], "resources": [], "detail": r}) + "\n")
    return "".join(out)


CLOUDTRAIL_FORMATS = [("CloudTrail Records file", records), ("CloudTrail NDJSON", ndjson), ("CloudTrail JSON array", json_array),
                      ("EventBridge events", eventbridge)]

# ---- Kubernetes ----
K8S_VERSION = "v1.30.4"
KUBECTL = f"kubectl/{K8S_VERSION} (linux/amd64) kubernetes/a51b3b7"


def sa(ns, name):
    return f"system:serviceaccount:{ns}:{name}", ["system:serviceaccounts", f"system:serviceaccounts:{ns}", "system:authenticated"]


def uri(resource, ns=None, name=None, sub=None, group=None, version="v1"):
    base = f"/apis/{group}/{version}" if group else f"/api/{version}"
    p = base + (f"/namespaces/{ns}" if ns else "") + f"/{resource}" + (f"/{name}" if name else "") + (f"/{sub}" if sub else "")
    return p


def kev(t, verb, user, groups, resource, ns=None, name=None, sub=None, code=200, ip="10.244.1.23", ua=KUBECTL,
        stage="ResponseComplete", extra=None, n=0, reason=None):
    audit_id = det_uuid("k8s", t, verb, user, resource, ns, name, n)
    obj = {"resource": resource}
    if ns:
        obj["namespace"] = ns
    if name:
        obj["name"] = name
    obj["apiVersion"] = "v1"
    if sub:
        obj["subresource"] = sub
    u = {"username": user, "uid": det_uuid("uid", user), "groups": groups}
    if extra:
        u["extra"] = extra
    e = {"kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "Metadata", "auditID": audit_id, "stage": stage,
         "requestURI": uri(resource, ns, name, sub) + ("?limit=500" if verb == "list" else ""), "verb": verb, "user": u,
         "sourceIPs": [ip], "userAgent": ua, "objectRef": obj}
    if stage != "RequestReceived":
        st = {"metadata": {}, "code": code}
        if code == 403:
            scope = f'in the namespace "{ns}"' if ns else "at the cluster scope"
            what = f'{resource} "{name}"' if name else resource
            st.update({"status": "Failure", "message": f'{what} is forbidden: User "{user}" cannot {verb} resource "{resource}" in API group "" {scope}',
                       "reason": "Forbidden", "details": {"kind": resource}})
        e["responseStatus"] = st
    e["requestReceivedTimestamp"] = t + ".003112Z"
    e["stageTimestamp"] = t + ".006890Z"
    ann = {"authorization.k8s.io/decision": "forbid" if code == 403 else "allow",
           "authorization.k8s.io/reason": reason or ("" if code == 403 else "RBAC: allowed by RoleBinding")}
    e["annotations"] = ann
    return e


def k8s_ndjson(evs):
    return "".join(jdump(e) + "\n" for e in evs)


def k8s_eventlist(evs):
    return jdump({"kind": "EventList", "apiVersion": "audit.k8s.io/v1", "metadata": {}, "items": evs}) + "\n"


def aks_records(evs):
    recs = []
    for e in evs:
        recs.append({"time": e["stageTimestamp"][:-1] + "1Z", "resourceId": "/SUBSCRIPTIONS/A921D5D4-BDB7-43C3-AA01-88C6AE24992F/RESOURCEGROUPS/AKS-RG/PROVIDERS/MICROSOFT.CONTAINERSERVICE/MANAGEDCLUSTERS/PROD-AKS",
                     "category": "kube-audit", "operationName": "Microsoft.ContainerService/managedClusters/diagnosticLogs/Read",
                     "properties": {"log": jdump(e), "stream": "stdout", "pod": "kube-apiserver-6f7c8d9b5-k2l3m"}})
    return "{\"records\":[\n" + ",\n".join(jdump(r) for r in recs) + "\n]}\n"


def ms(t):
    d = parse_t(t[:19])
    return int(d.timestamp() * 1000) + int(t[20:23])


def eks_cloudwatch(evs):
    """EKS control-plane audit logs exported from CloudWatch Logs: the event as JSON text in message."""
    return "".join(jdump({"logStreamName": "kube-apiserver-audit-4e1b2c7d9a3f5e6b8c0d", "timestamp": ms(e["stageTimestamp"]),
                          "message": jdump(e), "ingestionTime": ms(e["stageTimestamp"]) + 1809,
                          "eventId": str(int(det_uuid("cw", e["auditID"]).replace("-", ""), 16))[:56]}) + "\n" for e in evs)


def aks_la(evs):
    """Log Analytics AKSAudit rows (resource-specific table of the AKS kube-audit category)."""
    rows = []
    for e in evs:
        rows.append({"TenantId": "b9e1f7a2-6c4d-4e3b-a5f0-1d2c3b4a5e6f", "TimeGenerated": e["stageTimestamp"][:-1] + "1Z",
                     "Level": e["level"], "AuditId": e["auditID"], "Stage": e["stage"], "RequestUri": e["requestURI"],
                     "Verb": e["verb"], "User": e["user"], "SourceIps": e["sourceIPs"], "UserAgent": e["userAgent"],
                     "ObjectRef": e["objectRef"], "ResponseStatus": e.get("responseStatus"), "RequestObject": None,
                     "ResponseObject": None, "RequestReceivedTime": e["requestReceivedTimestamp"],
                     "StageReceivedTime": e["stageTimestamp"], "Annotations": e["annotations"],
                     "PodName": "kube-apiserver-6f7c8d9b5-k2l3m", "SourceSystem": "Azure", "Type": "AKSAudit",
                     "_ResourceId": "/subscriptions/a921d5d4-bdb7-43c3-aa01-88c6ae24992f/resourcegroups/aks-rg/providers/microsoft.containerservice/managedclusters/prod-aks"})
    return "[\n" + ",\n".join(jdump(r) for r in rows) + "\n]\n"


K8S_FORMATS = [("audit log NDJSON", k8s_ndjson), ("EventList", k8s_eventlist), ("AKS kube-audit records", aks_records),
               ("AKSAudit Log Analytics JSON", aks_la), ("EKS CloudWatch Logs export", eks_cloudwatch)]
