// What the NATS queue and the Kafka log share: an accepted event is published at once when the
// broker can take it, else appended to the on-disk offline queue, which is drained in order
// (oldest first, one acknowledged publish at a time) once the broker is back; the
// ack-before-persist defect's events wait in memory instead, and are lost if the process dies.
import { OfflineQueue } from './offline-queue.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * @param {{
 *   offlineDir: string, replica: string,
 *   publish: (event: any) => Promise<unknown>,
 *   usable: () => boolean,
 *   counters: { queuedOffline: number, publishedFromOfflineQueue: number },
 *   log: (line: string) => void,
 * }} o
 */
export function createOutbox(o) {
  const offline = new OfflineQueue(o.offlineDir, o.replica);
  /** events acknowledged but only held in memory (the ack-before-persist defect) */
  const volatile = [];
  let draining = false;
  if (offline.length > 0) o.log(`offline queue: ${offline.length} event(s) left by an earlier run, drained once the broker is reachable`);

  /**
   * Healthy path: publish (acknowledged by the broker) or, when the broker cannot take it, append
   * to the offline queue. Resolves once the event is durable (in the broker or on disk); throws
   * only when neither worked (e.g. ENOSPC on the offline queue).
   * @returns {Promise<'broker' | 'offline'>}
   */
  async function enqueue(event) {
    // while older events wait offline, newer ones queue behind them: the broker keeps their order
    if (o.usable() && offline.length === 0) {
      try {
        await o.publish(event);
        return 'broker';
      } catch {
        /* the broker went away under us: the event goes offline */
      }
    }
    offline.append(event);
    o.counters.queuedOffline++;
    kick();
    return 'offline';
  }

  /** The ack-before-persist defect: the event waits in memory until the broker takes it. */
  function enqueueVolatile(event) {
    volatile.push(event);
    kick();
  }

  function kick() {
    if (!draining && o.usable() && (offline.length > 0 || volatile.length > 0)) void drain();
  }

  async function drain() {
    draining = true;
    try {
      while (o.usable() && offline.length > 0) {
        const head = offline.peek();
        try {
          await o.publish(head.event);
        } catch {
          await sleep(250);
          continue;
        }
        offline.shift(head.name);
        o.counters.publishedFromOfflineQueue++;
        if (offline.length === 0) o.log('offline queue: drained');
      }
      while (o.usable() && volatile.length > 0) {
        try {
          await o.publish(volatile[0]);
          volatile.shift();
        } catch {
          await sleep(250);
        }
      }
    } finally {
      draining = false;
    }
  }
  const timer = setInterval(kick, 500);
  timer.unref();

  return {
    enqueue,
    enqueueVolatile,
    kick,
    /** the figures /metrics shows */
    figures: () => ({ offlineQueue: offline.totalAcrossReplicas(), offlineQueueReplica: offline.length, volatileQueue: volatile.length }),
    close: () => clearInterval(timer),
  };
}
