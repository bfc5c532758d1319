package demo

import "net/netip"

// Well-known Microsoft identifiers. Application IDs of first-party apps are
// the real ones (detections.md §1.4; the elastic-integrations and Microsoft
// docs samples in shared/data/public for Azure Portal and the Service
// Management API), because rules match on them.
const (
	// microsoftTenant owns Microsoft's first-party applications
	// (appOwnerTenantId allow-list in Elastic's SP rules).
	microsoftTenant = "f8cdef31-a31e-4b4a-93e4-5f571e91255a"

	appGraph         = "00000003-0000-0000-c000-000000000000"
	appExchange      = "00000002-0000-0ff1-ce00-000000000000"
	appSharePoint    = "00000003-0000-0ff1-ce00-000000000000"
	appAADGraph      = "00000002-0000-0000-c000-000000000000"
	appAzurePortal   = "c44b4083-3bb0-49c1-b47d-974e53cbdf3c"
	appServiceMgmt   = "797f4846-ba00-4fd7-ba43-dac1f8f63013"
	appOffice        = "d3590ed6-52b3-4102-aeff-aad2292ab01c"
	appOfficeHome    = "4765445b-32c6-49b0-83e6-1d93765276ca"
	appTeams         = "1fec8e78-bce4-4aaf-ab1b-5451cc387264"
	appTeamsServices = "cc15fd57-2c6c-4117-a88c-83b1d56b4bbe"
	appOutlookMobile = "27922004-5251-4030-b22d-91ecd9a37ea4"
	appOneDriveSync  = "ab9b8c07-8f02-4f72-87fa-80105867a763"
	appAzureCLI      = "04b07795-8ddb-461a-bbee-02f9e1bf7b46"
	appBroker        = "29d9ed98-a469-4536-ade2-f981bc1d605e"
	appKeyVault      = "cfa8b339-82a2-471a-a3c9-0fc0be7a4093"
	appAzureStorage  = "037694de-8c7d-498d-917d-edb650090fa5"
)

// firstParty describes a Microsoft application as sign-in logs name it.
type firstParty struct{ id, name string }

var (
	fpGraph         = firstParty{appGraph, "Microsoft Graph"}
	fpExchange      = firstParty{appExchange, "Office 365 Exchange Online"}
	fpSharePoint    = firstParty{appSharePoint, "Office 365 SharePoint Online"}
	fpAADGraph      = firstParty{appAADGraph, "Windows Azure Active Directory"}
	fpAzurePortal   = firstParty{appAzurePortal, "Azure Portal"}
	fpServiceMgmt   = firstParty{appServiceMgmt, "Windows Azure Service Management API"}
	fpOffice        = firstParty{appOffice, "Microsoft Office"}
	fpOfficeHome    = firstParty{appOfficeHome, "OfficeHome"}
	fpTeams         = firstParty{appTeams, "Microsoft Teams"}
	fpTeamsServices = firstParty{appTeamsServices, "Microsoft Teams Services"}
	fpOutlookMobile = firstParty{appOutlookMobile, "Outlook Mobile"}
	fpOneDriveSync  = firstParty{appOneDriveSync, "OneDrive SyncEngine"}
	fpAzureCLI      = firstParty{appAzureCLI, "Microsoft Azure CLI"}
	fpBroker        = firstParty{appBroker, "Microsoft Authentication Broker"}
	fpKeyVault      = firstParty{appKeyVault, "Azure Key Vault"}
	fpAzureStorage  = firstParty{appAzureStorage, "Azure Storage"}
)

// Microsoft Graph application-permission (app role) IDs
// (detections.md §1.4, from Splunk's privileged-permission rules).
const (
	roleApplicationReadWriteAll = "1bfefb4e-e0b5-418b-a88f-73c46d2cc8e9"
	roleMailRead                = "810c84a8-4a9e-49e6-bf7d-12d183f40d01"
)

// Entra role template IDs (detections.md §1.4).
const (
	tmplGlobalAdmin        = "62e90394-69f5-4237-9190-012177145e10"
	tmplPrivRoleAdmin      = "e8611ab8-c189-46e8-94e1-60213ab1f814"
	tmplAppAdmin           = "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3"
	tmplCloudAppAdmin      = "158c047a-c907-4556-b7ef-446551a6b5f7"
	tmplExchangeAdmin      = "29232cdf-9323-42fd-ade2-1d097af3e4de"
	tmplCAAdmin            = "b1be1c3e-b65d-4f19-8427-f6fa0d97feb9"
	tmplSecurityAdmin      = "194ae4cb-b126-40b2-bd5b-6091b380977d"
	tmplHelpdeskAdmin      = "729827e3-9c14-49f7-bb1b-9608f156bbb8"
	tmplUserAdmin          = "fe930be7-5e62-47db-91af-98c3a49a38b1"
	wellKnownCompanyAdmin  = "CompanyAdministrator"
	rbacOwner              = "8e3af657-a8ff-443c-a75c-2fe8c4bcb635"
	rbacContributor        = "b24988ac-6180-42a0-ab88-20f7382dd24c"
	msiServicePrincipalApp = "Managed Service Identity"
)

// roleDef names an Entra directory role.
type roleDef struct{ name, template string }

var (
	roleGlobalAdmin   = roleDef{"Global Administrator", tmplGlobalAdmin}
	rolePrivRoleAdmin = roleDef{"Privileged Role Administrator", tmplPrivRoleAdmin}
	roleAppAdmin      = roleDef{"Application Administrator", tmplAppAdmin}
	roleCloudAppAdmin = roleDef{"Cloud Application Administrator", tmplCloudAppAdmin}
	roleExchangeAdmin = roleDef{"Exchange Administrator", tmplExchangeAdmin}
	roleCAAdmin       = roleDef{"Conditional Access Administrator", tmplCAAdmin}
	roleSecurityAdmin = roleDef{"Security Administrator", tmplSecurityAdmin}
	roleHelpdesk      = roleDef{"Helpdesk Administrator", tmplHelpdeskAdmin}
	roleUserAdmin     = roleDef{"User Administrator", tmplUserAdmin}
)

// site is a place users or machines sign in from, with the documentation
// address block and documentation ASN (RFC 5737, RFC 3849, RFC 5398) that
// stands for it. The assignments are listed in tenant.json.
type site struct {
	Key         string  `json:"key"`
	Country     string  `json:"country"`
	City        string  `json:"city"`
	State       string  `json:"state"`
	Lat         float64 `json:"latitude"`
	Lon         float64 `json:"longitude"`
	TZ          string  `json:"timeZone"`
	OffsetMin   int     `json:"utcOffsetMinutes"`
	IPv4        string  `json:"ipv4"`
	IPv6        string  `json:"ipv6,omitempty"`
	ASN         int     `json:"asn"`
	Description string  `json:"description"`

	v4 netip.Prefix
	v6 netip.Prefix
}

// sites are the tenant's offices (users' home sites). Fixed UTC offsets are
// the standard-time offsets; the default window (November) has no DST.
var sites = []*site{
	{Key: "us-nyc", Country: "US", City: "New York", State: "New York", Lat: 40.7128, Lon: -74.006, TZ: "America/New_York", OffsetMin: -300, IPv4: "198.51.100.0/27", IPv6: "2001:db8:10::/48", ASN: 64496, Description: "Contoso New York office and home broadband"},
	{Key: "us-sea", Country: "US", City: "Seattle", State: "Washington", Lat: 47.6062, Lon: -122.3321, TZ: "America/Los_Angeles", OffsetMin: -480, IPv4: "198.51.100.32/27", IPv6: "2001:db8:11::/48", ASN: 64496, Description: "Contoso Seattle office and home broadband"},
	{Key: "gb-lon", Country: "GB", City: "London", State: "England", Lat: 51.5072, Lon: -0.1276, TZ: "Europe/London", OffsetMin: 0, IPv4: "198.51.100.64/26", IPv6: "2001:db8:12::/48", ASN: 64497, Description: "Contoso London office and home broadband"},
	{Key: "de-ber", Country: "DE", City: "Berlin", State: "Berlin", Lat: 52.52, Lon: 13.405, TZ: "Europe/Berlin", OffsetMin: 60, IPv4: "198.51.100.128/26", IPv6: "2001:db8:13::/48", ASN: 64498, Description: "Contoso Berlin office and home broadband"},
	{Key: "in-blr", Country: "IN", City: "Bengaluru", State: "Karnataka", Lat: 12.9716, Lon: 77.5946, TZ: "Asia/Kolkata", OffsetMin: 330, IPv4: "198.51.100.192/26", IPv6: "2001:db8:14::/48", ASN: 64499, Description: "Contoso Bengaluru office and home broadband"},
}

// foreign are places only attackers come from.
var (
	siteNL  = &site{Key: "nl-ams", Country: "NL", City: "Amsterdam", State: "North Holland", Lat: 52.3676, Lon: 4.9041, IPv4: "203.0.113.0/27", ASN: 64510, Description: "VPS hosting (attacker)"}
	siteSG  = &site{Key: "sg-sin", Country: "SG", City: "Singapore", State: "Singapore", Lat: 1.3521, Lon: 103.8198, IPv4: "203.0.113.32/27", ASN: 64511, Description: "VPS hosting (attacker)"}
	siteBR  = &site{Key: "br-sao", Country: "BR", City: "Sao Paulo", State: "Sao Paulo", Lat: -23.5558, Lon: -46.6396, IPv4: "203.0.113.64/27", ASN: 65536, Description: "residential proxy (attacker)"}
	siteRU  = &site{Key: "ru-mow", Country: "RU", City: "Moscow", State: "Moscow", Lat: 55.7558, Lon: 37.6173, IPv4: "203.0.113.96/27", ASN: 65537, Description: "hosting (attacker)"}
	siteNG  = &site{Key: "ng-los", Country: "NG", City: "Lagos", State: "Lagos", Lat: 6.5244, Lon: 3.3792, IPv4: "203.0.113.128/27", ASN: 65538, Description: "mobile carrier (attacker)"}
	siteVN  = &site{Key: "vn-han", Country: "VN", City: "Hanoi", State: "Hanoi", Lat: 21.0278, Lon: 105.8342, IPv4: "203.0.113.160/27", ASN: 65539, Description: "hosting (attacker)"}
	siteVPS = &site{Key: "us-vps", Country: "US", City: "Ashburn", State: "Virginia", Lat: 39.0438, Lon: -77.4874, IPv4: "203.0.113.192/26", ASN: 65540, Description: "cloud VPS (attacker infrastructure in the tenant's own country)"}
	foreign = []*site{siteNL, siteSG, siteBR, siteRU, siteNG, siteVN, siteVPS}
)

// Infrastructure blocks inside 192.0.2.0/24 (TEST-NET-1).
var (
	// siteAzure stands for Azure datacenter egress (service principals,
	// managed identities, Key Vault callers); ASN 64500 stands for Microsoft.
	siteAzure = &site{Key: "azure-eastus", Country: "US", City: "Boydton", State: "Virginia", Lat: 36.6676, Lon: -78.3875, IPv4: "192.0.2.0/26", ASN: 64500, Description: "Azure East US datacenter egress (stands for Microsoft's ASN)"}
	// siteK8s holds the Kubernetes nodes (.65-.80) and pods (.81-.126).
	siteK8s = &site{Key: "k8s", Country: "US", City: "Boydton", State: "Virginia", IPv4: "192.0.2.64/26", ASN: 64500, Description: "Kubernetes cluster nodes and pods"}
	// siteCI is the CI/CD runner network that deploys to AWS.
	siteCI = &site{Key: "ci", Country: "US", City: "Ashburn", State: "Virginia", IPv4: "192.0.2.128/26", ASN: 64501, Description: "CI/CD runners"}
	// siteSaaS is third-party SaaS integrations.
	siteSaaS = &site{Key: "saas", Country: "US", City: "San Diego", State: "California", Lat: 32.7157, Lon: -117.1611, IPv4: "192.0.2.192/26", ASN: 64502, Description: "third-party SaaS integrations"}
	infra    = []*site{siteAzure, siteK8s, siteCI, siteSaaS}
)

func init() {
	for _, s := range append(append(append([]*site{}, sites...), foreign...), infra...) {
		s.v4 = netip.MustParsePrefix(s.IPv4)
		if s.IPv6 != "" {
			s.v6 = netip.MustParsePrefix(s.IPv6)
		}
	}
}

// Error codes and their descriptions (Microsoft identity platform error
// reference; detections.md §1.3 and §1.2).
const (
	errBadPassword      = 50126
	errLocked           = 50053
	errStrongAuthReq    = 50074
	errMFARequired      = 50076
	errMFAFailed        = 500121
	errConsentDeclined  = 65004
	errAdminConsentReq  = 90095
	descBadPassword     = "Error validating credentials due to invalid username or password."
	detailBadPassword   = "The user didn't enter the right credentials. \u00a0It's expected to see some number of these errors in your logs due to users making mistakes."
	descLocked          = "Account is locked because user tried to sign in too many times with an incorrect user ID or password."
	descStrongAuthReq   = "Strong Authentication is required."
	descMFARequired     = "Due to a configuration change made by your administrator, or because you moved to a new location, you must use multi-factor authentication to access the resource."
	descMFAFailed       = "Authentication failed during strong authentication request."
	descConsentDeclined = "User declined to consent to access the app."
	descAdminConsentReq = "Admin consent is required for the permissions requested by this application. An admin consent request may be sent to the admin."
	mfaDeclined         = "MFA denied; user declined the authentication"
	mfaNoResponse       = "MFA denied; user did not respond to mobile app notification"
	mfaFraud            = "MFA denied; Phone App Reported Fraud"
	mfaCompleted        = "MFA successfully completed"
	mfaByClaim          = "MFA requirement satisfied by claim in the token"
	firstFactorByClaim  = "First factor requirement satisfied by claim in the token"
	riskyConsentReason  = "Microsoft.online.Security.userConsentBlockedForRiskyAppsExceptions"
	riskyConsentResult  = "Microsoft.Online.Security.UserConsentBlockedForRiskyAppsException"
	auditUpdateAppCreds = "Update application \u2013 Certificates and secrets management "
)

// Benign user agents: browsers and Office clients only.
var (
	uaEdgeWin   = agent{ua: "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36 Edg/130.0.0.0", browser: "Edge 130.0.0", client: "Browser"}
	uaChromeMac = agent{ua: "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36", browser: "Chrome 130.0.0", client: "Browser"}
	uaSafariIOS = agent{ua: "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1", browser: "Mobile Safari 18.1", client: "Browser"}
	uaOutlook   = agent{ua: "Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.18129; Pro)", browser: "Rich Client 16.0.18129.20116", client: "Mobile Apps and Desktop clients"}
	uaOutlookM  = agent{ua: "Microsoft Office/16.0 (Macintosh; Mac OS X 14.6; Microsoft Outlook 16.90)", browser: "Rich Client 16.90", client: "Mobile Apps and Desktop clients"}
	uaOutlookI  = agent{ua: "Outlook-iOS/2.0", browser: "Rich Client 4.2446.0", client: "Mobile Apps and Desktop clients"}
	uaTeams     = agent{ua: "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36 Edg/130.0.0.0 Teams/24295.605.3225.8804/49", browser: "Rich Client 24295.605", client: "Mobile Apps and Desktop clients"}
	uaOneDrive  = agent{ua: "Microsoft SkyDriveSync 24.201.1006.0005 ship; Windows NT 10.0 (22631)", browser: "Rich Client 24.201", client: "Mobile Apps and Desktop clients"}
	uaAzureCLI  = agent{ua: "python/3.12.6 (Windows-11-10.0.22631-SP0) msal/1.31.0 azure-cli/2.66.0", browser: "Rich Client 1.31.0", client: "Mobile Apps and Desktop clients"}
)

// Attack user agents (seed 004's scripted-client list; detections.md §4 #46).
var (
	uaPythonRequests = agent{ua: "python-requests/2.31.0", browser: "Python Requests 2.31", client: "Mobile Apps and Desktop clients"}
	uaCurl           = agent{ua: "curl/8.4.0", browser: "Curl 8.4.0", client: "Mobile Apps and Desktop clients"}
	uaAzureHound     = agent{ua: "azurehound/v2.2.1", browser: "", client: "Mobile Apps and Desktop clients"}
	uaAiohttp        = agent{ua: "Python/3.11 aiohttp/3.9.1", browser: "", client: "Mobile Apps and Desktop clients"}
	uaROPC           = agent{ua: "BAV2ROPC", browser: "", client: "Other clients"}
	uaAttackerEdge   = agent{ua: "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/129.0.0.0 Safari/537.36 Edg/129.0.0.0", browser: "Edge 129.0.0", client: "Browser"}
)

// agent is a user agent with the deviceDetail.browser and clientAppUsed
// values Entra derives from it.
type agent struct{ ua, browser, client string }
