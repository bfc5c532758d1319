package demo

import (
	"fmt"
	"strings"
	"time"
)

var (
	docNames = []string{"Q4 forecast.xlsx", "Team offsite agenda.docx", "Customer onboarding checklist.docx", "Board deck draft.pptx", "Expense policy 2026.pdf", "Project plan.xlsx", "Meeting notes.docx", "Architecture overview.vsdx", "Release checklist.docx", "Hiring plan.xlsx"}
	subjects = []string{"Re: Weekly sync", "Updated forecast", "Agenda for Thursday", "Re: Customer follow-up", "Invoice approval", "Notes from today", "Re: Release timeline", "Quick question", "Draft for review", "FW: Conference registration"}
)

// bgMailSync is Outlook desktop syncing the owner's mailbox: no AppId,
// MAPI client string, Sync access.
func (g *generator) bgMailSync(u *user, t time.Time) {
	if g.ualDisabled(t) {
		return
	}
	r := g.bg
	folders := []string{"\\Inbox"}
	if r.chance(0.3) {
		folders = append(folders, "\\Sent Items")
	}
	rec := g.mailItemsAccessed(r, t, mailAccess{
		owner: u, ip: u.ip, clientInfo: "Client=MSExchangeRPC", accessType: "Sync", folders: folders,
		mailboxGUID: mailboxGUID(u), server: g.exchangeServer(r),
	}, g.t.initialDomain)
	g.emit(g.ualRec(rec, choose(r, mixUAL)))
}

func (g *generator) bgSend(u *user, t time.Time) {
	if g.ualDisabled(t) {
		return
	}
	g.emit(g.ualRec(g.mailSend(g.bg, t, u, pick(g.bg, subjects)), choose(g.bg, mixUAL)))
}

func (g *generator) bgFile(u *user, t time.Time) {
	if g.ualDisabled(t) {
		return
	}
	r := g.bg
	site := "https://contoso.sharepoint.example/sites/" + strings.ReplaceAll(u.department, " ", "") + "/"
	path := "Shared Documents/" + pick(r, docNames)
	if r.chance(0.4) {
		site = "https://contoso-my.sharepoint.example/personal/" + strings.ToLower(u.given+"_"+u.surname) + "_contoso_example/"
		path = "Documents/" + pick(r, docNames)
	}
	op := "FileAccessed"
	switch x := r.Float64(); {
	case x < 0.2:
		op = "FileModified"
	case x < 0.3:
		op = "FileUploaded"
	}
	ag := u.desktop.agent
	if r.chance(0.3) {
		ag = uaOneDrive
	}
	g.emit(g.ualRec(g.fileOp(r, t, u, op, site, path, ag), choose(r, mixUAL)))
}

// ualDisabled reports whether unified audit logging is off at t (story
// S7f turns it off near the end of the window).
func (g *generator) ualDisabled(t time.Time) bool {
	return !g.ualOffAt.IsZero() && !t.Before(g.ualOffAt)
}

// cloudStreams adds the Key Vault, Azure Activity, CloudTrail and
// Kubernetes background.
func (g *generator) cloudStreams(add func(string, volume, func(time.Time) float64, func(*generator, time.Time))) {
	nyc, ber := sites[0], sites[3]
	add("kv-payroll", volFixed, func(t time.Time) float64 { return businessRate(nyc, t, 1.6) }, (*generator).bgSecretGet)
	add("activity-vm", volFixed, func(t time.Time) float64 {
		_, wd := siteAzure.local(t)
		h := t.UTC().Hour()
		// 13:00 and 22:00 UTC: 08:00 and 17:00 at headquarters.
		if wd != time.Saturday && wd != time.Sunday && (h == 13 || h == 22) && t.UTC().Minute() < 30 {
			return 6
		}
		return 0
	}, (*generator).bgVMSchedule)
	add("activity-deploy", volFixed, func(t time.Time) float64 { return businessRate(ber, t, 0.25) }, (*generator).bgDeployment)

	add("aws-ci-assume", volFixed, func(t time.Time) float64 { return businessRate(nyc, t, 2) }, (*generator).bgCIAssumeRole)
	add("aws-ci-identity", volFixed, func(t time.Time) float64 { return businessRate(nyc, t, 0.5) }, (*generator).bgCIIdentity)
	add("aws-ec2-assume", volFixed, constRate(1), (*generator).bgEC2AssumeRole)
	add("aws-s3", volBulk, constRate(5), (*generator).bgS3)
	add("aws-describe", volBulk, constRate(2), (*generator).bgDescribe)
	eng := g.t.aws.engineerUser.site
	add("aws-engineer", volFixed, func(t time.Time) float64 { return businessRate(eng, t, 0.2) }, (*generator).bgEngineerAWS)

	for _, c := range k8sControllers {
		c := c
		add("k8s-"+c.name, volBulk, constRate(c.rate), func(g *generator, t time.Time) { g.bgK8s(c, t) })
	}
}

func (g *generator) bgSecretGet(t time.Time) {
	r := g.bg
	p := g.t.payroll
	secret := "payroll-db-connection"
	if r.chance(0.2) {
		secret = "payroll-sftp-password"
	}
	id, fn := g.kvEvent(r, t, kvCaller{oid: p.spID, appID: p.appID, ip: p.ip,
		client: "azsdk-net-Security.KeyVault.Secrets/4.6.0 (.NET 8.0.10; Microsoft Windows 10.0.20348)"}, "SecretGet", secret)
	f := g.fam.kvNDJSON
	if choose(r, mixAzure) == toEventHub {
		f = g.fam.kvRecords
	}
	g.emit(g.jsonRec(t, f, id, fn))
}

func (g *generator) activityFamily(r rng) *family {
	if choose(r, mixAzure) == toEventHub {
		return g.fam.activityEH
	}
	return g.fam.activityJSON
}

// bgVMSchedule is the automation identity starting VMs in the morning and
// deallocating them in the evening.
func (g *generator) bgVMSchedule(t time.Time) {
	r := g.bg
	m := g.t.mis[1]
	vm := fmt.Sprintf("vm-app-%02d", 1+r.IntN(4))
	op, action := "MICROSOFT.COMPUTE/VIRTUALMACHINES/START/ACTION", "Microsoft.Compute/virtualMachines/start/action"
	if t.UTC().Hour() >= 18 {
		op, action = "MICROSOFT.COMPUTE/VIRTUALMACHINES/DEALLOCATE/ACTION", "Microsoft.Compute/virtualMachines/deallocate/action"
	}
	c := activityCaller{oid: m.spID, appID: m.appID, principalType: "ServicePrincipal", role: "Contributor", ip: m.ip}
	id, fn := g.activityEvent(r, t, c, op, action, g.resource("Microsoft.Compute/virtualMachines/"+vm), "Accepted", nil)
	g.emit(g.jsonRec(t, g.activityFamily(r), id, fn))
}

// bgDeployment is the cloud engineer deploying during her working day.
func (g *generator) bgDeployment(t time.Time) {
	r := g.bg
	u := g.t.appAdmin
	c := activityCaller{upn: u.upn, name: u.display, oid: u.id, appID: appAzurePortal, principalType: "User", role: "Owner", ip: u.ip}
	op, action, res := "MICROSOFT.RESOURCES/DEPLOYMENTS/WRITE", "Microsoft.Resources/deployments/write",
		g.resource(fmt.Sprintf("Microsoft.Resources/deployments/app-release-%d", 100+r.IntN(900)))
	if r.chance(0.4) {
		op, action, res = "MICROSOFT.WEB/SITES/CONFIG/WRITE", "Microsoft.Web/sites/config/write", g.resource("Microsoft.Web/sites/app-contoso-web/config/appsettings")
	}
	id, fn := g.activityEvent(r, t, c, op, action, res, "Created", nil)
	g.emit(g.jsonRec(t, g.activityFamily(r), id, fn))
}

func (g *generator) bgCIAssumeRole(t time.Time) {
	r := g.bg
	a := g.t.aws
	session := fmt.Sprintf("ci-deploy-%d", 100000+r.IntN(900000))
	c := g.newTrail(r, t, "sts.amazonaws.com", "AssumeRole", a.ciIP.String(), uaTerraform)
	c.identity = g.iamUser(a.ciUser, a.ciPrincipal, a.ciKey)
	c.readOnly = true
	roleArn := "arn:aws:iam::" + a.id + ":role/ci-deploy"
	c.req = func(w *jw) {
		w.str("roleArn", roleArn)
		w.str("roleSessionName", session)
		w.num("durationSeconds", 3600)
	}
	key := "ASIA" + r.hexID(8)
	c.resp = func(w *jw) {
		w.obj("credentials")
		w.str("accessKeyId", key)
		w.str("sessionToken", r.token(48))
		w.str("expiration", t.Add(time.Hour).Format("Jan 2, 2006, 3:04:05 PM"))
		w.end()
		w.obj("assumedRoleUser")
		w.str("assumedRoleId", a.rolePrincipal["ci-deploy"]+":"+session)
		w.str("arn", "arn:aws:sts::"+a.id+":assumed-role/ci-deploy/"+session)
		w.end()
	}
	c.resources = func(w *jw) {
		w.obj("")
		w.str("accountId", a.id)
		w.str("type", "AWS::IAM::Role")
		w.str("ARN", roleArn)
		w.end()
	}
	g.emit(g.jsonRec(t, g.fam.cloudtrail, c.eventID, c.write))
	// The pipeline then uploads its build artefact with the role.
	put := t.Add(r.between(5*time.Second, 40*time.Second)).Truncate(time.Second)
	p := g.newTrail(r, put, "s3.amazonaws.com", "PutObject", a.ciIP.String(), uaAWSCLI)
	p.identity = g.assumedRole(r, "ci-deploy", session, t, false)
	p.data = true
	obj := fmt.Sprintf("releases/app-%d.zip", 1000+r.IntN(9000))
	p.req = func(w *jw) {
		w.str("bucketName", "contoso-app-artifacts")
		w.str("Host", "contoso-app-artifacts.s3.us-east-1.amazonaws.com")
		w.str("key", obj)
	}
	p.resources = s3Resources(a.id, "contoso-app-artifacts", obj)
	g.defer1(g.jsonRec(put, g.fam.cloudtrail, p.eventID, p.write))
}

func (g *generator) bgCIIdentity(t time.Time) {
	r := g.bg
	a := g.t.aws
	c := g.newTrail(r, t, "sts.amazonaws.com", "GetCallerIdentity", a.ciIP.String(), uaTerraform)
	c.identity = g.iamUser(a.ciUser, a.ciPrincipal, a.ciKey)
	c.readOnly = true
	g.emit(g.jsonRec(t, g.fam.cloudtrail, c.eventID, c.write))
}

func (g *generator) bgEC2AssumeRole(t time.Time) {
	r := g.bg
	a := g.t.aws
	inst := "i-0" + strings.ToLower(r.hexID(8))[:16]
	c := g.newTrail(r, t, "sts.amazonaws.com", "AssumeRole", uaEC2Service, uaEC2Service)
	c.identity = awsService("ec2.amazonaws.com")
	c.readOnly = true
	roleArn := "arn:aws:iam::" + a.id + ":role/ec2-app-role"
	c.req = func(w *jw) {
		w.str("roleArn", roleArn)
		w.str("roleSessionName", inst)
	}
	c.resp = func(w *jw) {
		w.obj("credentials")
		w.str("accessKeyId", "ASIA"+r.hexID(8))
		w.str("sessionToken", r.token(48))
		w.str("expiration", t.Add(6*time.Hour).Format("Jan 2, 2006, 3:04:05 PM"))
		w.end()
		w.obj("assumedRoleUser")
		w.str("assumedRoleId", a.rolePrincipal["ec2-app-role"]+":"+inst)
		w.str("arn", "arn:aws:sts::"+a.id+":assumed-role/ec2-app-role/"+inst)
		w.end()
	}
	g.emit(g.jsonRec(t, g.fam.cloudtrail, c.eventID, c.write))
}

func (g *generator) bgS3(t time.Time) {
	r := g.bg
	a := g.t.aws
	bucket := pick(r, a.buckets[:2])
	name, key := "GetObject", fmt.Sprintf("data/%d/part-%05d.parquet", 2026, r.IntN(5000))
	if r.chance(0.3) {
		name, key = "ListObjects", ""
	}
	ip := hostIn(siteAzure.v4, 50+r.IntN(4)).String() // the application's NAT gateway
	c := g.newTrail(r, t, "s3.amazonaws.com", name, ip, uaBoto3)
	inst := "i-0a1b2c3d4e5f60718"
	c.identity = g.assumedRole(r, "ec2-app-role", inst, t.Add(-2*time.Hour), true)
	c.data, c.readOnly = true, true
	c.req = func(w *jw) {
		w.str("bucketName", bucket)
		w.str("Host", bucket+".s3.us-east-1.amazonaws.com")
		if key != "" {
			w.str("key", key)
		} else {
			w.str("prefix", "data/")
		}
	}
	c.resources = s3Resources(a.id, bucket, key)
	g.emit(g.jsonRec(t, g.fam.cloudtrail, c.eventID, c.write))
}

func (g *generator) bgDescribe(t time.Time) {
	r := g.bg
	c := g.newTrail(r, t, "ec2.amazonaws.com", "DescribeInstances", hostIn(siteAzure.v4, 55).String(), uaSDKGo)
	c.identity = g.assumedRole(r, "monitoring-readonly", "prometheus-exporter", t.Add(-time.Hour), false)
	c.readOnly = true
	c.req = func(w *jw) {
		w.obj("instancesSet")
		w.end()
		w.obj("filterSet")
		w.end()
	}
	g.emit(g.jsonRec(t, g.fam.cloudtrail, c.eventID, c.write))
}

// bgEngineerAWS is the engineer's own occasional CLI use from home.
func (g *generator) bgEngineerAWS(t time.Time) {
	r := g.bg
	a := g.t.aws
	u := a.engineerUser
	name, src := "GetCallerIdentity", "sts.amazonaws.com"
	if r.chance(0.5) {
		name, src = "DescribeInstances", "ec2.amazonaws.com"
	}
	c := g.newTrail(r, t, src, name, u.ip.String(), uaAWSCLI)
	c.identity = g.iamUser(a.engineer, a.engPrincipal, a.engKey)
	c.readOnly = true
	g.emit(g.jsonRec(t, g.fam.cloudtrail, c.eventID, c.write))
}
