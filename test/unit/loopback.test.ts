// The one loopback rule: what counts as this machine, written as hosts and as URLs.
import { describe, expect, it } from 'vitest';
import { isLoopbackHost, isLoopbackUrl } from '../../src/platform/loopback.ts';

describe('isLoopbackHost / isLoopbackUrl', () => {
  it('takes localhost, 127.0.0.0/8 and ::1 in every spelling', () => {
    for (const h of ['localhost', 'LOCALHOST', '127.0.0.1', '127.1.2.3', '::1', '[::1]', '0:0:0:0:0:0:0:1', '::ffff:127.0.0.1', '::ffff:7f00:1']) expect(isLoopbackHost(h), h).toBe(true);
    for (const u of ['http://127.0.0.1:8080', 'https://localhost/x', 'http://[::1]:9090', 'http://127.20.0.5', 'https://[::ffff:127.0.0.1]:6443']) expect(isLoopbackUrl(u), u).toBe(true);
  });
  it('refuses everything else, look-alikes included', () => {
    for (const h of ['10.0.0.1', '0.0.0.0', '128.0.0.1', '127.0.0.1.example.com', 'localhost.evil.com', '::2', '::ffff:10.0.0.1', '::ffff:a00:1', '::ffff:7f00:1:2', '']) expect(isLoopbackHost(h), h).toBe(false);
    for (const u of ['http://127.0.0.1.nip.io', 'https://api.example.com', 'not a url', 'http://0.0.0.0:80', 'https://[::ffff:10.0.0.1]']) expect(isLoopbackUrl(u), u).toBe(false);
  });
});
