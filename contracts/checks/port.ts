/** Port (2): can a TCP connection be opened to hostname:port, and how long it takes. */
import { fieldDefaults, type AgentCheckContract, type FieldProblem } from './contract.js';
import { checkTargetHost, TARGET_FIELDS } from './target.js';

const fields = { hostname: TARGET_FIELDS.hostname, port: TARGET_FIELDS.port };
export type PortFields = { [K in keyof typeof fields]: (typeof fields)[K]['default'] };

function validate(f: PortFields): FieldProblem[] {
  const problems: FieldProblem[] = [];
  checkTargetHost(problems, f.hostname, 'Port');
  if (f.port === null) problems.push({ field: '/port', message: 'is required for Port monitors' });
  else if (!Number.isInteger(f.port) || f.port < 1 || f.port > 65535) problems.push({ field: '/port', message: 'must be from 1 to 65535' });
  return problems;
}

export const portContract: AgentCheckContract<PortFields, 'port'> = {
  type: 'Port',
  typeNumber: 2,
  settingsCase: 'port',
  fields,
  validate,
  toSettings: (f) => ({ hostname: f.hostname ?? '', port: f.port ?? 0 }),
  fromSettings: (s) => ({ hostname: s.hostname === '' ? null : s.hostname, port: s.port === 0 ? null : s.port }),
};

export const portDefaults = (): PortFields => fieldDefaults(fields);
