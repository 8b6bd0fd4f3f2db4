import { describe, expect, it } from 'vitest';
import { apiServerRefusal } from '../../src/platform/kube-server.ts';

describe('apiServerRefusal', () => {
  it.each(['https://127.0.0.1:6443', 'https://127.0.0.2:1', 'https://localhost:6443', 'https://[::1]:6443'])('%s is loopback: allowed', (s) => {
    expect(apiServerRefusal(s)).toBeNull();
  });

  it('a remote server is refused with the allowRemote line to write', () => {
    expect(apiServerRefusal('https://k8s.example.com:443')).toMatch(/allowRemote: \["k8s\.example\.com"\]/);
    expect(apiServerRefusal('https://10.0.0.1:6443')).toMatch(/not on this machine/);
    expect(apiServerRefusal('https://127.example.com')).not.toBeNull();
  });

  it('allowRemote names the host, or "*" for any', () => {
    expect(apiServerRefusal('https://k8s.example.com', ['k8s.example.com'])).toBeNull();
    expect(apiServerRefusal('https://k8s.example.com', ['other.example.com'])).not.toBeNull();
    expect(apiServerRefusal('https://k8s.example.com', ['*'])).toBeNull();
  });

  it('a server that is not a URL is refused', () => {
    expect(apiServerRefusal('not a url')).toMatch(/is not a URL/);
  });
});
