/** Port check: can a TCP connection be opened to host:port, and how long does it take. */
import { CheckPhase } from '../../proto/generated/pharos/v1/result.js';
import { failure, success, type Checker } from './checker.js';
import { connectTcp } from './connection.js';
import { classifyFailure } from './failure-kind.js';
import { PhaseClock } from './phase-clock.js';
import { isTargetHost, systemResolver, type TargetResolver } from './target-resolver.js';

export interface PortCheckerDeps {
  /** Resolves (and may refuse) the host; default: system DNS, nothing refused. */
  resolveTarget?: TargetResolver;
}


export function createPortChecker(deps: PortCheckerDeps = {}): Checker<'port'> {
  const resolveTarget = deps.resolveTarget ?? systemResolver;
  return {
    validate(settings) {
      const problems: string[] = [];
      if (!isTargetHost(settings.hostname)) {
        problems.push(`hostname "${settings.hostname}" is not a valid host name or address`);
      }
      if (!Number.isInteger(settings.port) || settings.port < 1 || settings.port > 65535) {
        problems.push('port must be from 1 to 65535');
      }
      return problems;
    },

    async run(job, signal) {
      const { hostname, port } = job.settings.value;
      const clock = new PhaseClock();
      try {
        clock.enter(CheckPhase.CHECK_PHASE_DNS);
        const target = await resolveTarget(hostname, signal);
        clock.enter(CheckPhase.CHECK_PHASE_CONNECT);
        const socket = await connectTcp(target, port, signal);
        socket.destroy();
        return success({ timings: clock.stop() });
      } catch (err) {
        const failed = classifyFailure(err, clock.phase, signal);
        return failure(failed.kind, failed.phase, failed.message, { timings: clock.stop() });
      }
    },
  };
}
