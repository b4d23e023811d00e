/**
 * The risk checks by name, and the runner the worker calls: one SiteContext per execution
 * (each page fetched once for all checks), the requested checks run together, and a check
 * that fails by a bug reported as inconclusive rather than failing the execution.
 */
import type { CheckName } from '../contract.js';
import { SiteContext, type SiteDeps } from '../site/site-context.js';
import type { RunChecks } from '../worker.js';
import { createLoanFlippingCheck } from './catalog-loan-flipping.js';
import type { Finding } from './finding.js';
import { createHighRiskClassificationCheck } from './high-risk-classification.js';
import { createHighRiskMccCheck } from './high-risk-mcc.js';
import { createNonOperationalCheck } from './non-operational-website.js';
import type { CheckOptions, RiskCheck } from './risk-check.js';

export const RISK_CHECKS: Readonly<Record<CheckName, RiskCheck>> = {
  non_operational_website: createNonOperationalCheck(),
  high_risk_mcc: createHighRiskMccCheck(),
  high_risk_diligent_classification: createHighRiskClassificationCheck(),
  catalog_contain_loan_flipping_indicators: createLoanFlippingCheck(),
};

export interface RiskCheckRunnerDeps extends SiteDeps {
  /** The worker's region label, recorded on each finding. */
  region?: string;
  /** An organization's MCC overrides (absent: the shipped program table only). */
  mccOverrides?: (orgId: string) => Promise<ReadonlyMap<string, boolean>>;
}

export function createRiskCheckRunner(deps: RiskCheckRunnerDeps): RunChecks {
  return async (request, signal) => {
    const site = new SiteContext(request.website, deps, signal);
    const options: CheckOptions = { highRiskMccOverrides: request.orgId && deps.mccOverrides ? await deps.mccOverrides(request.orgId) : undefined };
    return Promise.all(request.checks.map(async (name): Promise<Finding> => {
      let finding: Finding;
      try {
        finding = await RISK_CHECKS[name].run(site, options);
      } catch (err) {
        finding = { check: name, verdict: 'inconclusive', confidence: 0, summary: signal.aborted ? 'the run timed out' : `the check failed: ${(err as Error).message}`, evidence: [] };
      }
      return deps.region ? { ...finding, region: deps.region } : finding;
    }));
  };
}
