// The partner hub's event queue on a real NATS JetStream server (Debian's nats-server, one node on
// a free loopback port): accepted webhooks are published to the stream and applied by the hub's
// consumer; while the broker is down they wait in the on-disk offline queue and are drained in
// order when it is back on the same port. The ack-before-persist defect loses acknowledged
// webhooks when the hub crashes while the broker is away; the healthy hub loses none.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { connect, type NatsConnection } from 'nats';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { resolveNatsServer } from '../../chaos/broker/nats-binary.ts';
import { freePort, signWebhook, startHub } from '../../examples/partner-hub/harness.mjs';
import { ownerMarker } from '../../src/platform/processes.ts';
import { tmpDir, waitFor } from '../helpers.ts';

const SECRET = 'whsec_RgKhJmRHYfWaP3doSioYNqsmMbNytnzu';
const OWNER_ENV = { GAMEDAY_OWNER: ownerMarker(), GAMEDAY_RUN_ID: 'partner-hub-queue-test' };

interface NatsServer {
  url: string;
  port: number;
  storeDir: string;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** One nats-server with JetStream on a fixed port and store: stopped and started again in place. */
async function natsServer(dir: string): Promise<NatsServer> {
  const bin = resolveNatsServer();
  const port = await freePort();
  const monitor = await freePort();
  const storeDir = path.join(dir, 'jetstream');
  let child: ChildProcess | null = null;
  let exited: Promise<void> = Promise.resolve();
  const server: NatsServer = {
    url: `nats://127.0.0.1:${port}`,
    port,
    storeDir,
    async start() {
      if (child) return;
      const log = fs.openSync(path.join(dir, 'nats-server.log'), 'a');
      const c = spawn(bin, ['-a', '127.0.0.1', '-p', String(port), '-m', String(monitor), '-js', '-sd', storeDir, '-n', 'hub-test'], {
        env: { ...process.env, ...OWNER_ENV },
        stdio: ['ignore', log, log],
      });
      fs.closeSync(log);
      child = c;
      exited = new Promise((resolve) => c.once('exit', () => resolve()));
      await waitFor(
        'nats-server to be healthy',
        async () => {
          if (c.exitCode !== null) throw new Error(`nats-server exited: ${fs.readFileSync(path.join(dir, 'nats-server.log'), 'utf8').slice(-2000)}`);
          try {
            return (await fetch(`http://127.0.0.1:${monitor}/healthz`, { signal: AbortSignal.timeout(1000) })).ok;
          } catch {
            return false;
          }
        },
        20_000,
        100,
      );
    },
    async stop() {
      const c = child;
      if (!c) return;
      child = null;
      if (c.exitCode === null) {
        c.kill('SIGTERM');
        const timer = setTimeout(() => c.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(timer);
      }
    },
  };
  await server.start();
  return server;
}

type Hub = Awaited<ReturnType<typeof startHub>>;
const base = tmpDir('gameday-hub-queue');
const hubs: Hub[] = [];
const brokers: NatsServer[] = [];
const clients: NatsConnection[] = [];

afterEach(async () => {
  await Promise.all(hubs.splice(0).map((h) => h.stop()));
  await Promise.all(clients.splice(0).map((c) => c.close().catch(() => undefined)));
  await Promise.all(brokers.splice(0).map((b) => b.stop()));
});

afterAll(() => {
  fs.rmSync(base, { recursive: true, force: true });
});

async function hub(dataDir: string, nats: NatsServer, env: Record<string, string> = {}): Promise<Hub> {
  const h = await startHub({
    dataDir,
    logFile: path.join(path.dirname(dataDir), 'hub.log'),
    env: { ...OWNER_ENV, WEBHOOK_SECRETS: JSON.stringify({ acme: SECRET }), PARTNER_URL: 'http://127.0.0.1:9', NATS_URL: nats.url, REPLICA: '0', ...env },
  });
  hubs.push(h);
  return h;
}

async function metrics(h: Hub): Promise<any> {
  return (await fetch(`${h.url}/metrics`)).json();
}

async function post(h: Hub, id: string) {
  const body = JSON.stringify({ type: 'booking.created', booking: id });
  const res = await fetch(`${h.url}/webhooks/acme`, { method: 'POST', headers: signWebhook(SECRET, { id, body }), body });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function applied(h: Hub, id: string): Promise<number> {
  return ((await (await fetch(`${h.url}/webhooks/acme/${id}`)).json()) as { applied: number }).applied;
}

/** The webhook ids in the stream, in stream order (first occurrence). */
async function streamOrder(nats: NatsServer): Promise<string[]> {
  const nc = await connect({ servers: nats.url });
  clients.push(nc);
  const jsm = await nc.jetstreamManager();
  const info = await jsm.streams.info('HUB_EVENTS');
  const ids: string[] = [];
  for (let seq = info.state.first_seq; seq <= info.state.last_seq; seq++) {
    const m = await jsm.streams.getMessage('HUB_EVENTS', { seq });
    const id = m.header.get('Hub-Webhook-Id');
    if (!ids.includes(id)) ids.push(id);
  }
  return ids;
}

describe('partner hub event queue on a real NATS JetStream server', () => {
  it('publishes accepted webhooks, queues them on disk while the broker is down, drains them in order when it is back', async () => {
    const dir = fs.mkdtempSync(path.join(base, 'drain-'));
    const nats = await natsServer(dir);
    brokers.push(nats);
    const h = await hub(path.join(dir, 'data'), nats);
    await waitFor('the hub to reach the broker', async () => (await metrics(h)).broker === 'connected', 20_000);

    // broker up: published (PubAck) and applied by the consumer
    for (const id of ['w1', 'w2']) expect(await post(h, id)).toEqual({ status: 200, body: { accepted: true, queued: 'broker' } });
    await waitFor('w1, w2 applied', async () => (await applied(h, 'w1')) === 1 && (await applied(h, 'w2')) === 1, 20_000);
    const up = await metrics(h);
    expect(up).toMatchObject({ broker: 'connected', offlineQueue: 0, published: 2 });
    expect(up.consumed).toBeGreaterThanOrEqual(2);

    // broker down: accepted (persisted) into the offline queue, in order
    await nats.stop();
    await waitFor('the hub to notice the broker is gone', async () => (await metrics(h)).broker !== 'connected', 20_000);
    const offline = ['w3', 'w4', 'w5', 'w6', 'w7'];
    for (const id of offline) expect(await post(h, id)).toEqual({ status: 200, body: { accepted: true, queued: 'offline' } });
    const down = await metrics(h);
    expect(down).toMatchObject({ broker: 'disconnected', backlog: null, offlineQueue: 5 });
    expect(down.queue).toMatchObject({ offlineQueueReplica: 5, queuedOffline: 5 });
    expect(fs.readdirSync(path.join(dir, 'data', 'offline', '0')).filter((n) => n.endsWith('.json'))).toHaveLength(5);
    for (const id of offline) expect(await applied(h, id)).toBe(0);
    // a duplicate while offline is still recognised
    expect(await post(h, 'w1')).toEqual({ status: 200, body: { duplicate: true } });

    // broker back on the same port: the queue drains, the consumer applies everything once
    const backAt = performance.now();
    await nats.start();
    await waitFor('the offline queue to drain', async () => (await metrics(h)).offlineQueue === 0, 60_000);
    const drainMs = performance.now() - backAt;
    await waitFor('everything applied', async () => (await Promise.all(offline.map((id) => applied(h, id)))).every((n) => n === 1), 30_000);
    await waitFor('no backlog', async () => (await metrics(h)).backlog === 0, 30_000);
    const after = await metrics(h);
    expect(after).toMatchObject({ broker: 'connected', offlineQueue: 0, backlog: 0 });
    expect(after.queue.publishedFromOfflineQueue).toBe(5);
    expect(after.published + after.queue.publishedDuplicates).toBeGreaterThanOrEqual(7);
    expect(after.consumed).toBeGreaterThanOrEqual(7);
    for (const id of ['w1', 'w2', ...offline]) expect(await applied(h, id)).toBe(1);
    expect(fs.readdirSync(path.join(dir, 'data', 'offline', '0')).filter((n) => n.endsWith('.json'))).toEqual([]);
    // the stream holds them in the order they were accepted
    expect(await streamOrder(nats)).toEqual(['w1', 'w2', ...offline]);
    console.log(`offline queue of 5 drained ${Math.round(drainMs)} ms after the broker came back`);
  }, 180_000);

  for (const variant of ['healthy', 'ack-before-persist'] as const) {
    it(`${variant}: webhooks acknowledged while the broker is down, then the hub is SIGKILLed: ${variant === 'healthy' ? 'none lost' : 'lost'}`, async () => {
      const dir = fs.mkdtempSync(path.join(base, `${variant}-`));
      const dataDir = path.join(dir, 'data');
      const nats = await natsServer(dir);
      brokers.push(nats);
      const env: Record<string, string> = variant === 'healthy' ? {} : { DEFECTS: 'ack-before-persist', WRITE_BEHIND_MS: '100' };
      const first = await hub(dataDir, nats, env);
      await waitFor('the hub to reach the broker', async () => (await metrics(first)).broker === 'connected', 20_000);
      await nats.stop();
      await waitFor('the hub to notice the broker is gone', async () => (await metrics(first)).broker !== 'connected', 20_000);

      const acked = ['c1', 'c2', 'c3'];
      for (const id of acked) expect((await post(first, id)).status).toBe(200);
      if (variant === 'healthy') {
        expect((await metrics(first)).offlineQueue).toBe(3);
      } else {
        // acknowledged, flushed from the write-behind buffer, and waiting in memory for the broker
        await waitFor('the acknowledged webhooks to wait in memory', async () => (await metrics(first)).queue.volatileQueue === 3, 20_000);
        expect((await metrics(first)).offlineQueue).toBe(0);
      }
      expect(await first.kill()).toMatchObject({ signal: 'SIGKILL' });
      hubs.splice(hubs.indexOf(first), 1);

      await nats.start();
      const second = await hub(dataDir, nats, env);
      await waitFor('the restarted hub to reach the broker', async () => (await metrics(second)).broker === 'connected', 30_000);
      // a sentinel accepted after the restart: once it is applied, everything queued before it was too
      expect((await post(second, 'sentinel')).status).toBe(200);
      await waitFor('the sentinel to be applied', async () => (await applied(second, 'sentinel')) === 1, 30_000);
      await waitFor('queues empty', async () => {
        const m = await metrics(second);
        return m.offlineQueue === 0 && m.backlog === 0 && m.queue.ackPending === 0;
      }, 30_000);

      const counts = await Promise.all(acked.map((id) => applied(second, id)));
      const inStream = await streamOrder(nats);
      if (variant === 'healthy') {
        expect(counts).toEqual([1, 1, 1]);
        expect(inStream).toEqual([...acked, 'sentinel']);
      } else {
        expect(counts).toEqual([0, 0, 0]); // acknowledged with 200, never applied
        expect(inStream).toEqual(['sentinel']);
      }
    }, 180_000);
  }
});
