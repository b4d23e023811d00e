import type { Config } from '../lib/config.js';
import { createGuardedResolver } from '../lib/ssrf/guarded-resolver.js';
import { createCheckers, type CheckerTable } from '../../probe-agent/checks/registry.js';

/**
 * The checkers a process runs tenants' checks with: every target through the SSRF guard
 * (private targets only when the operator allows them), Domain checks on the operator's
 * RDAP bootstrap copy. Apart from infrastructure.ts so an agent loads no storage code.
 */
export function createAgentCheckers(config: Readonly<Config>): CheckerTable {
  return createCheckers({
    resolveTarget: createGuardedResolver({ allowPrivateTargets: config.allowPrivateTargets }),
    registries: { rdapBootstrap: config.rdapBootstrapFile },
  });
}
