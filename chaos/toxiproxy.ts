// Toxiproxy driver: proxies in front of the SUT, faults as toxics (or a disabled proxy).
// Uses toxiproxy-node-client where it suffices and the HTTP API where it does not
// (listing toxics, PATCH updates).
import { Toxiproxy, type ICreateToxicBody } from 'toxiproxy-node-client';
import { assertSupported, type FaultDriver, type FaultRequest, type InjectedFault } from './driver.ts';

export interface ProxyInfo {
  name: string;
  listen: string;
  upstream: string;
  enabled: boolean;
  toxics: Array<{ name: string; type: string; stream: string; toxicity: number; attributes: Record<string, number> }>;
}

/** Toxic names carry this prefix so that a sweep can tell gameday's toxics from a user's. */
export const TOXIC_PREFIX = 'gameday-';

export interface ToxiproxyDriverOptions {
  /** the toxic names' prefix (default "gameday-"); on a team's Toxiproxy it carries the run id, so a sweep removes only that run's */
  toxicPrefix?: string;
  /** called with the toxics' names before they are added to a proxy (the ledger records them first) */
  beforeToxics?: (proxy: string, toxics: string[]) => void;
  /** called once a proxy's toxics of a fault are observed gone */
  toxicsRemoved?: (proxy: string, toxics: string[]) => void;
}

export class ToxiproxyDriver implements FaultDriver {
  readonly name = 'toxiproxy' as const;
  private readonly client: Toxiproxy;

  constructor(
    readonly apiUrl: string,
    private readonly o: ToxiproxyDriverOptions = {},
  ) {
    this.client = new Toxiproxy(apiUrl);
  }

  private async api<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(`${this.apiUrl}${path}`, {
      method,
      headers: body === undefined ? undefined : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(5000),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`toxiproxy ${method} ${path}: HTTP ${res.status} ${text.trim()}`);
    return (text ? JSON.parse(text) : undefined) as T;
  }

  version(): Promise<string> {
    return this.client.getVersion();
  }

  /** Creates a proxy listening on a free loopback port; returns its listen address. */
  async createProxy(name: string, upstream: string): Promise<ProxyInfo> {
    const proxy = await this.client.createProxy({ name, listen: '127.0.0.1:0', upstream });
    return this.proxy(proxy.name);
  }

  /** Points an existing proxy at another upstream (same listen address, enabled as it was). */
  async setUpstream(name: string, upstream: string): Promise<ProxyInfo> {
    const p = await this.proxy(name);
    await this.api('PATCH', `/proxies/${encodeURIComponent(name)}`, { listen: p.listen, upstream, enabled: p.enabled });
    const after = await this.proxy(name);
    if (after.upstream !== upstream) throw new Error(`proxy ${name} still points at ${after.upstream}, not ${upstream}`);
    return after;
  }

  proxy(name: string): Promise<ProxyInfo> {
    return this.api<ProxyInfo>('GET', `/proxies/${encodeURIComponent(name)}`);
  }

  async proxies(): Promise<ProxyInfo[]> {
    return Object.values(await this.api<Record<string, ProxyInfo>>('GET', '/proxies'));
  }

  async removeProxy(name: string): Promise<void> {
    try {
      await this.api('DELETE', `/proxies/${encodeURIComponent(name)}`);
    } catch (err) {
      if (!String(err).includes('HTTP 404')) throw err;
    }
  }

  toxics(proxy: string): Promise<ProxyInfo['toxics']> {
    return this.api('GET', `/proxies/${encodeURIComponent(proxy)}/toxics`);
  }

  private toxicName(request: FaultRequest, suffix = ''): string {
    return `${this.o.toxicPrefix ?? TOXIC_PREFIX}${request.name}${suffix}`;
  }

  /** The toxics that make up a fault (a partition is two: one per direction). */
  toxicsFor(request: FaultRequest): Array<ICreateToxicBody<Record<string, number>>> {
    const toxic = (type: string, stream: 'upstream' | 'downstream', attributes: Record<string, number>, suffix = '') => ({
      name: this.toxicName(request, suffix),
      type: type as ICreateToxicBody<unknown>['type'],
      stream,
      toxicity: 1,
      attributes,
    });
    switch (request.action) {
      case 'latency':
        return [toxic('latency', 'downstream', { latency: request.params.latency, jitter: request.params.jitter })];
      case 'bandwidth':
        return [toxic('bandwidth', 'downstream', { rate: request.params.rate })];
      case 'partition':
        // timeout 0: data is held and dropped, the connection stays open — a blackhole both ways
        return [toxic('timeout', 'upstream', { timeout: 0 }, '-up'), toxic('timeout', 'downstream', { timeout: 0 }, '-down')];
      case 'reset':
        return [toxic('reset_peer', 'upstream', { timeout: request.params.after })];
      default:
        throw new Error(`toxiproxy has no toxic for ${request.action}`);
    }
  }

  async inject(request: FaultRequest): Promise<InjectedFault> {
    assertSupported(this.name, request.action);
    const injected: InjectedFault = { request, applied: [] };
    for (const target of request.targets) {
      if (request.action === 'down') {
        const p = await this.proxy(target);
        await this.api('PATCH', `/proxies/${encodeURIComponent(target)}`, { enabled: false, listen: p.listen, upstream: p.upstream });
        injected.applied.push({ target, ref: 'enabled=false' });
        if ((await this.proxy(target)).enabled) throw new Error(`proxy ${target} is still enabled after disabling it`);
      } else {
        const proxy = await this.client.get(target);
        this.o.beforeToxics?.(target, this.toxicsFor(request).map((t) => t.name));
        for (const body of this.toxicsFor(request)) {
          await proxy.addToxic(body);
          injected.applied.push({ target, ref: body.name });
        }
        const listed = new Set((await this.toxics(target)).map((t) => t.name));
        const missing = injected.applied.filter((a) => a.target === target && !listed.has(a.ref));
        if (missing.length) throw new Error(`toxic ${missing.map((m) => m.ref).join(', ')} is not listed on proxy ${target} after adding it`);
      }
    }
    return injected;
  }

  async revert(fault: InjectedFault | FaultRequest): Promise<void> {
    const request = 'request' in fault ? fault.request : fault;
    for (const target of request.targets) {
      if (request.action === 'down') {
        let p: ProxyInfo;
        try {
          p = await this.proxy(target);
        } catch (err) {
          if (String(err).includes('HTTP 404')) continue;
          throw err;
        }
        if (!p.enabled) await this.api('PATCH', `/proxies/${encodeURIComponent(target)}`, { enabled: true, listen: p.listen, upstream: p.upstream });
        if (!(await this.proxy(target)).enabled) throw new Error(`proxy ${target} is still disabled after enabling it`);
      } else {
        const names = this.toxicsFor(request).map((t) => t.name);
        for (const name of names) {
          try {
            await this.api('DELETE', `/proxies/${encodeURIComponent(target)}/toxics/${encodeURIComponent(name)}`);
          } catch (err) {
            if (!String(err).includes('HTTP 404')) throw err;
          }
        }
        const left = await this.toxics(target).catch((err) => (String(err).includes('HTTP 404') ? [] : Promise.reject(err)));
        const still = left.filter((t) => names.includes(t.name));
        if (still.length) throw new Error(`toxic ${still.map((t) => t.name).join(', ')} is still on proxy ${target} after removing it`);
        this.o.toxicsRemoved?.(target, names);
      }
    }
  }
}
