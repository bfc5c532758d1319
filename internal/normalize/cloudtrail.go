package normalize

import (
	"bytes"
	"time"

	"github.com/idsentry/idsentry/internal/event"
	"github.com/idsentry/idsentry/internal/ingest"
	"github.com/valyala/fastjson"
)

// AWS CloudTrail records. The canonical shape is the CloudTrail record as
// documented in "CloudTrail record contents" (AWS CloudTrail User Guide,
// cloudtrail-event-reference-record-contents): it is kept as it is, with
// three additions:
//
//   - requestParameters.policyDocument: the parsed JSON of an inline
//     session policy (requestParameters.policy of sts:GetFederationToken,
//     sts:AssumeRole*, kms:PutKeyPolicy, …) or of IAM's own
//     requestParameters.policyDocument string (PutUserPolicy, CreatePolicy,
//     UpdateAssumeRolePolicy, …); the original text is kept in
//     requestParameters.policyDocumentText. requestParameters.policy itself
//     is left as it was. The same is done for assumeRolePolicyDocument
//     (iam:CreateRole), text in assumeRolePolicyDocumentText.
//   - requestParameters given as a JSON string (seen in hand-written
//     samples) is parsed into the object CloudTrail documents.
//   - top-level keys in the wrong case (Panther's lower-cased samples:
//     "eventname", "useridentity") get their documented spelling.
//
// sourceIPAddress is never validated: CloudTrail writes service names
// ("iam.amazonaws.com") and anonymised samples use leading-zero octets
// ("255.090.254.5") that strict IP parsers reject; the raw string is kept.
//
// Accepted containers: {"Records":[…]} files, NDJSON, JSON arrays, and
// EventBridge events ({"detail-type":"AWS API Call via CloudTrail",
// "detail":{…}}).

// cloudTrailFields are the documented top-level record fields.
var cloudTrailFields = []string{
	"eventVersion", "eventTime", "eventSource", "eventName", "awsRegion", "sourceIPAddress", "userAgent",
	"userIdentity", "requestParameters", "responseElements", "additionalEventData", "requestID", "eventID",
	"eventType", "apiVersion", "managementEvent", "readOnly", "resources", "recipientAccountId",
	"serviceEventDetails", "sharedEventID", "vpcEndpointId", "vpcEndpointAccountId", "eventCategory",
	"addendum", "sessionCredentialFromConsole", "edgeDeviceDetails", "tlsDetails", "errorCode", "errorMessage",
	"insightDetails",
}

var cloudTrailLower = lowerIndex(cloudTrailFields...)

func init() {
	register(shape{format: "cloudtrail", kind: event.KindCloudTrail, priority: 52,
		detect: detectCloudTrail, normalize: normalizeCloudTrail})
	register(shape{format: "eventbridge", kind: event.KindCloudTrail, priority: 53,
		detect: detectEventBridgeCloudTrail, normalize: normalizeEventBridgeCloudTrail})

	k := event.KindCloudTrail
	addFields(k, cloudTrailFields...)
	addFields(k,
		"userIdentity.type", "userIdentity.principalId", "userIdentity.arn", "userIdentity.accountId",
		"userIdentity.accessKeyId", "userIdentity.userName", "userIdentity.invokedBy", "userIdentity.identityProvider",
		"userIdentity.credentialId", "userIdentity.onBehalfOf.userId", "userIdentity.onBehalfOf.identityStoreArn",
		"userIdentity.sessionContext.attributes.creationDate", "userIdentity.sessionContext.attributes.mfaAuthenticated",
		"userIdentity.sessionContext.sessionIssuer.type", "userIdentity.sessionContext.sessionIssuer.principalId",
		"userIdentity.sessionContext.sessionIssuer.arn", "userIdentity.sessionContext.sessionIssuer.accountId",
		"userIdentity.sessionContext.sessionIssuer.userName", "userIdentity.sessionContext.sourceIdentity",
		"userIdentity.sessionContext.ec2RoleDelivery",
		"userIdentity.sessionContext.webIdFederationData.federatedProvider",
		"userIdentity.sessionContext.webIdFederationData.attributes",
		"resources.ARN", "resources.accountId", "resources.type",
		"tlsDetails.tlsVersion", "tlsDetails.cipherSuite", "tlsDetails.clientProvidedHostHeader",
		"additionalEventData.MFAUsed", "responseElements.ConsoleLogin",
		"requestParameters.name", "requestParameters.policy", "requestParameters.policyArns",
		"requestParameters.durationSeconds", "requestParameters.roleArn", "requestParameters.roleSessionName",
		"requestParameters.userName", "requestParameters.roleName", "requestParameters.policyName",
		"requestParameters.policyDocument", "requestParameters.policyDocumentText",
		"requestParameters.assumeRolePolicyDocument", "requestParameters.assumeRolePolicyDocumentText",
		// IAM policy grammar inside the parsed documents.
		"requestParameters.policyDocument.Version", "requestParameters.policyDocument.Statement.Sid",
		"requestParameters.policyDocument.Statement.Effect", "requestParameters.policyDocument.Statement.Action",
		"requestParameters.policyDocument.Statement.NotAction", "requestParameters.policyDocument.Statement.Resource",
		"requestParameters.policyDocument.Statement.NotResource", "requestParameters.policyDocument.Statement.Principal",
		"requestParameters.policyDocument.Statement.Condition",
		"requestParameters.assumeRolePolicyDocument.Statement.Effect",
		"requestParameters.assumeRolePolicyDocument.Statement.Action",
		"requestParameters.assumeRolePolicyDocument.Statement.Principal",
		"requestParameters.assumeRolePolicyDocument.Statement.Condition",
		"responseElements.credentials.accessKeyId", "responseElements.federatedUser.arn",
		"responseElements.federatedUser.federatedUserId", "responseElements.assumedRoleUser.arn",
	)
	addSynthesized(k, "eventTime", "requestParameters.policyDocument", "requestParameters.assumeRolePolicyDocument")
}

func detectCloudTrail(v *fastjson.Value, c ingest.Container) bool {
	if c == ingest.ContainerCloudTrail || pantherLogType(v, "AWS.CloudTrail") {
		return true
	}
	if strBytes(getFold(v, "eventName")) == nil {
		return false
	}
	src := strBytes(getFold(v, "eventSource"))
	// awsRegion is CloudTrail's own; hand-written samples may lack eventSource.
	return bytes.HasSuffix(src, []byte(".amazonaws.com")) || getFold(v, "awsRegion") != nil ||
		(len(src) > 0 && (getFold(v, "eventTime") != nil || getFold(v, "eventVersion") != nil))
}

func normalizeCloudTrail(n *Normalizer, v *fastjson.Value, ev *event.Event) error {
	doc := n.canonKeys(v, cloudTrailLower)
	if rp := doc.Get("requestParameters"); rp != nil && rp.Type() == fastjson.TypeString {
		if p := n.embeddedJSON(rp); p != nil && p.Type() == fastjson.TypeObject {
			doc.Set("requestParameters", p)
		}
	}
	if rp := doc.Get("requestParameters"); rp != nil && rp.Type() == fastjson.TypeObject {
		n.parsePolicies(rp)
	}
	ev.Doc = doc
	ev.ID = strOf(doc.Get("eventID"))
	ev.Subtype = strOf(doc.Get("eventSource"))
	if t, ok := n.setUTCTime(doc, "eventTime", time.RFC3339Nano); ok {
		ev.Time = t
	}
	return nil
}

// parsePolicies parses the JSON policy documents CloudTrail records as
// strings inside requestParameters (see the file comment).
func (n *Normalizer) parsePolicies(rp *fastjson.Value) {
	if pd := rp.Get("policyDocument"); pd != nil {
		if p := n.embeddedJSON(pd); p != nil {
			rp.Set("policyDocumentText", pd)
			rp.Set("policyDocument", p)
		}
	} else if pol := rp.Get("policy"); pol != nil {
		if p := n.embeddedJSON(pol); p != nil {
			rp.Set("policyDocumentText", pol)
			rp.Set("policyDocument", p)
		}
	}
	if ar := rp.Get("assumeRolePolicyDocument"); ar != nil {
		if p := n.embeddedJSON(ar); p != nil {
			rp.Set("assumeRolePolicyDocumentText", ar)
			rp.Set("assumeRolePolicyDocument", p)
		}
	}
}

// detectEventBridgeCloudTrail accepts an Amazon EventBridge event that
// carries a CloudTrail record in "detail" (detail-type "AWS API Call via
// CloudTrail", "AWS Console Sign In via CloudTrail", …).
func detectEventBridgeCloudTrail(v *fastjson.Value, _ ingest.Container) bool {
	d := v.Get("detail")
	return bytes.Contains(strBytes(v.Get("detail-type")), []byte("CloudTrail")) && d != nil &&
		d.Type() == fastjson.TypeObject
}

func normalizeEventBridgeCloudTrail(n *Normalizer, v *fastjson.Value, ev *event.Event) error {
	return normalizeCloudTrail(n, v.Get("detail"), ev)
}
