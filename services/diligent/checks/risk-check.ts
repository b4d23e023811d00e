/** One module per risk check behind this interface (checks/index.ts is the table). */
import type { CheckName } from '../contract.js';
import type { SiteContext } from '../site/site-context.js';
import type { Finding } from './finding.js';

export interface CheckOptions {
  /** MCC → high risk (true) or not (false), over the shipped program table: the organization's overrides. */
  highRiskMccOverrides?: ReadonlyMap<string, boolean>;
}

export interface RiskCheck {
  name: CheckName;
  /** Resolves with a finding for any target behaviour; only a bug rejects (the runner turns that into inconclusive). */
  run(site: SiteContext, options: CheckOptions): Promise<Finding>;
}
