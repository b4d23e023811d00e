/** Domain (6): registration expiry over RDAP, WHOIS as the fallback. docs/checks/domain.md. */
import { checkRange, fieldDefaults, type AgentCheckContract, type FieldProblem } from './contract.js';
import { parseDomainName } from './domain-name.js';
import { integerField } from './fields.js';
import { TARGET_FIELDS } from './target.js';

const fields = {
  hostname: TARGET_FIELDS.hostname,
  domainExpiryWarningDays: integerField({ min: 1, max: 365 }, 30, 'Domain: flag the registration as expiring this many days ahead'),
};
export type DomainFields = { [K in keyof typeof fields]: (typeof fields)[K]['default'] };

function validate(f: DomainFields): FieldProblem[] {
  const problems: FieldProblem[] = [];
  if (!f.hostname) problems.push({ field: '/hostname', message: 'is required for Domain monitors' });
  else if (!parseDomainName(f.hostname)) problems.push({ field: '/hostname', message: 'must be a registered domain name such as example.com' });
  const limits = fields.domainExpiryWarningDays.limits;
  checkRange(problems, 'domainExpiryWarningDays', f.domainExpiryWarningDays, limits.min, limits.max);
  return problems;
}

export const domainContract: AgentCheckContract<DomainFields, 'domain'> = {
  type: 'Domain',
  typeNumber: 6,
  settingsCase: 'domain',
  fields,
  validate,
  toSettings: (f) => ({ hostname: f.hostname ?? '', expiryWarningDays: f.domainExpiryWarningDays }),
  fromSettings: (s) => ({ hostname: s.hostname === '' ? null : s.hostname, domainExpiryWarningDays: s.expiryWarningDays }),
};

export const domainDefaults = (): DomainFields => fieldDefaults(fields);
