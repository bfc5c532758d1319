package demo

import "time"

// tenantJSON is tenant.json: the organisation, its networks and its
// configuration (verified domains, business hours, allowlists) in the form
// idsentry's configuration and a reader of the demo need.
type tenantJSON struct {
	TenantID         string         `json:"tenantId"`
	DisplayName      string         `json:"displayName"`
	VerifiedDomains  []string       `json:"verifiedDomains"`
	InitialDomain    string         `json:"initialDomain"`
	Workspace        string         `json:"logAnalyticsWorkspaceId"`
	WindowStart      string         `json:"windowStart"`
	WindowEnd        string         `json:"windowEnd"`
	BusinessHours    businessHours  `json:"businessHours"`
	AddressPlan      string         `json:"addressPlan"`
	Sites            []siteJSON     `json:"sites"`
	Users            []userJSON     `json:"users"`
	Groups           []nameID       `json:"groups"`
	DirectoryRoles   []roleJSON     `json:"directoryRoles"`
	Applications     []appJSON      `json:"applications"`
	FirstParty       []appJSON      `json:"firstPartyApplications"`
	ManagedIdents    []appJSON      `json:"managedIdentities"`
	CAPolicies       []nameID       `json:"conditionalAccessPolicies"`
	Allowlist        []allowJSON    `json:"allowlist"`
	Azure            azureJSON      `json:"azure"`
	AWS              awsJSON        `json:"aws"`
	Kubernetes       k8sJSON        `json:"kubernetes"`
	CredentialPolicy credentialJSON `json:"credentialPolicy"`
}

type businessHours struct {
	Days  []string `json:"days"`
	Start string   `json:"start"`
	End   string   `json:"end"`
	// TimeZone is the headquarters' zone, the tenant-wide default for
	// "outside business hours" rules; each user works in users[].timeZone.
	TimeZone  string `json:"timeZone"`
	UTCOffset int    `json:"utcOffsetMinutes"`
	Note      string `json:"note"`
}

type siteJSON struct {
	site
	Role string `json:"role"`
}

type userJSON struct {
	ID          string       `json:"id"`
	UPN         string       `json:"userPrincipalName"`
	DisplayName string       `json:"displayName"`
	JobTitle    string       `json:"jobTitle"`
	Department  string       `json:"department"`
	Site        string       `json:"site"`
	Country     string       `json:"country"`
	TimeZone    string       `json:"timeZone"`
	UTCOffset   int          `json:"utcOffsetMinutes"`
	IPs         []string     `json:"ipAddresses"`
	Devices     []deviceJSON `json:"devices,omitempty"`
	Roles       []string     `json:"roles,omitempty"`
	Groups      []string     `json:"groups"`
	Service     bool         `json:"serviceAccount,omitempty"`
}

type deviceJSON struct {
	ID        string `json:"deviceId"`
	Name      string `json:"displayName"`
	OS        string `json:"operatingSystem"`
	Trust     string `json:"trustType"`
	Compliant bool   `json:"isCompliant"`
	Managed   bool   `json:"isManaged"`
}

type nameID struct {
	ID   string `json:"id"`
	Name string `json:"displayName"`
}

type roleJSON struct {
	ID         string `json:"id"`
	Name       string `json:"displayName"`
	TemplateID string `json:"roleTemplateId"`
}

type appJSON struct {
	AppID       string   `json:"appId"`
	Name        string   `json:"displayName"`
	Kind        string   `json:"kind"`
	ObjectID    string   `json:"objectId,omitempty"`
	SPID        string   `json:"servicePrincipalId,omitempty"`
	OwnerTenant string   `json:"appOwnerTenantId,omitempty"`
	Publisher   string   `json:"publisherDomain,omitempty"`
	SignsInFrom string   `json:"signsInFrom,omitempty"`
	Redirects   []string `json:"redirectUris,omitempty"`
	Allowlisted bool     `json:"allowlisted,omitempty"`
	Notes       string   `json:"notes,omitempty"`
}

type allowJSON struct {
	Kind   string `json:"kind"`
	Value  string `json:"value"`
	Name   string `json:"displayName"`
	Reason string `json:"reason"`
}

type azureJSON struct {
	Subscription  string `json:"subscriptionId"`
	ResourceGroup string `json:"resourceGroup"`
	KeyVault      string `json:"keyVault"`
	KeyVaultID    string `json:"keyVaultResourceId"`
}

type awsJSON struct {
	Account  string   `json:"accountId"`
	Region   string   `json:"region"`
	IAMUsers []string `json:"iamUsers"`
	Roles    []string `json:"roles"`
	Buckets  []string `json:"buckets"`
}

type k8sJSON struct {
	Cluster    string   `json:"cluster"`
	Nodes      []string `json:"nodes"`
	Namespaces []string `json:"namespaces"`
}

type credentialJSON struct {
	MaxLifetimeDays int    `json:"maxLifetimeDays"`
	Note            string `json:"note"`
}

func (g *generator) tenantDoc() tenantJSON {
	t := g.t
	d := tenantJSON{
		TenantID: t.id, DisplayName: t.name, VerifiedDomains: []string{t.domain, t.initialDomain}, InitialDomain: t.initialDomain,
		Workspace: t.workspaceID, WindowStart: g.start.Format(time.RFC3339), WindowEnd: g.end.Format(time.RFC3339),
		BusinessHours: businessHours{Days: []string{"Monday", "Tuesday", "Wednesday", "Thursday", "Friday"}, Start: "08:00", End: "18:00",
			TimeZone: sites[0].TZ, UTCOffset: sites[0].OffsetMin,
			Note: "timeZone is headquarters (New York), where the key vault's owning team and its applications work; each user keeps these hours in their own site's zone (users[].timeZone); the generator uses fixed standard-time offsets (the default window has no daylight saving)"},
		AddressPlan:      "All addresses are documentation addresses (RFC 5737 IPv4 192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24; RFC 3849 IPv6 2001:db8::/32) and ASNs are documentation ASNs (RFC 5398). 198.51.100.0/24 and 2001:db8:10::/44 are the tenant's offices, 203.0.113.0/24 is attacker infrastructure split by country, 192.0.2.0/24 is cloud and service infrastructure; see sites.",
		Azure:            azureJSON{Subscription: t.subscription, ResourceGroup: t.resourceGroup, KeyVault: t.vault.name, KeyVaultID: t.vault.resourceID},
		AWS:              awsJSON{Account: t.aws.id, Region: t.aws.region, IAMUsers: []string{t.aws.ciUser, t.aws.engineer}, Roles: t.aws.roles, Buckets: t.aws.buckets},
		Kubernetes:       k8sJSON{Cluster: t.k8s.name, Nodes: t.k8s.nodes, Namespaces: []string{"default", "kube-system", "web", "payments", "monitoring", "ci"}},
		CredentialPolicy: credentialJSON{MaxLifetimeDays: 180, Note: "every benign application credential lives at most 180 days"},
		CAPolicies:       []nameID{{ID: g.caPolicy, Name: "Require MFA for all users"}},
	}
	for _, s := range sites {
		d.Sites = append(d.Sites, siteJSON{*s, "office"})
	}
	for _, s := range foreign {
		d.Sites = append(d.Sites, siteJSON{*s, "attacker"})
	}
	for _, s := range infra {
		d.Sites = append(d.Sites, siteJSON{*s, "infrastructure"})
	}
	for _, u := range t.users {
		uj := userJSON{ID: u.id, UPN: u.upn, DisplayName: u.display, JobTitle: u.jobTitle, Department: u.department,
			Site: u.site.Key, Country: u.site.Country, TimeZone: u.site.TZ, UTCOffset: u.site.OffsetMin,
			IPs: []string{u.ip.String(), u.mobileIP.String()}, Service: u.service}
		if !u.service {
			for _, dv := range []device{u.desktop, u.phone} {
				uj.Devices = append(uj.Devices, deviceJSON{ID: dv.id, Name: dv.name, OS: dv.os, Trust: dv.trust, Compliant: dv.compliant, Managed: dv.managed})
			}
		}
		for _, r := range u.roles {
			uj.Roles = append(uj.Roles, r.name)
		}
		for _, gr := range u.groups {
			uj.Groups = append(uj.Groups, gr.name)
		}
		d.Users = append(d.Users, uj)
	}
	for _, gr := range t.groups {
		d.Groups = append(d.Groups, nameID{gr.id, gr.name})
	}
	for _, r := range t.roleObjects {
		d.DirectoryRoles = append(d.DirectoryRoles, roleJSON{r.id, r.role.name, r.role.template})
	}
	for _, a := range t.apps {
		aj := appJSON{AppID: a.appID, Name: a.name, Kind: a.kind, ObjectID: a.objectID, SPID: a.spID, OwnerTenant: a.ownerTenant,
			Publisher: a.publisher, Redirects: a.redirects, Allowlisted: a.allowlisted, Notes: a.notes}
		if a.ip.IsValid() {
			aj.SignsInFrom = a.ip.String()
		}
		d.Applications = append(d.Applications, aj)
		if a.allowlisted {
			d.Allowlist = append(d.Allowlist, allowJSON{Kind: "appId", Value: a.appID, Name: a.name, Reason: a.notes})
		}
	}
	d.Allowlist = append(d.Allowlist, allowJSON{Kind: "initiatingApp", Value: msiServicePrincipalApp, Name: msiServicePrincipalApp,
		Reason: "Azure rotates managed identities' certificates (\"Add service principal credentials\" initiated by Managed Service Identity)"})
	for _, f := range t.firstParty {
		d.FirstParty = append(d.FirstParty, appJSON{AppID: f.app.id, Name: f.app.name, Kind: "first-party", SPID: f.spID, OwnerTenant: microsoftTenant})
	}
	for _, m := range t.mis {
		d.ManagedIdents = append(d.ManagedIdents, appJSON{AppID: m.appID, Name: m.name, Kind: "managed-identity", SPID: m.spID, SignsInFrom: m.ip.String(), Notes: m.resourceID})
	}
	return d
}
