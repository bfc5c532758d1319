"""Regenerates every test file of rules/signin, rules/aws and rules/k8s:

    python3 internal/rulepack/testdata/signin/fixturegen/gen.py

Copies the real samples from shared/data/public first (they must be beside the checkout)."""
import sys

import emit
import real
import t_catalog
import t_cloud
import t_seeds

if not real.copy_samples():
    sys.exit("shared/data/public not found beside the checkout: the real-sample inputs cannot be copied")
emit.clean_generated()
t_seeds.consent_denied(); t_seeds.mfa_rejected(); t_seeds.token_abuse()
t_catalog.mfa_fatigue(); t_catalog.mfa_burst(); t_catalog.password_spray(); t_catalog.spray_success()
t_catalog.brute_force(); t_catalog.lockout(); t_catalog.device_code(); t_catalog.legacy(); t_catalog.ropc()
t_catalog.attack_tools(); t_catalog.risky(); t_catalog.ca_blocked(); t_catalog.new_country(); t_catalog.new_asn()
t_catalog.sp_new_country(); t_catalog.sp_new_asn(); t_catalog.session_countries()
t_cloud.gft_rule(); t_cloud.fed_sequence(); t_cloud.secrets_access(); t_cloud.forbidden(); t_cloud.token_request()
