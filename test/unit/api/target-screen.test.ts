import { describe, expect, it } from 'vitest';
import { monitorDefaults, type MonitorConfig } from '../../../contracts/monitor.js';
import { screenTargets } from '../../../services/api/routes/monitors/target-screen.js';
import type { AddressLookup } from '../../../services/lib/ssrf/guarded-resolver.js';

const port = (hostname: string): MonitorConfig => ({ ...monitorDefaults(['UsEast']), name: 'm', type: 'Port', hostname, port: 443 } as MonitorConfig);
const answers = (...addresses: string[]): AddressLookup => async () => addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
const closed = { allowPrivateTargets: false };

describe('screenTargets', () => {
  it('refuses a name when any of its addresses is refused, naming the name, address and range', async () => {
    const err = await screenTargets(port('db.example.com'), { ...closed, lookup: answers('93.184.215.14', '192.168.1.5') }).catch((e) => e);
    expect(err.details).toEqual([{ field: '/hostname', message: expect.stringMatching(/192\.168\.1\.5 \(db\.example\.com\).*192\.168\.0\.0\/16/) }]);
  });

  it('accepts a name whose addresses are all public', async () => {
    await expect(screenTargets(port('example.com'), { ...closed, lookup: answers('93.184.215.14') })).resolves.toBeUndefined();
  });

  it('accepts a name that fails to resolve: it may exist only in the agents\' network', async () => {
    const failing: AddressLookup = async () => { throw Object.assign(new Error('getaddrinfo ENOTFOUND x'), { code: 'ENOTFOUND' }); };
    await expect(screenTargets(port('db.corp'), { ...closed, lookup: failing })).resolves.toBeUndefined();
  });

  it('accepts a name whose lookup outlasts the timeout, and returns on time', async () => {
    const hanging: AddressLookup = () => new Promise(() => {});
    const started = performance.now();
    await expect(screenTargets(port('slow.example.com'), { ...closed, lookup: hanging, lookupTimeoutMs: 50 })).resolves.toBeUndefined();
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it('does not look names up where private targets are allowed', async () => {
    let asked = 0;
    const counting: AddressLookup = async () => { asked++; return [{ address: '10.0.0.1', family: 4 }]; };
    await screenTargets(port('db.corp'), { allowPrivateTargets: true, lookup: counting });
    expect(asked).toBe(0);
  });
});
