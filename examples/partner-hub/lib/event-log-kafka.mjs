// The hub's event log on Kafka (enabled by KAFKA_URL=kafka://host:port,host:port,...), with the
// same contract as the NATS event queue (event-queue.mjs), so the rest of the hub does not care:
//   publish  accepted webhooks go to the topic (KAFKA_TOPIC) keyed by the delivery key, through an
//            idempotent producer with acks=all: "published" means every in-sync replica has it.
//            When Kafka cannot take it the event goes to the on-disk offline queue, drained in order.
//   consume  one consumer group shared by every replica (KAFKA_GROUP) applies events through
//            `apply`; an offset is committed only after its event was applied (at-least-once), so
//            a redelivered event is applied again unless `apply` is idempotent.
//   metrics  backlog = the group's lag (end offsets − committed offsets), offline queue lengths, counters.
import { Kafka, logLevel } from 'kafkajs';
import { createOutbox } from './outbox.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const message = (err) => (err instanceof Error ? err.message : String(err));

export function parseKafkaUrl(url) {
  const m = /^kafka:\/\/([^/]+)\/?$/.exec(url);
  if (!m) throw new Error(`KAFKA_URL must look like kafka://127.0.0.1:9092,127.0.0.1:9093, not ${url}`);
  return m[1].split(',');
}

/**
 * @param {{
 *   url: string, topic: string, group: string, offlineDir: string, replica: string, consume: boolean,
 *   publishTimeoutMs?: number,
 *   apply: (d: { partner: string, id: string, body: Buffer, redelivered: boolean, seq: number }) => void | Promise<void>,
 *   onApplyError?: (err: unknown) => 'retry' | 'crash',
 *   log: (line: string) => void,
 * }} o
 */
export function startKafkaEventLog(o) {
  const publishTimeoutMs = o.publishTimeoutMs ?? 2000;
  const counters = { published: 0, publishedDuplicates: 0, publishFailures: 0, publishedFromOfflineQueue: 0, queuedOffline: 0, consumed: 0, consumedRedelivered: 0, applyFailures: 0, disconnects: 0, reconnects: 0 };
  const kafka = new Kafka({
    clientId: `partner-hub-${o.replica}`,
    brokers: parseKafkaUrl(o.url),
    logLevel: logLevel.NOTHING,
    connectionTimeout: 1000,
    requestTimeout: publishTimeoutMs,
    retry: { retries: 3, initialRetryTime: 100, maxRetryTime: 500 },
  });
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
  const admin = kafka.admin();
  // a consumer whose group coordinator died (a killed broker) can fail with an error kafkajs does
  // not count as retriable, and then stops for good: it is always restarted, and says so
  const consumer = o.consume
    ? kafka.consumer({
        groupId: o.group,
        // a member that is gone (a crashed consumer, restarted as a new member) holds the group's
        // rebalance for at most these: seconds, not kafkajs' default minute
        sessionTimeout: 6000,
        rebalanceTimeout: 10_000,
        heartbeatInterval: 1000,
        retry: {
          retries: 1000,
          initialRetryTime: 100,
          maxRetryTime: 1000,
          restartOnFailure: async (err) => {
            o.log(`event log: consumer failed (${message(err)}): restarting it`);
            return true;
          },
        },
      })
    : null;
  let connected = false;
  let closed = false;
  let lastError = null;
  let lastBacklog = { backlog: null, at: null };
  /** offsets seen applied in this process: one seen again is a redelivery */
  const seenOffsets = new Set();

  async function connect() {
    while (!closed) {
      try {
        await producer.connect();
        await admin.connect();
        connected = true;
        o.log(`event log: connected to Kafka ${parseKafkaUrl(o.url).join(',')}, topic ${o.topic}`);
        return;
      } catch (err) {
        lastError = message(err);
        await sleep(500);
      }
    }
  }

  async function publish(event) {
    const headers = Object.fromEntries(Object.entries(event.headers).map(([k, v]) => [k, String(v)]));
    try {
      await producer.send({ topic: o.topic, acks: -1, timeout: publishTimeoutMs, messages: [{ key: event.msgId ?? undefined, value: Buffer.from(event.body, 'base64'), headers }] });
      counters.published++;
    } catch (err) {
      counters.publishFailures++;
      lastError = message(err);
      throw err;
    }
  }

  const usable = () => connected && !closed;
  const outbox = createOutbox({ offlineDir: o.offlineDir, replica: o.replica, publish, usable, counters, log: o.log });

  async function consume() {
    if (!consumer) return;
    consumer.on(consumer.events.CRASH, (e) => {
      lastError = message(e.payload.error);
      o.log(`event log: consumer crashed (${lastError})${e.payload.restart ? ', kafkajs restarts it' : ''}`);
    });
    while (!closed) {
      try {
        await consumer.connect();
        await consumer.subscribe({ topic: o.topic, fromBeginning: true });
        await consumer.run({
          autoCommit: true,
          eachMessage: async ({ partition, message: m }) => {
            const header = (k) => (m.headers?.[k] ? m.headers[k].toString() : '');
            const key = `${partition}:${m.offset}`;
            const d = { partner: header('Hub-Partner'), id: header('Hub-Webhook-Id'), body: m.value ?? Buffer.alloc(0), redelivered: seenOffsets.has(key), seq: Number(m.offset) };
            try {
              await o.apply(d);
            } catch (err) {
              counters.applyFailures++;
              lastError = message(err);
              if ((o.onApplyError?.(err) ?? 'retry') === 'crash') {
                o.log(`event log: consumer crashed: ${lastError}`);
                process.exit(70);
              }
              throw err; // not committed: kafkajs retries it
            }
            seenOffsets.add(key);
            counters.consumed++;
            if (d.redelivered) counters.consumedRedelivered++;
          },
        });
        return;
      } catch (err) {
        lastError = message(err);
        await sleep(500);
      }
    }
  }

  const started = connect().then(consume);

  return {
    enqueue: outbox.enqueue,
    enqueueVolatile: outbox.enqueueVolatile,
    get brokerState() {
      return closed ? 'closed' : usable() ? 'connected' : 'connecting';
    },
    async metrics() {
      if (usable()) {
        try {
          const [ends, committed] = await Promise.all([admin.fetchTopicOffsets(o.topic), admin.fetchOffsets({ groupId: o.group, topics: [o.topic] })]);
          const done = new Map(committed[0]?.partitions.map((p) => [p.partition, Number(p.offset)]) ?? []);
          const backlog = ends.reduce((sum, p) => sum + Math.max(0, Number(p.high) - Math.max(0, done.get(p.partition) ?? 0)), 0);
          lastBacklog = { backlog, at: new Date().toISOString() };
        } catch (err) {
          lastError = message(err);
        }
      }
      const fresh = usable() && lastBacklog.at !== null;
      return {
        broker: this.brokerState,
        topic: o.topic,
        consumer: o.group,
        backlog: fresh ? lastBacklog.backlog : null,
        lastBacklog,
        ...outbox.figures(),
        ...counters,
        lastError,
      };
    },
    async close() {
      closed = true;
      outbox.close();
      await Promise.race([started, sleep(1000)]);
      await Promise.allSettled([consumer?.disconnect(), producer.disconnect(), admin.disconnect()]);
    },
  };
}
