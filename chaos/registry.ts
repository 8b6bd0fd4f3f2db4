// The fault registry: every action a drill can ask for, the drivers that carry it out, the
// parameters it takes — one zod schema, used by the drill schema, the planner, the drivers and
// the report — and what it does to the system. Adding an action or a driver starts here (then
// the driver's own file); nothing else lists them.
import { z } from 'zod';
import { Duration } from '../src/schema/duration.ts';
import { NatsName } from '../src/schema/names.ts';
import { CommandAction } from '../src/schema/command.ts';
import { Select } from '../src/schema/select.ts';

export const DRIVERS = ['toxiproxy', 'process', 'containers', 'broker', 'disk', 'command', 'docker', 'kubernetes', 'fis'] as const;
export type DriverName = (typeof DRIVERS)[number];

interface FaultSpec {
  /** drivers that carry it out; the first is the one a drill gets when it names none that fits */
  drivers: readonly DriverName[];
  /** what the action does to the system, as the README and the report say it */
  description: string;
  /** the action's own parameters (beyond name, driver, target, at, duration) */
  params: z.ZodObject;
  /** duration parameters that fall inside the fault window: time-scaled with the timeline */
  scaled: readonly string[];
}

export const FAULTS = {
  latency: {
    drivers: ['toxiproxy'],
    description: 'every response delayed by latency ± jitter (Toxiproxy latency toxic, downstream)',
    params: z.object({ latency: Duration, jitter: Duration.default(0) }),
    scaled: [],
  },
  bandwidth: {
    drivers: ['toxiproxy'],
    description: 'throughput capped at rate KB/s (Toxiproxy bandwidth toxic)',
    params: z.object({ rate: z.number().int().positive() }),
    scaled: [],
  },
  partition: {
    drivers: ['toxiproxy', 'containers', 'docker', 'kubernetes'],
    description: "cut off: toxiproxy blackholes data both ways (connections hang); containers disconnects the replicas from the run network; docker disconnects the selected containers from `network` and reconnects them with their aliases; kubernetes: a deny-all NetworkPolicy (ingress and egress) selecting the selected pods, deleted when the fault ends",
    params: z.object({
      /** docker: the network the containers are cut off from (default: their only one) */
      network: z.string().min(1).optional(),
      /** docker, kubernetes: which of the matching containers / pods (default all) */
      select: Select.optional(),
    }),
    scaled: [],
  },
  down: {
    drivers: ['toxiproxy'],
    description: 'the proxy disabled: connections refused at once',
    params: z.object({}),
    scaled: [],
  },
  reset: {
    drivers: ['toxiproxy'],
    description: 'connections reset (TCP RST) after `after`',
    params: z.object({ after: Duration.default(0) }),
    scaled: [],
  },
  'pod-kill': {
    drivers: ['process', 'containers', 'docker', 'kubernetes', 'fis'],
    description: "one replica SIGKILLed (docker: the selected containers), restarted after restartAfter as a deployment would (docker: unless the container's own restart policy did it first), else when the fault ends; kubernetes: the selected pods deleted (grace period `gracePeriod`, default the pod's own), their replacements observed Ready and timed; fis: the pods or tasks of the fault's fis: block deleted / stopped by an AWS FIS experiment",
    params: z.object({
      /** which replica (index); the first by default */
      replica: z.number().int().nonnegative().default(0),
      /** docker, kubernetes: which of the matching containers / pods (default count 1) */
      select: Select.optional(),
      restartAfter: Duration.optional(),
      /** kubernetes: the pods' termination grace period (whole seconds, rounded up; default each pod's own) */
      gracePeriod: Duration.optional(),
    }),
    scaled: ['restartAfter'],
  },
  'az-failure': {
    drivers: ['process', 'containers', 'docker', 'kubernetes', 'fis'],
    description: "every replica of a zone down together (stopped, or with mode: disconnect cut off from the network: containers only); back when the fault ends; kubernetes: the zone's nodes cordoned for the window (uncordoned after: only those gameday cordoned) and the selected pods on them deleted; fis: the zone's subnets cut off or its power interrupted by an AWS FIS experiment, stopped when the fault ends",
    params: z.object({
      zone: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'use lowercase letters, digits and dashes, e.g. "a"'),
      mode: z.enum(['stop', 'disconnect']).default('stop'),
      /** docker, kubernetes: which of the zone's matching containers / pods (default all) */
      select: Select.optional(),
    }),
    scaled: [],
  },
  'broker-failover': {
    drivers: ['broker', 'fis'],
    description: 'the leader of a replicated JetStream stream (nats) or the Redis primary (redis-sentinel) SIGKILLed, restarted when the fault ends; failover time and acknowledged messages/writes lost measured by a sequence-numbered probe; fis: an Aurora/RDS failover or an MSK broker reboot by an AWS FIS experiment',
    params: z.object({
      /** whose leader: one of target.broker.streams (default the first; a probe stream of gameday's when none is declared) */
      stream: NatsName.optional(),
    }),
    scaled: [],
  },
  pause: {
    drivers: ['docker'],
    description: 'the selected containers frozen (docker pause: every process stopped, connections open), unpaused when the fault ends',
    params: z.object({ select: Select.optional() }),
    scaled: [],
  },
  restart: {
    drivers: ['docker'],
    description: 'the selected containers restarted (docker restart with a grace period of `grace`); the fault ends with them running',
    params: z.object({ select: Select.optional(), grace: Duration.default(0) }),
    scaled: [],
  },
  'scale-to-zero': {
    drivers: ['kubernetes'],
    description: 'the Deployments or StatefulSets owning the selected pods scaled to 0 replicas, scaled back to the replica counts recorded at inject when the fault ends (observed Ready)',
    params: z.object({
      /** which of the owning workloads (default all) */
      select: Select.optional(),
    }),
    scaled: [],
  },
  'disk-full': {
    drivers: ['disk', 'fis'],
    description: "the service's DATA_DIR filesystem filled to `percent` used (100: writes fail with ENOSPC); the filler removed when the fault ends; fis: the instances' root volume filled by AWS FIS (AWSFIS-Run-Disk-Fill, percent in the fis: block)",
    params: z.object({ percent: z.number().gt(0).max(100).default(100) }),
    scaled: [],
  },
  command: {
    drivers: ['command'],
    description: "the team's own commands: inject at the start (then verify, if given), revert at the end — always attempted; argv run without a shell unless shell: true, each with a timeout, output kept in logs/",
    params: CommandAction,
    scaled: [],
  },
} as const satisfies Record<string, FaultSpec>;

export type FaultAction = keyof typeof FAULTS;
export const FAULT_ACTIONS = Object.keys(FAULTS) as FaultAction[];

/** The parameters of one action, as the driver receives them (durations in ms, time-scaled). */
export type FaultParams<A extends FaultAction = FaultAction> = z.output<(typeof FAULTS)[A]['params']>;

/** What a driver is asked to do: one action on its targets, with that action's parameters. */
export type FaultRequest = {
  [A in FaultAction]: {
    /** unique within the run */
    name: string;
    action: A;
    /** driver-specific targets (Toxiproxy: proxy names; process/containers: replica names; broker: a stream; disk: a folder) */
    targets: string[];
    params: FaultParams<A>;
  };
}[FaultAction];

export function driversOf(action: FaultAction): readonly DriverName[] {
  return FAULTS[action].drivers;
}

export function actionsOf(driver: DriverName): FaultAction[] {
  return FAULT_ACTIONS.filter((a) => (FAULTS[a].drivers as readonly DriverName[]).includes(driver));
}

export function supports(driver: string, action: string): boolean {
  return Object.hasOwn(FAULTS, action) && (FAULTS[action as FaultAction].drivers as readonly string[]).includes(driver);
}

/** The action's parameters picked out of a fault, with the durations inside its window scaled like the timeline. */
export function faultParams<A extends FaultAction>(fault: { action: A } & Record<string, unknown>, timeScale: number): FaultParams<A> {
  const spec = FAULTS[fault.action];
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(spec.params.shape)) {
    const value = fault[key];
    if (value === undefined) continue;
    out[key] = (spec.scaled as readonly string[]).includes(key) && typeof value === 'number' ? Math.round(value * timeScale) : value;
  }
  return out as FaultParams<A>;
}

/** A request with the action's parameters checked and defaulted by its schema (for callers outside a drill: `gameday` tools, tests). */
export function faultRequest<A extends FaultAction>(name: string, action: A, targets: string[], params: z.input<(typeof FAULTS)[A]['params']> = {} as never): FaultRequest {
  return { name, action, targets, params: FAULTS[action].params.parse(params) } as FaultRequest;
}
