// The hub's event queue on NATS JetStream (enabled by NATS_URL):
//   publish  accepted webhooks go to the stream (subject <prefix>.<partner>) with the delivery
//            key as msgID; "published" means the broker's PubAck is in. When the broker is
//            unreachable the event goes to the on-disk offline queue instead, and the queue is
//            drained in order (PubAck by PubAck) once the broker is back.
//   consume  a durable pull consumer shared by every replica (each event goes to one replica)
//            applies events through `apply` and acks them; a failed apply is nak'ed and redelivered.
//   metrics  backlog = the consumer's num_pending, offline queue lengths, counters.
import { AckPolicy, DeliverPolicy, connect, headers, nanos } from 'nats';
import { createOutbox } from './outbox.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const message = (err) => (err instanceof Error ? err.message : String(err));

function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/**
 * @typedef {{ subject: string, msgId: string | null, headers: Record<string, string>, body: string }} QueuedEvent
 *   body is base64
 * @typedef {{ partner: string, id: string, body: Buffer, redelivered: boolean, seq: number }} Delivery
 */

/**
 * @param {{
 *   url: string, stream: string, subjectPrefix: string, durable: string,
 *   offlineDir: string, replica: string, consume: boolean,
 *   publishTimeoutMs?: number,
 *   apply: (d: Delivery) => void | Promise<void>,
 *   onApplyError?: (err: unknown, d: Delivery) => 'retry' | 'crash',
 *   log: (line: string) => void,
 * }} o
 */
export function startEventQueue(o) {
  const publishTimeoutMs = o.publishTimeoutMs ?? 2000;
  const counters = {
    published: 0,
    publishedDuplicates: 0,
    publishFailures: 0,
    publishedFromOfflineQueue: 0,
    queuedOffline: 0,
    consumed: 0,
    consumedRedelivered: 0,
    applyFailures: 0,
    disconnects: 0,
    reconnects: 0,
  };
  let nc = null;
  let js = null;
  let jsm = null;
  let connected = false;
  let ready = false;
  let closed = false;
  let lastError = null;
  let lastBacklog = { backlog: null, ackPending: null, at: null };

  async function ensureStreamAndConsumer() {
    const subjects = [`${o.subjectPrefix}.>`];
    try {
      await jsm.streams.info(o.stream);
    } catch (err) {
      if (!/stream not found/i.test(message(err))) throw err;
      await jsm.streams.add({ name: o.stream, subjects, storage: 'file' });
    }
    try {
      await jsm.consumers.info(o.stream, o.durable);
    } catch (err) {
      if (!/consumer not found/i.test(message(err))) throw err;
      await jsm.consumers.add(o.stream, {
        durable_name: o.durable,
        ack_policy: AckPolicy.Explicit,
        deliver_policy: DeliverPolicy.All,
        ack_wait: nanos(10_000),
        filter_subject: `${o.subjectPrefix}.>`,
      });
    }
  }

  /** Until the stream and the consumer exist (retries while the broker is away). */
  async function becomeReady() {
    ready = false;
    while (!closed && connected) {
      try {
        await ensureStreamAndConsumer();
        ready = true;
        kick();
        return;
      } catch (err) {
        lastError = message(err);
        await sleep(250);
      }
    }
  }

  async function run() {
    try {
      nc = await connect({
        servers: o.url,
        name: `partner-hub-${o.replica}`,
        waitOnFirstConnect: true,
        maxReconnectAttempts: -1,
        reconnectTimeWait: 250,
        pingInterval: 2000,
        maxPingOut: 2,
        timeout: 2000,
      });
    } catch (err) {
      lastError = message(err);
      o.log(`event queue: cannot connect to ${o.url}: ${lastError}`);
      return;
    }
    if (closed) {
      await nc.close();
      return;
    }
    js = nc.jetstream({ timeout: publishTimeoutMs });
    jsm = await nc.jetstreamManager({ timeout: 2000 });
    connected = true;
    o.log(`event queue: connected to ${nc.getServer()}`);
    void (async () => {
      for await (const s of nc.status()) {
        if (s.type === 'disconnect') {
          connected = false;
          ready = false;
          counters.disconnects++;
          o.log(`event queue: disconnected from ${s.data}`);
        } else if (s.type === 'reconnect') {
          connected = true;
          counters.reconnects++;
          o.log(`event queue: reconnected to ${s.data}`);
          void becomeReady();
        }
      }
    })();
    await becomeReady();
    if (o.consume) void consumeLoop();
  }

  /** @param {QueuedEvent} event */
  async function publish(event) {
    const h = headers();
    for (const [k, v] of Object.entries(event.headers)) h.set(k, v);
    const opts = { headers: h, timeout: publishTimeoutMs };
    if (event.msgId) opts.msgID = event.msgId;
    try {
      const ack = await js.publish(event.subject, Buffer.from(event.body, 'base64'), opts);
      if (ack.duplicate) counters.publishedDuplicates++;
      else counters.published++;
      return ack;
    } catch (err) {
      counters.publishFailures++;
      lastError = message(err);
      throw err;
    }
  }

  const brokerUsable = () => connected && ready && !closed;
  const outbox = createOutbox({ offlineDir: o.offlineDir, replica: o.replica, publish, usable: brokerUsable, counters, log: o.log });
  const kick = outbox.kick;

  async function consumeLoop() {
    let consumer = null;
    while (!closed) {
      if (!brokerUsable()) {
        await sleep(250);
        continue;
      }
      try {
        consumer ??= await js.consumers.get(o.stream, o.durable);
        const messages = await consumer.fetch({ max_messages: 64, expires: 1000 });
        for await (const m of messages) {
          const d = {
            partner: m.headers?.get('Hub-Partner') ?? '',
            id: m.headers?.get('Hub-Webhook-Id') ?? '',
            body: Buffer.from(m.data),
            redelivered: m.redelivered,
            seq: m.seq,
          };
          try {
            await o.apply(d);
          } catch (err) {
            counters.applyFailures++;
            lastError = message(err);
            if ((o.onApplyError?.(err, d) ?? 'retry') === 'crash') throw Object.assign(err, { crash: true });
            m.nak(1000);
            continue;
          }
          m.ack();
          counters.consumed++;
          if (d.redelivered) counters.consumedRedelivered++;
        }
      } catch (err) {
        if (err?.crash) {
          // the no-disk-handling defect: the consumer does not survive a failed write
          o.log(`event queue: consumer crashed: ${message(err)}`);
          process.exit(70);
        }
        lastError = message(err);
        if (/consumer not found|consumer deleted|stream not found/i.test(lastError)) consumer = null;
        await sleep(250);
      }
    }
  }

  const started = run();

  return {
    enqueue: outbox.enqueue,
    enqueueVolatile: outbox.enqueueVolatile,
    get brokerState() {
      return closed ? 'closed' : brokerUsable() ? 'connected' : nc ? 'disconnected' : 'connecting';
    },
    async metrics() {
      if (brokerUsable()) {
        try {
          const info = await withTimeout(jsm.consumers.info(o.stream, o.durable), 1000, 'consumer info');
          lastBacklog = { backlog: info.num_pending, ackPending: info.num_ack_pending, at: new Date().toISOString() };
        } catch (err) {
          lastError = message(err);
        }
      }
      const fresh = brokerUsable() && lastBacklog.at !== null;
      return {
        broker: this.brokerState,
        stream: o.stream,
        consumer: o.durable,
        backlog: fresh ? lastBacklog.backlog : null,
        ackPending: fresh ? lastBacklog.ackPending : null,
        lastBacklog,
        ...outbox.figures(),
        ...counters,
        lastError,
      };
    },
    async close() {
      closed = true;
      outbox.close();
      await withTimeout(started, 1000, 'connect').catch(() => undefined);
      await nc?.close().catch(() => undefined);
    },
  };
}
