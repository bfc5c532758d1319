package normalize

import (
	"strings"

	"github.com/idsentry/idsentry/internal/event"
	"github.com/idsentry/idsentry/internal/ingest"
	"github.com/valyala/fastjson"
)

// Microsoft 365 unified audit log (UAL). The canonical shape is the Office
// 365 Management Activity API common schema with its service-specific
// extensions (MicrosoftDocs/office-365-management-api,
// office-365-management-activity-api-schema.md), with:
//
//   - the name/value property bags (ExtendedProperties, ModifiedProperties,
//     Parameters, DeviceProperties, OperationProperties) folded into
//     objects keyed by Name (FoldBags);
//   - RecordType and UserType as numbers (sources write them as numbers,
//     digit strings, or, in Log Analytics, member names), with the member
//     names of the schema's AuditLogRecordType and UserType enums added as
//     RecordTypeName and UserTypeName;
//   - Actor[].Type and Target[].Type as numbers;
//   - top-level keys in their documented spelling (Panther's samples are
//     all lower case: "creationtime", "parameters").
//
// CreationTime has no zone and is UTC. Event.Subtype is the Workload.
// Sign-ins (RecordType 15) and directory audits (RecordType 8) are turned
// into Entra events by the Entra shapes, which run first; every other UAL
// record lands here. Accepted: Management API content blobs (arrays the
// reader splits), JSON/JSONL exports, the AuditData of Purview /
// Search-UnifiedAuditLog exports (unwrapped by the Purview shape), and Log
// Analytics OfficeActivity rows (mapped back below).

// ualFields are the documented top-level names (common schema and the
// workload schemas idsentry's rules read).
var ualFields = []string{
	// Common schema.
	"Id", "RecordType", "CreationTime", "Operation", "OrganizationId", "UserType", "UserKey", "Workload",
	"ResultStatus", "ObjectId", "UserId", "ClientIP", "Scope", "AppAccessContext",
	// SharePoint base, file operations, sharing.
	"Site", "ItemType", "EventSource", "SourceName", "UserAgent", "MachineDomainInfo", "MachineId",
	"ListItemUniqueId", "ListId", "ApplicationId", "ApplicationDisplayName", "IsWorkflow", "SiteUrl",
	"SourceRelativeUrl", "SourceFileName", "SourceFileExtension", "DestinationRelativeUrl", "DestinationFileName",
	"DestinationFileExtension", "UserSharedWith", "SharingType", "TargetUserOrGroupName", "TargetUserOrGroupType",
	"EventData", "UniqueSharingId", "CustomEvent",
	// Exchange admin and mailbox (MailItemsAccessed included).
	"ModifiedObjectResolvedName", "Parameters", "ModifiedProperties", "ExternalAccess", "OriginatingServer",
	"OrganizationName", "LogonType", "InternalLogonType", "MailboxGuid", "MailboxOwnerUPN", "MailboxOwnerSid",
	"MailboxOwnerMasterAccountSid", "LogonUserSid", "LogonUserDisplayName", "ClientInfoString", "ClientIPAddress",
	"ClientMachineName", "ClientProcessName", "ClientVersion", "Folder", "CrossMailboxOperations", "DestMailboxId",
	"DestMailboxOwnerUPN", "DestMailboxOwnerSid", "DestMailboxOwnerMasterAccountSid", "DestFolder", "Folders",
	"AffectedItems", "Item", "SendAsUserSmtp", "SendAsUserMailboxGuid", "SendOnBehalfOfUserSmtp",
	"SendOnBehalfOfUserMailboxGuid", "OperationProperties", "OperationCount", "SessionId", "AppId", "ClientAppId",
	// Azure Active Directory base and STS logon.
	"AzureActiveDirectoryEventType", "ExtendedProperties", "Actor", "ActorContextId", "ActorIpAddress",
	"InterSystemsId", "IntraSystemId", "SupportTicketId", "Target", "TargetContextId", "Client", "DeviceProperties",
	"ErrorNumber", "LogonError",
	// Security and compliance alerts.
	"AlertId", "AlertType", "Name", "PolicyId", "Status", "Severity", "Category", "Source", "Comments", "Data",
	"AlertEntityId", "EntityType",
	// Defender for Office 365 / threat intelligence email events.
	"DetectionType", "DetectionMethod", "InternetMessageId", "NetworkMessageId", "P1Sender", "P2Sender", "Recipients",
	"SenderIp", "Subject", "Verdict", "MessageTime", "Directionality", "DeliveryAction", "ThreatsAndDetectionTech",
	// Data center security cmdlets.
	"StartTime",
}

var ualLower = lowerIndex(ualFields...)

// ualTimeLayout is the layout of UAL CreationTime: UTC, no zone.
const ualTimeLayout = "2006-01-02T15:04:05.9999999"

// ualRecordTypes is the AuditLogRecordType enum of the Management Activity
// API schema (value → member name).
var ualRecordTypes = map[int]string{
	1: "ExchangeAdmin", 2: "ExchangeItem", 3: "ExchangeItemGroup", 4: "SharePoint", 6: "SharePointFileOperation",
	7: "OneDrive", 8: "AzureActiveDirectory", 9: "AzureActiveDirectoryAccountLogon", 10: "DataCenterSecurityCmdlet",
	11: "ComplianceDLPSharePoint", 13: "ComplianceDLPExchange", 14: "SharePointSharingOperation",
	15: "AzureActiveDirectoryStsLogon", 16: "SkypeForBusinessPSTNUsage", 17: "SkypeForBusinessUsersBlocked",
	18: "SecurityComplianceCenterEOPCmdlet", 19: "ExchangeAggregatedOperation", 20: "PowerBIAudit", 21: "CRM",
	22: "Yammer", 23: "SkypeForBusinessCmdlets", 24: "Discovery", 25: "MicrosoftTeams", 28: "ThreatIntelligence",
	29: "MailSubmission", 30: "MicrosoftFlow", 31: "AeD", 32: "MicrosoftStream",
	33: "ComplianceDLPSharePointClassification", 34: "ThreatFinder", 35: "Project", 36: "SharePointListOperation",
	37: "SharePointCommentOperation", 38: "DataGovernance", 39: "Kaizala", 40: "SecurityComplianceAlerts",
	41: "ThreatIntelligenceUrl", 42: "SecurityComplianceInsights", 43: "MIPLabel", 44: "WorkplaceAnalytics",
	45: "PowerAppsApp", 46: "PowerAppsPlan", 47: "ThreatIntelligenceAtpContent", 48: "LabelContentExplorer",
	49: "TeamsHealthcare", 50: "ExchangeItemAggregated", 51: "HygieneEvent", 52: "DataInsightsRestApiAudit",
	53: "InformationBarrierPolicyApplication", 54: "SharePointListItemOperation",
	55: "SharePointContentTypeOperation", 56: "SharePointFieldOperation", 57: "MicrosoftTeamsAdmin", 58: "HRSignal",
	59: "MicrosoftTeamsDevice", 60: "MicrosoftTeamsAnalytics", 61: "InformationWorkerProtection", 62: "Campaign",
	63: "DLPEndpoint", 64: "AirInvestigation", 65: "Quarantine", 66: "MicrosoftForms", 67: "ApplicationAudit",
	68: "ComplianceSupervisionExchange", 69: "CustomerKeyServiceEncryption", 70: "OfficeNative",
	71: "MipAutoLabelSharePointItem", 72: "MipAutoLabelSharePointPolicyLocation", 73: "MicrosoftTeamsShifts",
	75: "MipAutoLabelExchangeItem", 76: "CortanaBriefing", 78: "WDATPAlerts", 82: "SensitivityLabelPolicyMatch",
	83: "SensitivityLabelAction", 84: "SensitivityLabeledFileAction", 85: "AttackSim", 86: "AirManualInvestigation",
	87: "SecurityComplianceRBAC", 88: "UserTraining", 89: "AirAdminActionInvestigation", 90: "MSTIC",
	91: "PhysicalBadgingSignal", 93: "AipDiscover", 94: "AipSensitivityLabelAction", 95: "AipProtectionAction",
	96: "AipFileDeleted", 97: "AipHeartBeat", 98: "MCASAlerts", 99: "OnPremisesFileShareScannerDlp",
	100: "OnPremisesSharePointScannerDlp", 101: "ExchangeSearch", 102: "SharePointSearch", 103: "PrivacyInsights",
	105: "MyAnalyticsSettings", 106: "SecurityComplianceUserChange", 107: "ComplianceDLPExchangeClassification",
	109: "MipExactDataMatch", 113: "MS365DCustomDetection", 147: "CoreReportingSettings", 148: "ComplianceConnector",
	154: "OMEPortal", 174: "DataShareOperation", 181: "EduDataLakeDownloadOperation",
	183: "MicrosoftGraphDataConnectOperation", 186: "PowerPagesSite", 188: "PlannerPlan", 189: "PlannerCopyPlan",
	190: "PlannerTask", 191: "PlannerRoster", 192: "PlannerPlanList", 193: "PlannerTaskList",
	194: "PlannerTenantSettings", 195: "ProjectForTheWebProject", 196: "ProjectForTheWebTask",
	197: "ProjectForTheWebRoadmap", 198: "ProjectForTheWebRoadmapItem", 199: "ProjectForTheWebProjectSettings",
	200: "ProjectForTheWebRoadmapSettings", 216: "Viva Goals", 217: "MicrosoftGraphDataConnectConsent",
	230: "TeamsUpdates", 231: "PlannerRosterSensitivityLabel",
}

// ualUserTypes is the schema's UserType enum.
var ualUserTypes = map[int]string{
	0: "Regular", 1: "Reserved", 2: "Admin", 3: "DcAdmin", 4: "System", 5: "Application", 6: "ServicePrincipal",
	7: "CustomPolicy", 8: "SystemPolicy",
}

var (
	ualRecordTypeByName = reverseEnum(ualRecordTypes)
	ualUserTypeByName   = reverseEnum(ualUserTypes)
)

func reverseEnum(m map[int]string) map[string]int {
	r := make(map[string]int, len(m))
	for k, v := range m {
		r[strings.ToLower(v)] = k
	}
	return r
}

func init() {
	register(shape{format: "ual", kind: event.KindM365Audit, priority: 80, detect: detectUAL, normalize: normalizeUAL})

	k := event.KindM365Audit
	addFields(k, ualFields...)
	addFields(k, "RecordTypeName", "UserTypeName",
		"AppAccessContext.AADSessionId", "AppAccessContext.APIId", "AppAccessContext.ClientAppId",
		"AppAccessContext.ClientAppName", "AppAccessContext.CorrelationId", "AppAccessContext.UniqueTokenId",
		"AppAccessContext.IssuedAtTime",
		"Actor.ID", "Actor.Type", "Target.ID", "Target.Type",
		"Folder.Id", "Folder.Path", "DestFolder.Id", "DestFolder.Path",
		"Folders.Id", "Folders.Path", "Folders.FolderItems.InternetMessageId",
		"AffectedItems.Id", "AffectedItems.Subject", "AffectedItems.ParentFolder.Path", "AffectedItems.Attachments",
		"Item.Id", "Item.Subject", "Item.ParentFolder.Path", "Item.Attachments",
		"OperationProperties.MailAccessType", "OperationProperties.IsThrottled",
		"ExtendedProperties.UserAgent", "ExtendedProperties.RequestType", "ExtendedProperties.ResultStatusDetail",
		"Parameters.Identity", "Parameters.Name", "Parameters.ForwardTo", "Parameters.ForwardAsAttachmentTo",
		"Parameters.RedirectTo", "Parameters.ForwardingSmtpAddress", "Parameters.ForwardingAddress",
		"Parameters.DeliverToMailboxAndForward", "Parameters.DeleteMessage", "Parameters.MarkAsRead",
		"Parameters.MoveToFolder", "Parameters.SubjectOrBodyContainsWords", "Parameters.User",
		"Parameters.AccessRights",
	)
	addSynthesized(k, "CreationTime", "RecordType", "RecordTypeName", "UserType", "UserTypeName", "Actor.Type", "Target.Type")
	// Names used by public rules for fields the record carries elsewhere:
	// the STS logon RequestType lives in ExtendedProperties (SigmaHQ
	// microsoft365_bypass_conditional_access.yml), and the Log Analytics
	// OfficeActivity columns (Sentinel) renamed from the UAL names.
	addAliases(k, map[string]string{
		"RequestType":                    "ExtendedProperties.RequestType",
		"MailAccessType":                 "OperationProperties.MailAccessType",
		"OfficeId":                       "Id",
		"OfficeWorkload":                 "Workload",
		"OfficeObjectId":                 "ObjectId",
		"OfficeTenantId":                 "OrganizationId",
		"TimeGenerated":                  "CreationTime",
		"Client_IPAddress":               "ClientIPAddress",
		"Logon_Type":                     "LogonType",
		"Site_":                          "Site",
		"Site_Url":                       "SiteUrl",
		"Source_Name":                    "SourceName",
		"Start_Time":                     "StartTime",
		"Event_Data":                     "EventData",
		"AzureActiveDirectory_EventType": "AzureActiveDirectoryEventType",
		"AADTarget":                      "Target",
	})
}

func detectUAL(v *fastjson.Value, _ ingest.Container) bool {
	if getFold(v, "CreationTime") == nil || getFold(v, "Operation") == nil {
		return false
	}
	return getFold(v, "RecordType") != nil || getFold(v, "Workload") != nil || getFold(v, "OrganizationId") != nil
}

func normalizeUAL(n *Normalizer, v *fastjson.Value, ev *event.Event) error {
	doc := n.canonKeys(v, ualLower)
	n.finishUAL(doc, ev)
	return nil
}

// finishUAL folds the bags, fixes the enums and fills the event from a
// record whose keys are in their documented spelling.
func (n *Normalizer) finishUAL(doc *fastjson.Value, ev *event.Event) {
	doc = n.FoldBags(doc)
	n.ualEnum(doc, "RecordType", "RecordTypeName", ualRecordTypes, ualRecordTypeByName)
	n.ualEnum(doc, "UserType", "UserTypeName", ualUserTypes, ualUserTypeByName)
	for _, key := range [...]string{"Actor", "Target"} {
		for _, it := range arrayOf(doc.Get(key)) {
			if t := it.Get("Type"); t != nil && t.Type() == fastjson.TypeString {
				it.Set("Type", n.numberOrSelf(t))
			}
		}
	}
	ev.Doc = doc
	ev.ID = event.Text(doc.Get("Id"))
	ev.Subtype = strOf(doc.Get("Workload"))
	if t, ok := TimeValue(doc.Get("CreationTime")); ok {
		ev.Time = t.UTC()
		// The canonical CreationTime is UAL's own form: UTC without a zone.
		doc.Set("CreationTime", n.Arena.NewString(t.UTC().Format(ualTimeLayout)))
	}
}

// ualEnum turns the enum at key into its number and adds its member name
// at nameKey. Unknown numbers keep their number and get no name; unknown
// names are kept as the name.
func (n *Normalizer) ualEnum(doc *fastjson.Value, key, nameKey string, names map[int]string, byName map[string]int) {
	v := doc.Get(key)
	if v == nil {
		return
	}
	code, ok := intOf(v)
	if !ok {
		s := strings.TrimSpace(strOf(v))
		if s == "" {
			return
		}
		if code, ok = byName[strings.ToLower(s)]; !ok {
			doc.Set(nameKey, v)
			return
		}
	}
	if v.Type() != fastjson.TypeNumber {
		doc.Set(key, n.Arena.NewNumberInt(code))
	}
	if name, known := names[code]; known {
		doc.Set(nameKey, n.Arena.NewString(name))
	}
}

// Log Analytics OfficeActivity rows (Microsoft Sentinel's Office 365
// connector; columns per MicrosoftDocs/azure-reference-other
// azure-monitor-ref/tables/officeactivity.md). The table renames some UAL
// fields (OfficeId, OfficeWorkload, Client_IPAddress, Site_, …), stores
// RecordType and UserType as member names ("ExchangeAdmin", "Regular"),
// holds the property bags and complex values as JSON text, and adds
// workspace columns (TenantId is the workspace, not the Microsoft 365
// tenant). Rows are mapped back to the UAL record; workspace columns are
// dropped. CSV exports write empty cells for absent columns: those are
// dropped too.

// officeRenames maps OfficeActivity column names to UAL names.
var officeRenames = map[string]string{
	"OfficeId": "Id", "OfficeWorkload": "Workload", "OfficeObjectId": "ObjectId", "OfficeTenantId": "OrganizationId",
	"TimeGenerated": "CreationTime", "Client_IPAddress": "ClientIPAddress", "Logon_Type": "LogonType", "Site_": "Site",
	"Site_Url": "SiteUrl", "Source_Name": "SourceName", "Start_Time": "StartTime", "Event_Data": "EventData",
	"AzureActiveDirectory_EventType": "AzureActiveDirectoryEventType", "AADTarget": "Target",
	"SendonBehalfOfUserMailboxGuid": "SendOnBehalfOfUserMailboxGuid", "AddonName": "AddOnName",
}

// officeDropped are workspace columns with no UAL counterpart
// (SourceRecordId repeats OfficeId).
var officeDropped = map[string]bool{"Type": true, "TenantId": true, "SourceSystem": true, "MG": true,
	"ManagementGroupName": true, "Computer": true, "SourceRecordId": true}

// officeBools are OfficeActivity columns whose UAL field is a boolean.
var officeBools = map[string]bool{"ExternalAccess": true, "CrossMailboxOperations": true, "IsManagedDevice": true}

func init() {
	register(shape{format: "log-analytics", kind: event.KindM365Audit, priority: 75,
		detect: detectOfficeActivity, normalize: normalizeOfficeActivity})
}

func detectOfficeActivity(v *fastjson.Value, _ ingest.Container) bool {
	return isStr(v.Get("Type"), "OfficeActivity") || hasKey(v, "OfficeWorkload") || hasKey(v, "OfficeId")
}

func normalizeOfficeActivity(n *Normalizer, v *fastjson.Value, ev *event.Event) error {
	doc := n.Arena.NewObject()
	obj, _ := v.Object()
	obj.Visit(func(k []byte, val *fastjson.Value) {
		key := laColumnName(k)
		if officeDropped[key] || strings.HasPrefix(key, "_") || isEmptyCell(val) {
			return
		}
		if to, ok := officeRenames[key]; ok {
			if key == "OfficeTenantId" && hasKey(v, "OrganizationId") {
				return
			}
			key = to
		}
		switch {
		case officeBools[key]:
			val = n.boolOrSelf(val)
		case key == "LogonType" || key == "InternalLogonType":
			val = n.numberOrSelf(val)
		default:
			val = n.jsonOrSelf(val)
		}
		if doc.Get(key) == nil {
			doc.Set(key, val)
		}
	})
	n.finishUAL(doc, ev)
	return nil
}
