/**
 * A second host on this machine for ICMP tests: a network namespace joined to ours by a veth
 * pair on a random /30 of 10.200-254.x.x, whose kernel can be told to ignore echo requests.
 * Nothing is routed beyond the pair. Building it needs root; `namespacesUnavailable` says
 * why it cannot be built here, so a suite can skip (or, when services are required, fail).
 */
import { execFile, execFileSync } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { promisify } from 'node:util';
import { eventually } from '../../../support/services.js';

const run = promisify(execFile);

export interface NamespaceHost {
  /** The namespace's end of the pair, reachable from the test's namespace. */
  address: string;
  /** Makes the namespace's kernel drop echo requests silently (or answer them again). */
  ignoreEcho(ignore: boolean): Promise<void>;
  remove(): Promise<void>;
}

/** Why a namespace host cannot be built on this machine, or undefined when it can. */
export function namespacesUnavailable(): string | undefined {
  if (process.getuid?.() !== 0) return 'creating network namespaces needs root';
  try {
    execFileSync('ip', ['-V'], { stdio: 'ignore' });
  } catch {
    return 'the ip command (iproute2) is not installed';
  }
  try {
    execFileSync('unshare', ['--net', 'true'], { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (err) {
    const said = (err as { stderr?: Buffer }).stderr?.toString().trim() || (err as Error).message;
    return `this machine refuses to create a network namespace (${said})`;
  }
  return undefined;
}

export async function createNamespaceHost(): Promise<NamespaceHost> {
  const id = randomBytes(4).toString('hex');
  const namespace = `pharos-ping-${id}`;
  // Interface names are limited to 15 characters.
  const outer = `pp${id}o`;
  const inner = `pp${id}i`;
  const subnet = `10.${randomInt(200, 255)}.${randomInt(0, 256)}`;
  const base = randomInt(0, 64) * 4;
  const ourAddress = `${subnet}.${base + 1}`;
  const address = `${subnet}.${base + 2}`;

  await run('ip', ['netns', 'add', namespace]);
  const remove = async () => {
    // Deleting the namespace deletes the inner end, and with it the pair.
    await run('ip', ['netns', 'del', namespace]);
  };
  try {
    await run('ip', ['link', 'add', outer, 'type', 'veth', 'peer', 'name', inner, 'netns', namespace]);
    await run('ip', ['addr', 'add', `${ourAddress}/30`, 'dev', outer]);
    await run('ip', ['link', 'set', outer, 'up']);
    await run('ip', ['-n', namespace, 'addr', 'add', `${address}/30`, 'dev', inner]);
    await run('ip', ['-n', namespace, 'link', 'set', inner, 'up']);
    await untilLinkUp(outer);
  } catch (err) {
    await remove();
    throw err;
  }
  return {
    address,
    async ignoreEcho(ignore) {
      await run('ip', ['netns', 'exec', namespace, 'sysctl', '-qw', `net.ipv4.icmp_echo_ignore_all=${ignore ? 1 : 0}`]);
    },
    remove,
  };
}

/** A veth end reports UP once both ends are up; until then packets are dropped. */
async function untilLinkUp(device: string, timeoutMs = 5000): Promise<void> {
  await eventually(async () => {
    const { stdout } = await run('ip', ['-j', 'link', 'show', 'dev', device]);
    const [link] = JSON.parse(stdout) as { operstate?: string }[];
    return link?.operstate === 'UP';
  }, { timeoutMs, intervalMs: 20, what: `${device} to be UP` });
}
