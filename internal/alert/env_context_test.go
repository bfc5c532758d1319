package alert

import "testing"

// TestExprContext: an expression reading the enrichment is evaluated after
// it; any other decides before the entities are worked out.
func TestExprContext(t *testing.T) {
	for src, want := range map[string]bool{
		`distinct["location.countryOrRegion"] >= 2`:    false,
		`count > 10 || distinct.ipAddress >= 2`:        false,
		`ip_priority > 20`:                             true,
		`count > 3 && "Global Administrator" in roles`: true,
		`len(tags) > 0`:                                true,
		`len(groups) > 0`:                              true,
		`outside_hours`:                                false,
	} {
		c, _, _, err := compileExpr(src)
		if err != nil {
			t.Fatalf("%s: %v", src, err)
		}
		if c.context != want {
			t.Errorf("%s: context = %v, want %v", src, c.context, want)
		}
	}
}
