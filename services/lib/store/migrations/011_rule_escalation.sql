-- An alert rule may start an escalation policy for the incidents of the monitors it matches.
-- Deleting a policy a rule names is refused by the api (as for monitors); the key backs it.
ALTER TABLE alert_rules ADD COLUMN escalation_policy_id text REFERENCES escalation_policies(id);
CREATE INDEX alert_rules_escalation_idx ON alert_rules (escalation_policy_id) WHERE escalation_policy_id IS NOT NULL;
