// A partner simulator over real HTTP (node:http on 127.0.0.1): answers every request with
// the behaviour its timeline prescribes at that moment, and journals it.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { behaviourAt, type PlannedPartner } from './behaviour.ts';
import type { Journal } from './journal.ts';

export interface PartnerServer {
  name: string;
  url: string;
  /** sets t = 0 of the partner's timeline (wall-clock epoch ms) */
  startTimeline(t0: number): void;
  close(): Promise<void>;
}

const DEFAULT_BODY = JSON.stringify({ offers: [{ id: 'offer-1', price: 129 }, { id: 'offer-2', price: 189 }] });

export async function startPartnerServer(partner: PlannedPartner, journal: Journal): Promise<PartnerServer> {
  // before the timeline starts, the first behaviour applies
  let t0 = Number.POSITIVE_INFINITY;
  const server = http.createServer((req, res) => {
    const t = Date.now() - t0;
    const behaviour = behaviourAt(partner, Number.isFinite(t) ? t : 0);
    const index = partner.behaviours.indexOf(behaviour);
    req.resume();
    const answer = () => {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (behaviour.retryAfter !== undefined) headers['retry-after'] = String(behaviour.retryAfter);
      const body = behaviour.body !== undefined ? JSON.stringify(behaviour.body) : behaviour.status < 300 ? DEFAULT_BODY : JSON.stringify({ error: http.STATUS_CODES[behaviour.status] ?? 'error' });
      res.writeHead(behaviour.status, headers).end(body);
      const attempt = req.headers['x-attempt'];
      journal.record({
        time: new Date().toISOString(),
        mono: performance.now(),
        partner: partner.name,
        method: req.method ?? 'GET',
        path: req.url ?? '/',
        requestId: (req.headers['x-request-id'] as string | undefined) ?? null,
        attempt: typeof attempt === 'string' && /^\d+$/.test(attempt) ? Number(attempt) : null,
        status: behaviour.status,
        retryAfter: behaviour.retryAfter ?? null,
        behaviour: index,
      });
    };
    if (behaviour.latencyMs > 0) setTimeout(answer, behaviour.latencyMs);
    else answer();
  });
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    name: partner.name,
    url: `http://127.0.0.1:${port}`,
    startTimeline(at) {
      t0 = at;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
