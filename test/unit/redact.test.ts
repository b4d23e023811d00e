import { describe, expect, it } from 'vitest';
import { redactSecrets } from '../../services/lib/redact.js';
import { urlForLog } from '../../services/api/plugins/request-log.js';

describe('redactSecrets', () => {
  it.each([
    ['postgres://pharos:s3cret@db:5432/pharos', 'postgres://pharos:[redacted]@db:5432/pharos'],
    ['nats://a:p1@n1:4222,nats://tok3n@n2:4222', 'nats://a:[redacted]@n1:4222,nats://[redacted]@n2:4222'],
    ['redis://:pw@127.0.0.1:6379/0', 'redis://:[redacted]@127.0.0.1:6379/0'],
    ['postgres://u:p@ss@db/x', 'postgres://u:[redacted]@db/x'],
    ['cannot connect to http://default:pw@ch:8123 (refused)', 'cannot connect to http://default:[redacted]@ch:8123 (refused)'],
    ['postgres://db/x?sslpassword=pw&application_name=pharos', 'postgres://db/x?sslpassword=[redacted]&application_name=pharos'],
    ['/api/monitors?key=k1&api_key=k2&access_token=t&limit=5', '/api/monitors?key=[redacted]&api_key=[redacted]&access_token=[redacted]&limit=5'],
    ['nats://127.0.0.1:4222', 'nats://127.0.0.1:4222'],
  ])('%s', (input, expected) => {
    expect(redactSecrets(input)).toBe(expected);
  });
});

describe('urlForLog', () => {
  it('masks a ping token and secret query values', () => {
    expect(urlForLog('/ping/abcdefghijklmnop1234/start?token=x&run=1')).toBe('/ping/[redacted]/start?token=[redacted]&run=1');
  });
});
