package alert

import (
	"os"
	"reflect"
	"strings"
	"testing"
)

func loadFile(t *testing.T, name string) *Identities {
	t.Helper()
	f, err := os.Open("testdata/identities/" + name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ids, err := LoadIdentities(f)
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

func TestLoadGraphUsers(t *testing.T) {
	ids := loadFile(t, "graph-users-page.json")
	if ids.Len() != 2 {
		t.Fatalf("Len = %d", ids.Len())
	}
	adele, ok := ids.Lookup("ADELEV@contoso.com")
	if !ok {
		t.Fatal("adele not found case-insensitively")
	}
	want := Identity{
		UPN: "AdeleV@contoso.com", ID: "87d349ed-44d7-43e1-9a83-5f2406dee5bd", DisplayName: "Adele Vance",
		JobTitle: "Retail Manager", Department: "Retail", UserType: "Member", AccountEnabled: adele.AccountEnabled,
		Groups: []string{"HR Taskforce"}, Roles: []string{"Global Administrator"}, Source: "graph",
	}
	if !reflect.DeepEqual(*adele, want) || adele.AccountEnabled == nil || !*adele.AccountEnabled {
		t.Errorf("adele = %+v", *adele)
	}
	guest, _ := ids.Lookup("guest_fabrikam.com#EXT#@contoso.onmicrosoft.com")
	if guest == nil || guest.UserType != "Guest" || guest.AccountEnabled == nil || *guest.AccountEnabled || guest.JobTitle != "" {
		t.Errorf("guest = %+v", guest)
	}
	if byID, ok := ids.LookupID("87D349ED-44D7-43E1-9A83-5F2406DEE5BD"); !ok || byID != adele {
		t.Error("LookupID failed")
	}

	nd := loadFile(t, "graph-users.ndjson")
	if got := nd.UPNs(); !reflect.DeepEqual(got, []string{"alexw@contoso.com", "diegos@contoso.com"}) {
		t.Errorf("NDJSON UPNs = %v", got)
	}
}

func TestLoadIdentityInfo(t *testing.T) {
	ids := loadFile(t, "identityinfo.json")
	if ids.Len() != 1 {
		t.Fatalf("Len = %d (rows without AccountUPN are skipped, rows of one UPN merge)", ids.Len())
	}
	a, _ := ids.Lookup("adelev@contoso.com")
	if a.JobTitle != "Retail Manager" || !reflect.DeepEqual(a.Tags, []string{"Sensitive", "VIP"}) ||
		!reflect.DeepEqual(a.Groups, []string{"HR Taskforce", "Retail"}) || !reflect.DeepEqual(a.Roles, []string{"Global Administrator"}) ||
		a.AccountEnabled == nil || !*a.AccountEnabled || a.Source != "identityinfo" {
		t.Errorf("latest row did not win: %+v", *a)
	}

	c := loadFile(t, "identityinfo.csv")
	m, ok := c.Lookup("meganb@contoso.com")
	if !ok || m.JobTitle != "Marketing Manager" || !reflect.DeepEqual(m.Groups, []string{"Marketing", "Leadership"}) ||
		!reflect.DeepEqual(m.Roles, []string{"Security Administrator"}) || !reflect.DeepEqual(m.Tags, []string{"VIP"}) ||
		m.AccountEnabled == nil || !*m.AccountEnabled {
		t.Errorf("CSV megan = %+v", m)
	}
}

func TestLoadIdentitiesShapes(t *testing.T) {
	cases := []struct {
		name, in string
		upns     []string
		err      string
	}{
		{"empty", "  \n", nil, ""},
		{"bom array", "\ufeff[{\"userPrincipalName\":\"a@x\"},{\"userPrincipalName\":\"b@x\"}, 3]", []string{"a@x", "b@x"}, ""},
		{"single object", `{"UserPrincipalName":"A@X","AccountEnabled":"true"}`, []string{"a@x"}, ""},
		{"two pages", `{"value":[{"userPrincipalName":"a@x"}]}{"value":[{"userPrincipalName":"b@x"}]}`, []string{"a@x", "b@x"}, ""},
		{"bad json", `[{"userPrincipalName":`, nil, "JSON value 1"},
		{"csv graph", "userPrincipalName,id,memberOf\r\nc@x,1,\"[{\"\"@odata.type\"\":\"\"#microsoft.graph.group\"\",\"\"displayName\"\":\"\"G\"\"}]\"\r\n", []string{"c@x"}, ""},
		{"csv without upn", "name,x\r\na,b\r\n", nil, "no AccountUPN"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ids, err := LoadIdentities(strings.NewReader(c.in))
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) {
					t.Fatalf("err = %v, want %q", err, c.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := ids.UPNs(); !reflect.DeepEqual(got, c.upns) && !(len(got) == 0 && len(c.upns) == 0) {
				t.Errorf("UPNs = %v, want %v", got, c.upns)
			}
		})
	}
	ids, _ := LoadIdentities(strings.NewReader("userPrincipalName,id,memberOf\r\nc@x,1,\"[{\"\"@odata.type\"\":\"\"#microsoft.graph.group\"\",\"\"displayName\"\":\"\"G\"\"}]\"\r\n"))
	if c, _ := ids.Lookup("c@x"); c == nil || !reflect.DeepEqual(c.Groups, []string{"G"}) {
		t.Errorf("CSV memberOf = %+v", c)
	}
	var nilIDs *Identities
	if _, ok := nilIDs.Lookup("a"); ok || nilIDs.Len() != 0 {
		t.Error("nil Identities")
	}
}

func TestGraphThenIdentityInfoMerge(t *testing.T) {
	in := `{"userPrincipalName":"a@x","id":"1","jobTitle":"Dev","userType":"Member"}
{"AccountUPN":"A@x","Tags":["VIP"],"TimeGenerated":"2026-11-20T00:00:00Z"}`
	ids, err := LoadIdentities(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	a, _ := ids.Lookup("a@x")
	if a.JobTitle != "Dev" || a.ID != "1" || !reflect.DeepEqual(a.Tags, []string{"VIP"}) {
		t.Errorf("merge = %+v", a)
	}
}
