package alert

import (
	"sort"
	"strings"
)

// Enricher attaches context to alerts that declare entities (seed 002's
// joins): enrichment.identity, keyed by lower-cased UPN, for each account
// entity found in Identities (by its upn attribute, else its aad_user_id),
// and enrichment.ip, keyed by address, with the IPProfile of each ip
// entity, with the GeoInfo of the address when Geo knows it. Any source
// may be nil.
type Enricher struct {
	Identities *Identities
	IPs        *IPStats
	Geo        *GeoDB
}

// enrichResult is what the expression environment learns from enrichment.
type enrichResult struct {
	ipPriority          int
	ipJudged            bool // IP statistics exist and the alert has an IP entity
	roles, groups, tags []string
}

// Enrich attaches the enrichment to a finished alert. The Builder calls it
// before having and tiers when Options.Enricher is set.
func (e *Enricher) Enrich(a *Alert) { e.enrich(a) }

func (e *Enricher) enrich(a *Alert) enrichResult {
	var res enrichResult
	if e == nil {
		return res
	}
	identities := map[string]*Identity{}
	ips := map[string]IPEnrichment{}
	roles, groups, tags := map[string]bool{}, map[string]bool{}, map[string]bool{}
	for _, ent := range a.Entities {
		switch ent.Type {
		case "account":
			id, ok := e.Identities.Lookup(ent.Attr["upn"])
			if !ok {
				id, ok = e.Identities.LookupID(ent.Attr["aad_user_id"])
			}
			if !ok {
				continue
			}
			identities[fold(id.UPN)] = id
			for _, r := range id.Roles {
				roles[r] = true
			}
			for _, g := range id.Groups {
				groups[g] = true
			}
			for _, t := range id.Tags {
				tags[t] = true
			}
		case "ip":
			addr := ent.Attr["address"]
			if addr == "" {
				continue
			}
			if g, ok := e.Geo.Lookup(addr); ok {
				key := strings.TrimSpace(addr)
				ipe := ips[key]
				ipe.GeoInfo = g
				ips[key] = ipe
			}
			if e.IPs == nil {
				continue
			}
			res.ipJudged = true
			if p, ok := e.IPs.Profile(addr); ok {
				ipe := ips[p.Address]
				ipe.IPProfile = &p
				ips[p.Address] = ipe
				res.ipPriority = max(res.ipPriority, p.Priority)
			}
		}
	}
	if len(identities) > 0 || len(ips) > 0 {
		if a.Enrichment == nil {
			a.Enrichment = map[string]any{}
		}
		if len(identities) > 0 {
			a.Enrichment["identity"] = identities
		}
		if len(ips) > 0 {
			a.Enrichment["ip"] = ips
		}
	}
	res.roles, res.groups, res.tags = sortedSet(roles), sortedSet(groups), sortedSet(tags)
	return res
}

func sortedSet(m map[string]bool) []string {
	if len(m) == 0 {
		return nil
	}
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
