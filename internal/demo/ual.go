package demo

import (
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// ualRecord is an O365 Management Activity API record (common schema plus
// the service schema of its RecordType, office-365-management-activity-api-
// schema.md). body writes the service-specific members after the common
// ones.
type ualRecord struct {
	t          time.Time
	id         string
	operation  string
	recordType int
	workload   string
	status     string
	userID     string
	userKey    string
	userType   int
	clientIP   string
	objectID   string
	org        string
	body       func(w *jw)
}

// contentType is the Management API content type a record is published
// under.
func (u *ualRecord) contentType() string {
	switch u.workload {
	case "Exchange":
		return "Audit.Exchange"
	case "SharePoint", "OneDrive":
		return "Audit.SharePoint"
	case "AzureActiveDirectory":
		return "Audit.AzureActiveDirectory"
	}
	return "Audit.General"
}

func (u *ualRecord) write(w *jw) {
	w.obj("")
	w.str("CreationTime", ts(u.t, layoutUAL))
	w.str("Id", u.id)
	w.str("Operation", u.operation)
	w.str("OrganizationId", u.org)
	w.num("RecordType", int64(u.recordType))
	w.str("ResultStatus", u.status)
	w.str("UserKey", u.userKey)
	w.num("UserType", int64(u.userType))
	w.num("Version", 1)
	w.str("Workload", u.workload)
	if u.clientIP != "" {
		w.str("ClientIP", u.clientIP)
	}
	if u.objectID != "" {
		w.str("ObjectId", u.objectID)
	}
	w.str("UserId", u.userID)
	if u.body != nil {
		u.body(w)
	}
	w.end()
}

// mailAccess describes a MailItemsAccessed record (RecordType 50,
// ExchangeItemAggregated; Exchange mailbox schema plus AppId/ClientAppId).
type mailAccess struct {
	owner              *user
	ip                 netip.Addr
	appID, clientAppID string
	clientInfo         string
	accessType         string // Bind or Sync
	folders            []string
	messages           int
	mailboxGUID        string
	server             string
	session            string
}

func (g *generator) mailItemsAccessed(r rng, t time.Time, m mailAccess, orgName string) *ualRecord {
	u := &ualRecord{
		t: t, id: r.guid(), operation: "MailItemsAccessed", recordType: 50, workload: "Exchange",
		status: "Succeeded", userID: m.owner.upn, userKey: m.owner.puid, clientIP: m.ip.String(),
		objectID: "", org: g.t.id,
	}
	msgIDs := make([]string, m.messages)
	for i := range msgIDs {
		msgIDs[i] = "<" + strings.ToLower(r.hexID(12)) + "@" + strings.ToLower(r.hexID(4)) + ".prod.outlook.example>"
	}
	u.body = func(w *jw) {
		if m.appID != "" {
			w.str("AppId", m.appID)
		}
		if m.clientAppID != "" {
			w.str("ClientAppId", m.clientAppID)
		}
		w.str("ClientIPAddress", m.ip.String())
		w.str("ClientInfoString", m.clientInfo)
		w.boolean("ExternalAccess", false)
		w.num("InternalLogonType", 0)
		w.num("LogonType", 0)
		w.str("LogonUserSid", "S-1-5-21-"+m.owner.puid)
		w.str("MailboxGuid", m.mailboxGUID)
		w.str("MailboxOwnerSid", "S-1-5-21-"+m.owner.puid)
		w.str("MailboxOwnerUPN", m.owner.upn)
		w.arr("OperationProperties")
		w.obj("")
		w.str("Name", "MailAccessType")
		w.str("Value", m.accessType)
		w.end()
		w.obj("")
		w.str("Name", "IsThrottled")
		w.str("Value", "False")
		w.end()
		w.end()
		w.str("OrganizationName", orgName)
		w.str("OriginatingServer", m.server)
		if m.session != "" {
			w.str("SessionId", m.session)
		}
		w.arr("Folders")
		for i, f := range m.folders {
			w.obj("")
			if m.accessType == "Bind" && i == 0 {
				w.arr("FolderItems")
				for _, id := range msgIDs {
					w.obj("")
					w.str("InternetMessageId", id)
					w.end()
				}
				w.end()
			}
			w.str("Id", "LgAAAAD"+r.token(30))
			w.str("Path", f)
			w.end()
		}
		w.end()
		w.num("OperationCount", int64(max(m.messages, 1)))
	}
	return u
}

// exchangeCmdlet is an Exchange admin audit record (RecordType 1,
// ExchangeAdmin) for a cmdlet with its parameters.
func (g *generator) exchangeCmdlet(r rng, t time.Time, actor *user, ip netip.Addr, cmdlet, object string, params [][2]string) *ualRecord {
	ut := 0
	if len(actor.roles) > 0 {
		ut = 2
	}
	u := &ualRecord{
		t: t, id: r.guid(), operation: cmdlet, recordType: 1, workload: "Exchange", status: "True",
		userID: actor.upn, userKey: actor.puid, userType: ut, clientIP: ip.String(), objectID: object, org: g.t.id,
	}
	u.body = func(w *jw) {
		w.boolean("ExternalAccess", false)
		w.str("OrganizationName", g.t.initialDomain)
		w.str("OriginatingServer", g.exchangeServer(r))
		w.arr("Parameters")
		for _, p := range params {
			w.obj("")
			w.str("Name", p[0])
			w.str("Value", p[1])
			w.end()
		}
		w.end()
	}
	return u
}

func (g *generator) exchangeServer(r rng) string {
	return "BN" + strconv.Itoa(1+r.IntN(9)) + "PR11MB" + strconv.Itoa(1000+r.IntN(9000)) + " (15.20.8158.017)"
}

// mailSend is an ExchangeItem "Send" record (RecordType 2).
func (g *generator) mailSend(r rng, t time.Time, u *user, subject string) *ualRecord {
	rec := &ualRecord{
		t: t, id: r.guid(), operation: "Send", recordType: 2, workload: "Exchange", status: "Succeeded",
		userID: u.upn, userKey: u.puid, clientIP: u.ip.String(), objectID: "", org: g.t.id,
	}
	rec.body = func(w *jw) {
		w.str("ClientIPAddress", u.ip.String())
		w.str("ClientInfoString", "Client=MSExchangeRPC")
		w.str("ClientProcessName", "OUTLOOK.EXE")
		w.str("ClientVersion", "16.0.18129.20116")
		w.boolean("ExternalAccess", false)
		w.num("InternalLogonType", 0)
		w.num("LogonType", 0)
		w.str("MailboxGuid", mailboxGUID(u))
		w.str("MailboxOwnerUPN", u.upn)
		w.str("OrganizationName", g.t.initialDomain)
		w.str("OriginatingServer", g.exchangeServer(r))
		w.obj("Item")
		w.str("Id", "RgAAAAD"+r.token(30))
		w.str("InternetMessageId", "<"+strings.ToLower(r.hexID(12))+"@"+g.t.domain+">")
		w.obj("ParentFolder")
		w.str("Id", "LgAAAAD"+r.token(30))
		w.str("Path", "\\Sent Items")
		w.end()
		w.str("Subject", subject)
		w.end()
	}
	return rec
}

func mailboxGUID(u *user) string {
	// Derive a stable GUID-shaped value from the user's object ID.
	return u.id[:24] + strings.ToLower(u.puid[4:16])
}

// fileOp is a SharePoint/OneDrive file operation (RecordType 6,
// SharePointFileOperation; SharePoint base and file operation schemas).
func (g *generator) fileOp(r rng, t time.Time, u *user, op, site, path string, ua agent) *ualRecord {
	workload := "SharePoint"
	if strings.Contains(site, "-my.") {
		workload = "OneDrive"
	}
	name := path[strings.LastIndexByte(path, '/')+1:]
	ext := ""
	if i := strings.LastIndexByte(name, '.'); i >= 0 {
		ext = name[i+1:]
	}
	rec := &ualRecord{
		t: t, id: r.guid(), operation: op, recordType: 6, workload: workload, status: "",
		userID: u.upn, userKey: "i:0h.f|membership|" + strings.ToLower(u.puid) + "@live.com",
		clientIP: u.ip.String(), objectID: site + path, org: g.t.id,
	}
	rec.body = func(w *jw) {
		w.str("EventSource", "SharePoint")
		w.str("ItemType", "File")
		w.str("ListId", r.guid())
		w.str("ListItemUniqueId", r.guid())
		w.str("Site", r.guid())
		w.str("UserAgent", ua.ua)
		w.str("SourceFileExtension", ext)
		w.str("SiteUrl", site)
		w.str("SourceFileName", name)
		w.str("SourceRelativeUrl", strings.TrimPrefix(path[:len(path)-len(name)], "/"))
		w.obj("AppAccessContext")
		w.str("AADSessionId", r.guid())
		w.str("CorrelationId", r.guid())
		w.str("UniqueTokenId", r.token(16))
		w.end()
	}
	return rec
}

// stsLogon is an AzureActiveDirectoryStsLogon record (RecordType 15,
// UserLoggedIn / UserLoginFailed), shaped like the elastic-integrations
// sample; failures carry ErrorNumber and LogonError (detections.md §1.2).
func (g *generator) stsLogon(r rng, s *signIn) *ualRecord {
	op, status := "UserLoggedIn", "Success"
	if s.errCode != 0 {
		op, status = "UserLoginFailed", "Failed"
	}
	u := s.user
	rec := &ualRecord{
		t: s.t, id: r.guid(), operation: op, recordType: 15, workload: "AzureActiveDirectory", status: status,
		userID: u.upn, userKey: u.puid + "@" + g.t.domain, clientIP: s.ip.String(), objectID: s.resID, org: g.t.id,
	}
	detail := "Success"
	if s.errCode != 0 {
		detail = "Redirect"
	}
	rec.body = func(w *jw) {
		w.num("AzureActiveDirectoryEventType", 1)
		w.arr("ExtendedProperties")
		for _, kv := range [][2]string{
			{"ResultStatusDetail", detail},
			{"UserAgent", s.agent.ua},
			{"RequestType", "OAuth2:Authorize"},
		} {
			w.obj("")
			w.str("Name", kv[0])
			w.str("Value", kv[1])
			w.end()
		}
		w.end()
		w.arr("ModifiedProperties")
		w.end()
		w.arr("Actor")
		idPair(w, u.id, 0)
		idPair(w, u.upn, 5)
		idPair(w, u.puid, 3)
		w.end()
		w.str("ActorContextId", g.t.id)
		w.str("ActorIpAddress", s.ip.String())
		w.str("InterSystemsId", s.corr)
		w.str("IntraSystemId", s.id)
		w.str("SupportTicketId", "")
		w.arr("Target")
		idPair(w, s.resID, 0)
		w.end()
		w.str("TargetContextId", g.t.id)
		w.str("ApplicationId", s.appID)
		if s.errCode != 0 {
			w.str("ErrorNumber", strconv.Itoa(s.errCode))
			w.str("LogonError", logonError(s.errCode))
		}
	}
	return rec
}

func logonError(code int) string {
	switch code {
	case errBadPassword:
		return "InvalidUserNameOrPassword"
	case errLocked:
		return "IdsLocked"
	case errMFARequired:
		return "UserStrongAuthClientAuthNRequired"
	}
	return "Other"
}
