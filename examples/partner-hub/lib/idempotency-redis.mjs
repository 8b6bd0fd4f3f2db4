// The hub's Redis-backed idempotency store (IDEMPOTENCY_STORE=redis-sentinel://H:P,H:P/NAME): a
// webhook delivery is claimed with SET NX on the primary the sentinels name; a claim that fails
// because there is no primary (a failover in progress) answers 503 so the partner retries.
// A primary that acknowledged a claim and died before replicating it loses it: a redelivery
// is then applied again — what a store failover drill looks for.
import { Redis } from 'ioredis';

export function parseSentinelUrl(url) {
  const m = /^redis-sentinel:\/\/([^/]+)\/([A-Za-z0-9_-]+)$/.exec(url);
  if (!m) throw new Error(`IDEMPOTENCY_STORE must look like redis-sentinel://127.0.0.1:26379,127.0.0.1:26380/NAME, not ${url}`);
  const sentinels = m[1].split(',').map((hp) => {
    const i = hp.lastIndexOf(':');
    return { host: hp.slice(0, i), port: Number(hp.slice(i + 1)) };
  });
  return { sentinels, name: m[2] };
}

export function startRedisIdempotency(url, { ttlSeconds = 86_400 } = {}) {
  const { sentinels, name } = parseSentinelUrl(url);
  const client = new Redis({
    sentinels,
    name,
    role: 'master',
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: 500,
    connectTimeout: 1000,
    retryStrategy: () => 100,
    sentinelRetryStrategy: () => 100,
    failoverDetector: true,
  });
  client.on('error', () => {});
  return {
    /** true: the first claim of this delivery; false: claimed before (a duplicate). Throws when there is no primary. */
    async claim(key) {
      return (await client.set(`idem:${key}`, '1', 'EX', ttlSeconds, 'NX')) === 'OK';
    },
    /** forgets a claim whose delivery could not be applied, so the retry is not taken for a duplicate */
    async release(key) {
      await client.del(`idem:${key}`).catch(() => undefined);
    },
    status: () => client.status,
    close: () => client.disconnect(),
  };
}
