package output

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/idsentry/idsentry/internal/event"
)

func TestColorEnabled(t *testing.T) {
	t.Setenv("NO_COLOR", "")
	t.Setenv("TERM", "xterm-256color")
	regular, err := os.Create(filepath.Join(t.TempDir(), "out.txt"))
	if err != nil {
		t.Fatal(err)
	}
	defer regular.Close()
	if ColorEnabled(regular, false) {
		t.Error("colour on a regular file")
	}
	if ColorEnabled(nil, false) {
		t.Error("colour on nil")
	}
	dev, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		t.Skip(err)
	}
	defer dev.Close()
	if ColorEnabled(dev, false) {
		t.Error("colour on /dev/null, a character device but not a terminal")
	}
	if ColorEnabled(dev, true) {
		t.Error("colour despite --no-color")
	}
	t.Setenv("NO_COLOR", "1")
	if ColorEnabled(dev, false) {
		t.Error("colour despite NO_COLOR")
	}
	t.Setenv("NO_COLOR", "")
	t.Setenv("TERM", "dumb")
	if ColorEnabled(dev, false) {
		t.Error("colour on a dumb terminal")
	}
}

func TestDescribe(t *testing.T) {
	cases := []struct {
		kind          event.Kind
		doc           map[string]any
		user, ip, opr string
	}{
		{event.KindEntraSignIn, map[string]any{"userPrincipalName": "a@x", "ipAddress": "192.0.2.1", "appDisplayName": "Teams"}, "a@x", "192.0.2.1", "Teams"},
		{event.KindEntraSignIn, map[string]any{"servicePrincipalName": "svc", "appId": "id"}, "svc", "", "id"},
		{event.KindEntraAudit, map[string]any{"initiatedBy": map[string]any{"app": map[string]any{"displayName": "App"}}, "activityDisplayName": "Add owner to application"}, "App", "", "Add owner to application"},
		{event.KindM365Audit, map[string]any{"UserId": "b@x", "ClientIP": "192.0.2.2", "Operation": "New-InboxRule"}, "b@x", "192.0.2.2", "New-InboxRule"},
		// Key Vault AuditEvent: microsoft-docs/azure-docs/keyvault-logging-auditevent-example.json.
		{event.KindKeyVault, map[string]any{"identity": map[string]any{"claim": map[string]any{"http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn": "live.com#u@outlook.com", "appid": "1950a258"}}, "callerIpAddress": "104.40.82.76", "operationName": "VaultGet"}, "live.com#u@outlook.com", "104.40.82.76", "VaultGet"},
		{event.KindAzureActivity, map[string]any{"callerIpAddress": "1.1.1.1", "operationName": "Microsoft.Insights/actionGroups/delete"}, "", "1.1.1.1", "Microsoft.Insights/actionGroups/delete"},
		{event.KindCloudTrail, map[string]any{"userIdentity": map[string]any{"arn": "arn:aws:iam::1:user/x"}, "sourceIPAddress": "192.0.2.3", "eventName": "GetFederationToken"}, "arn:aws:iam::1:user/x", "192.0.2.3", "GetFederationToken"},
		{event.KindK8sAudit, map[string]any{"user": map[string]any{"username": "system:anonymous"}, "sourceIPs": []string{"8.8.8.8", "10.0.0.1"}, "verb": "get", "objectRef": map[string]any{"resource": "pods", "subresource": "exec"}}, "system:anonymous", "8.8.8.8", "get pods/exec"},
		{event.KindUnknown, map[string]any{"x": 1}, "", "", ""},
	}
	for _, c := range cases {
		t.Run(c.kind.String(), func(t *testing.T) {
			u, ip, op := describe(c.kind, mustParse(c.doc))
			if u != c.user || ip != c.ip || op != c.opr {
				t.Errorf("got %q %q %q, want %q %q %q", u, ip, op, c.user, c.ip, c.opr)
			}
		})
	}
}
