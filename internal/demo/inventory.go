package demo

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/idsentry/idsentry/internal/event"
)

// pageFile writes a small Graph page file (one record per line) and returns
// its FileInfo; mark is called with each record's index and line.
func (g *generator) pageFile(rel, ctx, format string, kind event.Kind, records [][]byte) error {
	var b []byte
	b = append(b, `{"@odata.context":`...)
	b = appendJSONString(b, ctx)
	b = append(b, `,"value":[`+"\n"...)
	for i, r := range records {
		if i > 0 {
			b = append(b, ",\n"...)
		}
		b = append(b, r...)
	}
	b = append(b, "\n]}\n"...)
	return g.writeWhole(rel, format, kind, int64(len(records)), b)
}

// writeWhole writes a complete small file and records it in the manifest.
func (g *generator) writeWhole(rel, format string, kind event.Kind, records int64, b []byte) error {
	full := filepath.Join(g.opt.Dir, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
		return fmt.Errorf("create directory for %s: %w", rel, err)
	}
	if err := os.WriteFile(full, b, 0o644); err != nil {
		return fmt.Errorf("write %s: %w", rel, err)
	}
	fi := FileInfo{Path: rel, Format: format, Records: records, Bytes: int64(len(b))}
	if kind != event.KindUnknown {
		fi.Kind, fi.Kinds = kind.String(), []string{kind.String()}
	}
	g.out.files = append(g.out.files, fi)
	return nil
}

// writeInventory writes the Graph application and service principal
// inventory as it stands at the end of the window (the posture data of
// guide row 2: credential start and end dates).
func (g *generator) writeInventory() error {
	const appsPath, spsPath = "entra/apps/graph/applications.json", "entra/apps/graph/servicePrincipals.json"
	var apps, sps [][]byte
	mark := func(path string, i int, a *app, what string) {
		story := ""
		switch {
		case a == g.t.hr:
			story = storyBackdoor
		case a.kind == "registered":
			story = storyAppChain
		case a.kind == "malicious":
			story = storyConsent
		}
		if story == "" || g.truth.byID[story] == nil {
			return
		}
		id := a.spID
		if what == "application" {
			id = a.objectID
		}
		g.truth.byID[story].Records = append(g.truth.byID[story].Records, TruthRecord{
			File: path, Format: fmtGraphInvent, Kind: event.KindAppInventory.String(), Line: 2 + i, Index: int64(i),
			ID: id, Time: g.end.Format(time.RFC3339Nano),
			Note: what + " inventory of " + a.name,
		})
	}
	for _, a := range g.t.apps {
		if a.objectID != "" {
			mark(appsPath, len(apps), a, "application")
			apps = append(apps, slices.Clone(g.render(func(w *jw) { writeApplication(w, a) })))
		}
		if a.kind == "malicious" {
			mark(spsPath, len(sps), a, "service principal")
		}
		sps = append(sps, slices.Clone(g.render(func(w *jw) { writeServicePrincipal(w, a, g.t.id) })))
	}
	for _, m := range g.t.mis {
		sps = append(sps, slices.Clone(g.render(func(w *jw) { writeMIServicePrincipal(w, m) })))
	}
	if err := g.pageFile(appsPath, "https://graph.microsoft.com/v1.0/$metadata#applications", fmtGraphInvent, event.KindAppInventory, apps); err != nil {
		return err
	}
	return g.pageFile(spsPath, "https://graph.microsoft.com/v1.0/$metadata#servicePrincipals", fmtGraphInvent, event.KindAppInventory, sps)
}

// writeApplication writes a Graph v1.0 application object
// (api-reference/v1.0/resources/application.md).
func writeApplication(w *jw, a *app) {
	w.obj("")
	w.str("id", a.objectID)
	w.str("appId", a.appID)
	w.str("displayName", a.name)
	w.str("createdDateTime", ts(a.created, layoutSec))
	w.str("publisherDomain", a.publisher)
	aud := "AzureADMyOrg"
	if a.kind == "registered" {
		aud = "AzureADMultipleOrgs"
	}
	w.str("signInAudience", aud)
	w.strs("identifierUris", a.identifierURIs)
	w.obj("web")
	w.null("homePageUrl")
	w.strNull("logoutUrl", a.logoutURL)
	w.strs("redirectUris", a.redirects)
	w.end()
	w.arr("appRoles")
	for _, r := range a.roles {
		w.obj("")
		w.strs("allowedMemberTypes", []string{"Application"})
		w.str("description", r.display)
		w.str("displayName", r.display)
		w.str("id", r.id)
		w.boolean("isEnabled", true)
		w.str("origin", "Application")
		w.str("value", r.value)
		w.end()
	}
	w.end()
	w.arr("passwordCredentials")
	for _, c := range a.creds {
		if c.kind != "Password" {
			continue
		}
		w.obj("")
		w.null("customKeyIdentifier")
		w.str("displayName", c.name)
		w.str("endDateTime", ts(c.end, layoutSec))
		w.str("hint", c.hint)
		w.str("keyId", c.keyID)
		w.null("secretText")
		w.str("startDateTime", ts(c.start, layoutSec))
		w.end()
	}
	w.end()
	w.arr("keyCredentials")
	for _, c := range a.creds {
		if c.kind == "Password" {
			continue
		}
		w.obj("")
		w.null("customKeyIdentifier")
		w.str("displayName", c.name)
		w.str("endDateTime", ts(c.end, layoutSec))
		w.null("key")
		w.str("keyId", c.keyID)
		w.str("startDateTime", ts(c.start, layoutSec))
		w.str("type", "AsymmetricX509Cert")
		w.str("usage", "Verify")
		w.end()
	}
	w.end()
	w.end()
}

// writeServicePrincipal writes a Graph v1.0 servicePrincipal object.
func writeServicePrincipal(w *jw, a *app, tenantID string) {
	w.obj("")
	w.str("id", a.spID)
	w.str("appId", a.appID)
	w.str("displayName", a.name)
	w.str("appDisplayName", a.name)
	owner := a.ownerTenant
	if owner == "" {
		owner = tenantID
	}
	w.str("appOwnerOrganizationId", owner)
	w.boolean("accountEnabled", true)
	w.str("servicePrincipalType", "Application")
	w.strs("servicePrincipalNames", append([]string{a.appID}, a.identifierURIs...))
	w.strs("replyUrls", a.redirects)
	w.strs("tags", []string{"WindowsAzureActiveDirectoryIntegratedApp"})
	w.arr("passwordCredentials")
	w.end()
	w.arr("keyCredentials")
	w.end()
	w.end()
}

func writeMIServicePrincipal(w *jw, m *managedIdentity) {
	w.obj("")
	w.str("id", m.spID)
	w.str("appId", m.appID)
	w.str("displayName", m.name)
	w.str("appOwnerOrganizationId", microsoftTenant)
	w.boolean("accountEnabled", true)
	w.str("servicePrincipalType", "ManagedIdentity")
	w.strs("servicePrincipalNames", []string{m.appID, "https://identity.azure.net/" + m.appID})
	w.strs("alternativeNames", []string{"isExplicit=False", m.resourceID})
	w.strs("tags", nil)
	w.end()
}
