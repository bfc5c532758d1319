package demo

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// Field lists taken from the documentation (and, where a field is only
// attested by real data, from the samples in shared/data/public). Every
// generated record must use only these names.
var (
	// Graph beta signIn resource: api-reference/beta/resources/signin.md.
	graphSignInFields = words(`appDisplayName appId appliedConditionalAccessPolicies appliedEventListeners
		appTokenProtectionStatus authenticationAppDeviceDetails authenticationAppPolicyEvaluationDetails
		authenticationContextClassReferences authenticationDetails authenticationMethodsUsed
		authenticationProcessingDetails authenticationProtocol authenticationRequirement
		authenticationRequirementPolicies autonomousSystemNumber azureResourceId clientAppUsed clientCredentialType
		conditionalAccessAudiences conditionalAccessStatus correlationId createdDateTime crossTenantAccessType
		deviceDetail federatedCredentialId flaggedForReview globalSecureAccessIpAddress homeTenantId homeTenantName id
		incomingTokenType ipAddress ipAddressFromResourceProvider isInteractive isTenantRestricted
		isThroughGlobalSecureAccess location managedServiceIdentity networkLocationDetails originalRequestId
		originalTransferMethod privateLinkDetails processingTimeInMilliseconds resourceDisplayName resourceId
		resourceServicePrincipalId resourceTenantId riskDetail riskEventTypes_v2 riskLevelAggregated
		riskLevelDuringSignIn riskState servicePrincipalCredentialKeyId servicePrincipalCredentialThumbprint
		servicePrincipalId servicePrincipalName sessionLifetimePolicies signInEventTypes sessionId signInIdentifier
		signInIdentifierType signInTokenProtectionStatus status tokenIssuerName tokenIssuerType uniqueTokenIdentifier
		userAgent userDisplayName userId userPrincipalName userType mfaDetail`)
	// Azure Monitor sign-in properties: the Graph names plus those in
	// Microsoft's schema example (riskEventTypes, alternateSignInName,
	// ssoExtensionVersion) and Panther's service principal records
	// (managedIdentityType).
	azureSignInProps = append(words(`riskEventTypes alternateSignInName ssoExtensionVersion managedIdentityType`), graphSignInFields...)
	// Azure Monitor envelope: docs/identity/monitoring-health/reference-azure-monitor-sign-ins-log-schema.md
	// and the elastic-integrations audit sample.
	azureEnvelope = words(`time resourceId operationName operationVersion category tenantId resultType resultSignature
		resultDescription durationMs callerIpAddress correlationId identity Level location properties`)
	// Graph v1.0 directoryAudit resource, plus userAgent in Azure Monitor
	// records (elastic-integrations sample).
	auditFields       = words(`id category correlationId result resultReason activityDisplayName activityDateTime loggedByService operationType initiatedBy targetResources additionalDetails`)
	auditTargetFields = words(`id displayName type userPrincipalName groupType modifiedProperties administrativeUnits`)
	statusFields      = words(`errorCode failureReason additionalDetails`)
	deviceFields      = words(`deviceId displayName operatingSystem browser isCompliant isManaged trustType`)
	locationFields    = words(`city state countryOrRegion geoCoordinates`)
	stepFields        = words(`authenticationStepDateTime authenticationMethod authenticationMethodDetail succeeded authenticationStepResultDetail authenticationStepRequirement`)
	// O365 Management Activity API schema: common schema and the service
	// schemas of the record types generated; ErrorNumber per detections.md
	// §1.2; AppId, ClientAppId, OperationProperties, OperationCount and
	// SessionId per the MailItemsAccessed records public rules match.
	ualFields = words(`Id RecordType CreationTime Operation OrganizationId UserType UserKey Workload ResultStatus ObjectId
		UserId ClientIP Scope AppAccessContext Version
		AzureActiveDirectoryEventType ExtendedProperties ModifiedProperties Actor ActorContextId ActorIpAddress
		InterSystemsId IntraSystemId SupportTicketId Target TargetContextId ApplicationId Client DeviceProperties
		ErrorCode LogonError ErrorNumber
		ModifiedObjectResolvedName Parameters ExternalAccess OriginatingServer OrganizationName
		LogonType InternalLogonType MailboxGuid MailboxOwnerUPN MailboxOwnerSid MailboxOwnerMasterAccountSid
		LogonUserSid LogonUserDisplayName ClientInfoString ClientIPAddress ClientMachineName ClientProcessName
		ClientVersion Item Folders AppId ClientAppId OperationProperties OperationCount SessionId
		Site ItemType EventSource SourceName UserAgent ListItemUniqueId ListId ApplicationDisplayName
		SiteUrl SourceRelativeUrl SourceFileName SourceFileExtension`)
	purviewHeader = []string{"RecordId", "CreationDate", "RecordType", "Operation", "UserId", "AuditData", "AssociatedAdminUnits", "AssociatedAdminUnitsNames"}
	// Azure Key Vault AuditEvent: articles/key-vault/general/logging.md.
	keyVaultFields = words(`time resourceId operationName operationVersion category resultType resultSignature resultDescription durationMs callerIpAddress correlationId identity properties`)
	keyVaultProps  = words(`id clientInfo requestUri httpStatusCode`)
	// Azure Activity in the resource-log schema:
	// articles/azure-monitor/platform/activity-log-schema.md.
	activityFields = words(`time resourceId operationName category resultType resultSignature resultDescription durationMs callerIpAddress correlationId identity level location properties`)
	// CloudTrail record contents (AWS CloudTrail User Guide).
	cloudTrailFields = words(`eventVersion userIdentity eventTime eventSource eventName awsRegion sourceIPAddress userAgent
		errorCode errorMessage requestParameters responseElements additionalEventData requestID eventID eventType
		apiVersion managementEvent readOnly resources recipientAccountId serviceEventDetails sharedEventID
		vpcEndpointId eventCategory addendum sessionCredentialFromConsole edgeDeviceDetails tlsDetails`)
	// Kubernetes audit.k8s.io/v1 Event.
	k8sFields = words(`kind apiVersion level auditID stage requestURI verb user impersonatedUser sourceIPs userAgent
		objectRef responseStatus requestObject responseObject requestReceivedTimestamp stageTimestamp annotations`)
	k8sObjectRef = words(`resource namespace name uid apiGroup apiVersion resourceVersion subresource`)
	// Graph v1.0 application and servicePrincipal resources.
	applicationFields = words(`id appId displayName createdDateTime publisherDomain signInAudience identifierUris web appRoles passwordCredentials keyCredentials`)
	spFields          = words(`id appId displayName appDisplayName appOwnerOrganizationId accountEnabled servicePrincipalType servicePrincipalNames replyUrls tags passwordCredentials keyCredentials alternativeNames`)
)

func words(s string) []string { return strings.Fields(s) }

func checkKeys(t *testing.T, where string, obj any, allowed []string) {
	t.Helper()
	m, ok := obj.(map[string]any)
	if !ok {
		if obj != nil {
			t.Errorf("%s: not an object", where)
		}
		return
	}
	for k := range m {
		if !slices.Contains(allowed, k) {
			t.Errorf("%s: undocumented field %q", where, k)
		}
	}
}

func checkEach(t *testing.T, where string, arr any, allowed []string) {
	t.Helper()
	xs, _ := arr.([]any)
	for _, x := range xs {
		checkKeys(t, where, x, allowed)
	}
}

// dyn parses a JSON-text cell of a Log Analytics export.
func dyn(t *testing.T, where, s string) any {
	t.Helper()
	if s == "" {
		return nil
	}
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Errorf("%s: dynamic column is not JSON: %v", where, err)
	}
	return v
}

func checkSignIn(t *testing.T, where string, m map[string]any, graph bool) {
	allowed := azureSignInProps
	if graph {
		allowed = graphSignInFields
	}
	checkKeys(t, where, m, allowed)
	checkKeys(t, where+" status", m["status"], statusFields)
	checkKeys(t, where+" deviceDetail", m["deviceDetail"], deviceFields)
	checkKeys(t, where+" location", m["location"], locationFields)
	checkEach(t, where+" authenticationDetails", m["authenticationDetails"], stepFields)
	if str(m, "id") == "" || str(m, "createdDateTime") == "" || str(m, "status.errorCode") == "" {
		t.Errorf("%s: sign-in lacks id, createdDateTime or status.errorCode", where)
	}
}

func checkAudit(t *testing.T, where string, m map[string]any, azure bool) {
	allowed := auditFields
	if azure {
		allowed = append(words("userAgent"), auditFields...)
	}
	checkKeys(t, where, m, allowed)
	checkEach(t, where+" targetResources", m["targetResources"], auditTargetFields)
	if str(m, "activityDisplayName") == "" || str(m, "activityDateTime") == "" {
		t.Errorf("%s: audit lacks activityDisplayName or activityDateTime", where)
	}
}

// TestRecordShapes checks every record of every file against the documented
// field names of its format.
func TestRecordShapes(t *testing.T) {
	m := smallDemo(t)
	for _, fi := range m.Files {
		if len(fi.Kinds) == 0 {
			continue
		}
		recs := records(t, m.Dir, fi)
		if len(recs) == 0 {
			t.Errorf("%s: empty", fi.Path)
		}
		for _, r := range recs {
			where := fi.Path + ":" + strconv.Itoa(r.line)
			o := r.obj
			switch {
			case fi.Format == fmtUALPurview:
				if len(o) != len(purviewHeader) {
					t.Errorf("%s: %d columns", where, len(o))
				}
				var ad map[string]any
				if err := json.Unmarshal([]byte(str(o, "AuditData")), &ad); err != nil {
					t.Fatalf("%s: AuditData is not JSON: %v", where, err)
				}
				checkKeys(t, where+" AuditData", ad, ualFields)
				if str(ad, "Id") != str(o, "RecordId") || str(ad, "Operation") != str(o, "Operation") {
					t.Errorf("%s: wrapper columns disagree with AuditData", where)
				}
			case fi.Format == fmtUALBlob:
				checkKeys(t, where, o, ualFields)
			case fi.Format == fmtLACSV || fi.Format == fmtLAJSON:
				table := strings.TrimSuffix(strings.TrimSuffix(fi.Path[strings.LastIndexByte(fi.Path, '/')+1:], ".csv"), ".json")
				checkLARow(t, where, table, fi.Format == fmtLACSV, o)
			case fi.Format == fmtGraphPage && fi.Kind == "entra_signin":
				checkSignIn(t, where, o, true)
			case fi.Format == fmtGraphPage && fi.Kind == "entra_audit":
				checkAudit(t, where, o, false)
			case fi.Kind == "entra_signin":
				checkKeys(t, where, o, azureEnvelope)
				props, _ := o["properties"].(map[string]any)
				checkSignIn(t, where, props, false)
			case fi.Kind == "entra_audit":
				checkKeys(t, where, o, azureEnvelope)
				props, _ := o["properties"].(map[string]any)
				checkAudit(t, where, props, true)
			case fi.Kind == "azure_keyvault":
				checkKeys(t, where, o, keyVaultFields)
				checkKeys(t, where+" properties", o["properties"], keyVaultProps)
			case fi.Kind == "azure_activity":
				checkKeys(t, where, o, activityFields)
			case fi.Kind == "aws_cloudtrail":
				checkKeys(t, where, o, cloudTrailFields)
			case fi.Kind == "k8s_audit":
				checkKeys(t, where, o, k8sFields)
				checkKeys(t, where+" objectRef", o["objectRef"], k8sObjectRef)
			case fi.Kind == "app_inventory" && strings.Contains(fi.Path, "applications"):
				checkKeys(t, where, o, applicationFields)
			case fi.Kind == "app_inventory":
				checkKeys(t, where, o, spFields)
			default:
				t.Errorf("%s: no shape check for format %s kind %s", where, fi.Format, fi.Kind)
			}
		}
	}
}

func checkLARow(t *testing.T, where, table string, csvFile bool, o map[string]any) {
	var tbl *laTable
	for _, x := range []*laTable{tableSignin, tableNonInteractive, tableSP, tableMI, tableAudit} {
		if x.name == table {
			tbl = x
		}
	}
	if tbl == nil {
		t.Fatalf("%s: unknown table %s", where, table)
	}
	cols := map[string]byte{}
	for _, c := range tbl.cols {
		name := c.name
		if csvFile && c.typ == laDatetime {
			name += " [UTC]"
		}
		cols[name] = c.typ
	}
	for k, v := range o {
		typ, ok := cols[k]
		if !ok {
			t.Errorf("%s: column %q is not in the %s table reference", where, k, table)
			continue
		}
		s, isStr := v.(string)
		if typ == laDynamic && isStr {
			dyn(t, where+" "+k, s)
		}
	}
	if str(o, "Type") != table {
		t.Errorf("%s: Type %q, want %q", where, str(o, "Type"), table)
	}
	if table == tableAudit.name {
		dyn(t, where+" TargetResources", str(o, "TargetResources"))
		return
	}
	if table == tableSignin.name || table == tableNonInteractive.name {
		var st map[string]any
		if err := json.Unmarshal([]byte(str(o, "Status")), &st); err != nil || str(st, "errorCode") != str(o, "ResultType") {
			t.Errorf("%s: Status %q disagrees with ResultType %q", where, str(o, "Status"), str(o, "ResultType"))
		}
	}
}

func TestMetadataFiles(t *testing.T) {
	m := defaultDemo(t)
	var tj tenantJSON
	if err := json.Unmarshal(content(t, m.Dir, pathTenant), &tj); err != nil {
		t.Fatal(err)
	}
	if len(tj.Users) != DefaultUsers+1 || len(tj.VerifiedDomains) == 0 || tj.BusinessHours.Start == "" {
		t.Errorf("tenant.json incomplete: %d users, domains %v", len(tj.Users), tj.VerifiedDomains)
	}
	for _, u := range tj.Users {
		if !strings.HasSuffix(u.UPN, "@contoso.example") {
			t.Errorf("user %s not on the example domain", u.UPN)
		}
	}
	var page struct {
		Context string           `json:"@odata.context"`
		Value   []map[string]any `json:"value"`
	}
	if err := json.Unmarshal(content(t, m.Dir, pathIdentities), &page); err != nil {
		t.Fatal(err)
	}
	roles := 0
	for _, u := range page.Value {
		checkKeys(t, "identities.json", u, words(`id displayName givenName surname userPrincipalName mail jobTitle department
			officeLocation city country usageLocation accountEnabled userType createdDateTime memberOf`))
		for _, mo := range u["memberOf"].([]any) {
			if mo.(map[string]any)["@odata.type"] == "#microsoft.graph.directoryRole" {
				roles++
			}
		}
	}
	if len(page.Value) != DefaultUsers+1 || roles < len(admins) || !strings.HasPrefix(page.Context, "https://graph.microsoft.com/v1.0/$metadata#users") {
		t.Errorf("identities.json: %d users, %d role memberships", len(page.Value), roles)
	}
}
