package demo

import (
	"time"
)

// trail is one CloudTrail record (the AWS CloudTrail record contents
// reference; the shape of the stratus-red-team and panther samples in
// shared/data/public).
type trail struct {
	t               time.Time
	identity        func(w *jw)
	source, name    string
	ip, ua          string
	req, resp       func(w *jw) // nil writes null
	readOnly        bool
	data            bool // a data event (S3 object access) rather than management
	resources       func(w *jw)
	eventID, reqID  string
	account, region string
	host            string
}

func (c *trail) write(w *jw) {
	w.obj("")
	w.str("eventVersion", "1.09")
	w.obj("userIdentity")
	c.identity(w)
	w.end()
	w.str("eventTime", ts(c.t, layoutSec))
	w.str("eventSource", c.source)
	w.str("eventName", c.name)
	w.str("awsRegion", c.region)
	w.str("sourceIPAddress", c.ip)
	w.str("userAgent", c.ua)
	if c.req != nil {
		w.obj("requestParameters")
		c.req(w)
		w.end()
	} else {
		w.null("requestParameters")
	}
	if c.resp != nil {
		w.obj("responseElements")
		c.resp(w)
		w.end()
	} else {
		w.null("responseElements")
	}
	w.str("requestID", c.reqID)
	w.str("eventID", c.eventID)
	w.boolean("readOnly", c.readOnly)
	if c.resources != nil {
		w.arr("resources")
		c.resources(w)
		w.end()
	}
	w.str("eventType", "AwsApiCall")
	w.boolean("managementEvent", !c.data)
	w.str("recipientAccountId", c.account)
	if c.data {
		w.str("eventCategory", "Data")
	} else {
		w.str("eventCategory", "Management")
	}
	w.obj("tlsDetails")
	w.str("tlsVersion", "TLSv1.3")
	w.str("cipherSuite", "TLS_AES_128_GCM_SHA256")
	w.str("clientProvidedHostHeader", c.host)
	w.end()
	w.end()
}

func (g *generator) newTrail(r rng, t time.Time, source, name, ip, ua string) *trail {
	host := source
	if source == "sts.amazonaws.com" || source == "ec2.amazonaws.com" {
		host = source[:len(source)-len(".amazonaws.com")] + "." + g.t.aws.region + ".amazonaws.com"
	}
	return &trail{
		t: t, source: source, name: name, ip: ip, ua: ua, eventID: r.guid(), reqID: r.guid(),
		account: g.t.aws.id, region: g.t.aws.region, host: host,
	}
}

func (g *generator) iamUser(name, principal, key string) func(w *jw) {
	a := g.t.aws
	return func(w *jw) {
		w.str("type", "IAMUser")
		w.str("principalId", principal)
		w.str("arn", "arn:aws:iam::"+a.id+":user/"+name)
		w.str("accountId", a.id)
		w.str("accessKeyId", key)
		w.str("userName", name)
	}
}

func (g *generator) assumedRole(r rng, role, session string, since time.Time, ec2 bool) func(w *jw) {
	a := g.t.aws
	key := "ASIA" + r.hexID(8)
	return func(w *jw) {
		w.str("type", "AssumedRole")
		w.str("principalId", a.rolePrincipal[role]+":"+session)
		w.str("arn", "arn:aws:sts::"+a.id+":assumed-role/"+role+"/"+session)
		w.str("accountId", a.id)
		w.str("accessKeyId", key)
		w.obj("sessionContext")
		w.obj("sessionIssuer")
		w.str("type", "Role")
		w.str("principalId", a.rolePrincipal[role])
		w.str("arn", "arn:aws:iam::"+a.id+":role/"+role)
		w.str("accountId", a.id)
		w.str("userName", role)
		w.end()
		w.obj("attributes")
		w.str("creationDate", ts(since, layoutSec))
		w.str("mfaAuthenticated", "false")
		w.end()
		if ec2 {
			w.str("ec2RoleDelivery", "2.0")
		}
		w.end()
	}
}

func awsService(svc string) func(w *jw) {
	return func(w *jw) {
		w.str("type", "AWSService")
		w.str("invokedBy", svc)
	}
}

// federatedUser is the identity of calls made with GetFederationToken
// credentials: the session issuer is the IAM user who asked for them.
func (g *generator) federatedUser(name, key string, since time.Time) func(w *jw) {
	a := g.t.aws
	return func(w *jw) {
		w.str("type", "FederatedUser")
		w.str("principalId", a.id+":"+name)
		w.str("arn", "arn:aws:sts::"+a.id+":federated-user/"+name)
		w.str("accountId", a.id)
		w.str("accessKeyId", key)
		w.obj("sessionContext")
		w.obj("sessionIssuer")
		w.str("type", "IAMUser")
		w.str("principalId", a.engPrincipal)
		w.str("arn", "arn:aws:iam::"+a.id+":user/"+a.engineer)
		w.str("accountId", a.id)
		w.str("userName", a.engineer)
		w.end()
		w.obj("attributes")
		w.str("creationDate", ts(since, layoutSec))
		w.str("mfaAuthenticated", "false")
		w.end()
		w.end()
	}
}

func s3Resources(account, bucket, key string) func(w *jw) {
	return func(w *jw) {
		if key != "" {
			w.obj("")
			w.str("type", "AWS::S3::Object")
			w.str("ARN", "arn:aws:s3:::"+bucket+"/"+key)
			w.end()
		}
		w.obj("")
		w.str("accountId", account)
		w.str("type", "AWS::S3::Bucket")
		w.str("ARN", "arn:aws:s3:::"+bucket)
		w.end()
	}
}

const (
	uaAWSCLI     = "aws-cli/2.18.5 md/awscrt#0.21.5 ua/2.0 os/linux#6.8.0 md/arch#x86_64 lang/python#3.12.6 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/distrib#ubuntu.24 md/prompt#off md/command#s3.cp"
	uaBoto3      = "Boto3/1.35.40 md/Botocore#1.35.40 ua/2.0 os/linux#6.8.0 md/arch#x86_64 lang/python#3.12.6 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.35.40"
	uaSDKGo      = "aws-sdk-go-v2/1.32.2 ua/2.1 os/linux lang/go#1.23.2 md/GOOS#linux md/GOARCH#amd64 api/s3#1.66.0"
	uaEC2Service = "ec2.amazonaws.com"
	uaTerraform  = "APN/1.0 HashiCorp/1.0 Terraform/1.9.8 (+https://www.terraform.io) terraform-provider-aws/5.72.1 (+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.32.2 ua/2.1 os/linux lang/go#1.23.2 md/GOOS#linux md/GOARCH#amd64 api/sts#1.32.2"
)
