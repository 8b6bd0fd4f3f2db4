// What the orchestrator hands a bundled drill script (as a JSON file named by GAMEDAY_PLAN).
import type { PhaseWindow } from './phase.ts';

export interface K6Request {
  name: string;
  method: string;
  path: string;
  weight: number;
  body?: unknown;
  /** sign as a webhook of this partner; the secret comes from the environment variable named here */
  webhook?: { partner: string; scheme: 'standard-webhooks'; secretEnv: string };
}

export interface K6Plan {
  /** wall-clock epoch ms at which load starts: t = 0 of the phase timeline */
  t0: number;
  phases: PhaseWindow[];
  /** base URLs, used round-robin (one per proxied replica) */
  targets: string[];
  requests: K6Request[];
  /** k6 options: scenarios, thresholds, ... */
  options: Record<string, unknown>;
}
