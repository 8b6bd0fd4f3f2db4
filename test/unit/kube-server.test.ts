import { describe, expect, it } from 'vitest';
import { apiServerRefusal } from '../../src/platform/kube-server.ts';
import { remoteRefusal } from '../../src/platform/remote.ts';

const allow = (hosts: string[]) => ({ reason: 'the staging cluster, approved in SRE-12', hosts });

describe('apiServerRefusal: the one allowRemote rule', () => {
  it.each(['https://127.0.0.1:6443', 'https://127.0.0.2:1', 'https://localhost:6443', 'https://[::1]:6443', 'https://[::ffff:127.0.0.1]:6443'])('%s is loopback: allowed', (s) => {
    expect(apiServerRefusal(s, undefined)).toBeNull();
  });

  it('a remote server is refused with the allowRemote line to write', () => {
    expect(apiServerRefusal('https://k8s.example.com:443', undefined)).toMatch(/allowRemote: \{ reason: "\.\.\.", hosts: \["k8s\.example\.com"\] \}/);
    expect(apiServerRefusal('https://10.0.0.1:6443', undefined)).toMatch(/the kubeconfig's API server https:\/\/10\.0\.0\.1:6443 is not on loopback/);
    expect(apiServerRefusal('https://127.example.com', undefined)).not.toBeNull();
  });

  it('allowRemote lists the host exactly, as for endpoints and Docker engines; a reason alone is not enough', () => {
    expect(apiServerRefusal('https://k8s.example.com', allow(['k8s.example.com']))).toBeNull();
    expect(apiServerRefusal('https://k8s.example.com', allow(['other.example.com']))).toMatch(/k8s\.example\.com is not in allowRemote\.hosts \(other\.example\.com\)/);
    expect(apiServerRefusal('https://k8s.example.com', allow([]))).toMatch(/none listed/);
    expect(apiServerRefusal('https://[fd00::1]:6443', allow(['fd00::1']))).toBeNull();
    // the same answer as for any endpoint: one rule
    expect(apiServerRefusal('https://10.0.0.1:6443', allow(['10.0.0.1']))).toBe(remoteRefusal('https://10.0.0.1:6443', allow(['10.0.0.1']), 'x'));
  });

  it('a server that is not a URL is refused', () => {
    expect(apiServerRefusal('not a url', undefined)).toMatch(/is not a URL/);
  });

  it('a remote server is also allowed by its kubeconfig context in allowRemote.contexts, and only by that one', () => {
    const allow = { reason: 'staging drill approved by the SRE lead', hosts: [], contexts: ['staging-eks'] };
    expect(apiServerRefusal('https://k8s.example.com', allow, 'staging-eks')).toBeNull();
    expect(apiServerRefusal('https://k8s.example.com', allow, 'prod-eks')).toMatch(/its host k8s\.example\.com is not in allowRemote\.hosts \(none listed\) and its context prod-eks is not in allowRemote\.contexts \(staging-eks\): add one of them.* — nothing was contacted$/);
    // without allowRemote at all, the line to write is the hosts one
    expect(apiServerRefusal('https://k8s.example.com', undefined, 'staging-eks')).toMatch(/allowRemote: \{ reason/);
  });
});
