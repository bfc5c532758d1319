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

// TestExprDynamic: distinct and values read with constant keys name their
// fields; any other use may read any field.
func TestExprDynamic(t *testing.T) {
	for src, want := range map[string]bool{
		`distinct["location.countryOrRegion"] >= 2`:        false,
		`distinct.ipAddress >= 2 && len(values.appId) > 1`: false,
		`len(distinct) > 3`:                                true,
		`any(values["ip"], # == "1.1.1.1") || count > 3`:   false,
		`all(keys(distinct), distinct[#] > 1)`:             true,
	} {
		c, _, _, err := compileExpr(src)
		if err != nil {
			t.Fatalf("%s: %v", src, err)
		}
		if c.dynamic != want {
			t.Errorf("%s: dynamic = %v (fields %q), want %v", src, c.dynamic, c.fields, want)
		}
	}
}
