// What JetStream says about a stream's RAFT group: its leader and how current its replicas are.
import { StorageType, nanos, type JetStreamManager, type StreamInfo } from 'nats';
import { sleep } from '../../src/platform/poll.ts';

export interface StreamPeer {
  name: string;
  leader: boolean;
  current: boolean;
  offline: boolean;
  lag: number;
}

export interface StreamGroup {
  stream: string;
  replicas: number;
  storage: string;
  /** server_name of the RAFT leader, or null while there is none */
  leader: string | null;
  /** the leader and every follower the leader reports */
  peers: StreamPeer[];
}


/** The stream's RAFT group as reported by stream info (`cluster.leader`, `cluster.replicas`). Pure. */
export function streamGroup(info: StreamInfo): StreamGroup {
  const leader = info.cluster?.leader || null;
  const followers = (info.cluster?.replicas ?? []).map((r) => ({
    name: r.name,
    leader: false,
    current: Boolean(r.current),
    offline: Boolean(r.offline),
    lag: r.lag ?? 0,
  }));
  const peers: StreamPeer[] = leader ? [{ name: leader, leader: true, current: true, offline: false, lag: 0 }, ...followers] : followers;
  return { stream: info.config.name, replicas: info.config.num_replicas, storage: String(info.config.storage), leader, peers };
}

/** Every one of the stream's replicas is there: a leader and `replicas - 1` current, online followers. Pure. */
export function groupIsCurrent(group: StreamGroup, mustInclude?: string): boolean {
  if (!group.leader) return false;
  if (group.peers.length !== group.replicas) return false;
  if (!group.peers.every((p) => p.current && !p.offline)) return false;
  return mustInclude === undefined || group.peers.some((p) => p.name === mustInclude);
}

export async function readStreamGroup(jsm: JetStreamManager, stream: string): Promise<StreamGroup> {
  return streamGroup(await jsm.streams.info(stream));
}

export interface EnsureStreamOptions {
  stream: string;
  subjects: string[];
  /** default 3 */
  replicas?: number;
  /** default 'file' */
  storage?: 'file' | 'memory';
  /** deduplication window for Nats-Msg-Id (default 2 min) */
  duplicateWindowMs?: number;
  /** bounded retries while the cluster settles; default 15 s */
  timeoutMs?: number;
}

/** Creates the stream (R3, file storage by default) or returns the existing one; waits until its group is current. */
export async function ensureStream(jsm: JetStreamManager, options: EnsureStreamOptions): Promise<StreamGroup> {
  const deadline = Date.now() + (options.timeoutMs ?? 15_000);
  let last = '';
  while (Date.now() < deadline) {
    try {
      let info: StreamInfo;
      try {
        info = await jsm.streams.info(options.stream);
      } catch (err) {
        if (!/stream not found/i.test(String(err))) throw err;
        info = await jsm.streams.add({
          name: options.stream,
          subjects: options.subjects,
          num_replicas: options.replicas ?? 3,
          storage: options.storage === 'memory' ? StorageType.Memory : StorageType.File,
          duplicate_window: nanos(options.duplicateWindowMs ?? 120_000),
        });
      }
      const group = streamGroup(info);
      if (groupIsCurrent(group)) return group;
      last = `leader ${group.leader ?? 'none'}, peers ${group.peers.map((p) => `${p.name}${p.current ? '' : ' (behind)'}`).join(', ')}`;
    } catch (err) {
      last = err instanceof Error ? err.message : String(err);
    }
    await sleep(200);
  }
  throw new Error(`stream ${options.stream} not ready within ${options.timeoutMs ?? 15_000} ms (last: ${last})`);
}

/**
 * Polls stream info until `accept` holds for the group; null when the time is up.
 * Errors (no responders, timeouts while there is no leader) count as "not yet".
 */
export async function waitForGroup(
  jsm: JetStreamManager,
  stream: string,
  accept: (group: StreamGroup) => boolean,
  timeoutMs: number,
  everyMs = 100,
): Promise<{ group: StreamGroup; atMono: number; at: Date } | null> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    try {
      const group = await readStreamGroup(jsm, stream);
      if (accept(group)) return { group, atMono: performance.now(), at: new Date() };
    } catch {
      /* no leader yet, or the connection is moving to another node */
    }
    await sleep(everyMs);
  }
  return null;
}
