package demo

func (s *signIn) clientApp() string {
	if s.isApp() {
		return ""
	}
	return s.agent.client
}

func (s *signIn) credentialType() string {
	switch {
	case s.category == catMI:
		return "managedIdentity"
	case s.credType != "":
		return s.credType
	}
	return "none"
}

func userType(s *signIn) string {
	if s.user == nil {
		return ""
	}
	return "Member"
}

func signInIDType(upn string) string {
	if upn == "" {
		return ""
	}
	return "userPrincipalName"
}

func (s *signIn) writeStatus(w *jw, k string) {
	w.obj(k)
	w.num("errorCode", int64(s.errCode))
	if s.errCode != 0 {
		w.str("failureReason", s.failure)
	}
	if s.details != "" {
		w.str("additionalDetails", s.details)
	}
	w.end()
}

func (s *signIn) writeDevice(w *jw, k string) {
	w.obj(k)
	if d := s.dev; d != nil {
		w.str("deviceId", d.id)
		w.str("displayName", d.name)
		w.str("operatingSystem", d.os)
		w.str("browser", s.agent.browser)
		w.boolean("isCompliant", d.compliant)
		w.boolean("isManaged", d.managed)
		w.str("trustType", d.trust)
	} else {
		w.str("deviceId", "")
		w.str("displayName", "")
		w.str("operatingSystem", guessOS(s.agent))
		w.str("browser", s.agent.browser)
		w.boolean("isCompliant", false)
		w.boolean("isManaged", false)
		w.str("trustType", "")
	}
	w.end()
}

func guessOS(a agent) string {
	switch a {
	case uaAttackerEdge:
		return "Windows10"
	case uaSafariIOS, uaOutlookI:
		return "Ios"
	case uaChromeMac, uaOutlookM:
		return "MacOs"
	}
	return ""
}

func (s *signIn) writeLocation(w *jw, k string) {
	w.obj(k)
	w.str("city", s.at.City)
	w.str("state", s.at.State)
	w.str("countryOrRegion", s.at.Country)
	w.obj("geoCoordinates")
	if s.at.Lat != 0 || s.at.Lon != 0 {
		w.float("latitude", s.at.Lat)
		w.float("longitude", s.at.Lon)
	}
	w.end()
	w.end()
}

func (s *signIn) writeCA(w *jw, k string) {
	w.arr(k)
	if s.caApplied {
		result := "success"
		switch {
		case s.errCode == errBadPassword || s.errCode == errLocked || s.errCode == errConsentDeclined:
			result = "notApplied"
		case s.errCode != 0:
			result = "failure"
		}
		w.obj("")
		w.str("id", s.caPolicyID)
		w.str("displayName", s.caPolicyName)
		w.strs("enforcedGrantControls", []string{"Mfa"})
		w.strs("enforcedSessionControls", nil)
		w.str("result", result)
		w.end()
	}
	w.end()
}

func (s *signIn) writeProcessing(w *jw, k string) {
	w.arr(k)
	if s.isApp() {
		w.obj("")
		w.str("key", "Azure AD App Authentication Library")
		w.str("value", "Family: MSAL Library: MSAL.NET 4.61.3 Platform: .NET")
		w.end()
	} else {
		w.obj("")
		w.str("key", "Legacy TLS (TLS 1.0, 1.1, 3DES)")
		w.str("value", "False")
		w.end()
		if s.scopes != "" {
			w.obj("")
			w.str("key", "Oauth Scope Info")
			w.str("value", s.scopes)
			w.end()
		}
		w.obj("")
		w.str("key", "Is CAE Token")
		w.str("value", "False")
		w.end()
	}
	w.end()
}

func (s *signIn) writeSteps(w *jw, k string) {
	w.arr(k)
	for _, st := range s.steps {
		w.obj("")
		w.str("authenticationStepDateTime", ts(st.at, layoutSec))
		w.str("authenticationMethod", st.method)
		if st.methodDetail != "" {
			w.str("authenticationMethodDetail", st.methodDetail)
		}
		w.boolean("succeeded", st.ok)
		w.str("authenticationStepResultDetail", st.detail)
		w.str("authenticationStepRequirement", st.requirement)
		w.end()
	}
	w.end()
}

func (s *signIn) writeRequirementPolicies(w *jw, k string) {
	w.arr(k)
	if s.authReq == "multiFactorAuthentication" {
		w.obj("")
		w.str("requirementProvider", "multiConditionalAccess")
		w.str("detail", "Conditional Access")
		w.end()
	}
	w.end()
}
