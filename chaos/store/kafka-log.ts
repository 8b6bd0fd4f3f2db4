// What Kafka's own logs say about a failover, in its stock line format
// "[2026-12-05 18:53:49,260] INFO message (logger)" (local time): a partition's new leader taking
// over (the broker's state-change line), a broker fenced by the controller, a node becoming the
// active controller. Pure, so the failover time gameday measures can be checked against them.

/** `[Broker id=1] Leader probe-0 with topic id Some(..) starts at leader epoch 1 from offset 812 ...` */
export interface LeaderStart {
  at: Date;
  /** the broker that became leader */
  nodeId: number;
  /** topic-partition, e.g. "gameday-probe-0" */
  partition: string;
  leaderEpoch: number;
  /** the offset the new leader's epoch starts at */
  fromOffset: number;
}

/** `[QuorumController id=2] Fencing broker 3 at epoch 10 because its session has timed out.` */
export interface BrokerFenced {
  at: Date;
  controller: number;
  broker: number;
  reason: string;
}

/** `[QuorumController id=2] Becoming the active controller at epoch 2, next write offset 41.` */
export interface ControllerActivated {
  at: Date;
  nodeId: number;
  epoch: number;
}

const STAMP = /^\[(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2}),(\d{3})\] \w+ /;
const LEADER = /\[Broker id=(\d+)\] Leader (\S+) with topic id .*? starts at leader epoch (\d+) from offset (\d+)/;
const FENCED = /\[QuorumController id=(\d+)\] Fencing broker (\d+)(?: at epoch \d+)? because (.*?)\.? \(/;
const ACTIVE = /\[QuorumController id=(\d+)\] Becoming the active controller at epoch (\d+)/;

function lines<T>(log: string, re: RegExp, make: (at: Date, m: RegExpExecArray) => T | null): T[] {
  const out: T[] = [];
  for (const line of log.split('\n')) {
    const s = STAMP.exec(line);
    if (!s) continue;
    const m = re.exec(line);
    if (!m) continue;
    const [, y, mo, d, h, mi, sec, ms] = s.map(Number);
    const item = make(new Date(y, mo - 1, d, h, mi, sec, ms), m);
    if (item) out.push(item);
  }
  return out;
}

export function parseLeaderStarts(log: string, partition?: string): LeaderStart[] {
  return lines(log, LEADER, (at, m) => (partition !== undefined && m[2] !== partition ? null : { at, nodeId: Number(m[1]), partition: m[2], leaderEpoch: Number(m[3]), fromOffset: Number(m[4]) }));
}

export function parseBrokerFenced(log: string): BrokerFenced[] {
  return lines(log, FENCED, (at, m) => ({ at, controller: Number(m[1]), broker: Number(m[2]), reason: m[3] }));
}

export function parseControllerActivated(log: string): ControllerActivated[] {
  return lines(log, ACTIVE, (at, m) => ({ at, nodeId: Number(m[1]), epoch: Number(m[2]) }));
}

/** The earliest item at or after `since` (the logs have millisecond stamps: 1 ms of slack). */
export function firstAfter<T extends { at: Date }>(items: readonly T[], since: Date): T | null {
  const after = items.filter((i) => i.at.getTime() >= since.getTime() - 1);
  after.sort((a, b) => a.at.getTime() - b.at.getTime());
  return after[0] ?? null;
}

export interface FailoverInLogs {
  /** the first new leader of `partition` any broker logged after the kill */
  leader: LeaderStart | null;
  /** the controller fencing the killed broker */
  fenced: BrokerFenced | null;
  /** a new active controller, when the killed node was the active one */
  controller: ControllerActivated | null;
}

/** What the nodes' logs say happened to `partition` after `killedBroker` was killed at `since`. */
export function failoverInLogs(logs: readonly string[], partition: string, killedBroker: number, since: Date): FailoverInLogs {
  return {
    leader: firstAfter(
      logs.flatMap((l) => parseLeaderStarts(l, partition)).filter((s) => s.nodeId !== killedBroker),
      since,
    ),
    fenced: firstAfter(
      logs.flatMap(parseBrokerFenced).filter((f) => f.broker === killedBroker),
      since,
    ),
    controller: firstAfter(logs.flatMap(parseControllerActivated), since),
  };
}
