// What the orchestrator hands a bundled drill script (as a JSON file named by GAMEDAY_PLAN).
import type { PhaseWindow } from './phase.ts';

export type WebhookScheme = 'standard-webhooks' | 'stripe' | 'github';

export interface K6Request {
  name: string;
  method: string;
  path: string;
  weight: number;
  body?: unknown;
  /** statuses that count as success; k6's default (200-399) when absent */
  expect?: number[];
  /**
   * sign as a webhook of this partner; the secret comes from the environment variable named here.
   * With a key rotation, the previous secret (from previousSecretEnv) signs until switchAt (epoch ms).
   */
  webhook?: { partner: string; scheme: WebhookScheme; secretEnv: string; replay?: { checkPath: string }; rotation?: { previousSecretEnv: string; switchAt: number } };
  websocket?: { messages: number; intervalMs: number; echoTimeoutMs: number };
}

export interface K6Plan {
  /** wall-clock epoch ms at which load starts: t = 0 of the phase timeline */
  t0: number;
  phases: PhaseWindow[];
  /** base URLs, used round-robin (one per proxied replica) */
  targets: string[];
  /** headers sent to each target (same order; an external endpoint's): a literal value, or the environment variable k6 reads it from (tokens stay out of the plan) */
  targetHeaders?: Array<Record<string, { value: string } | { env: string }>>;
  requests: K6Request[];
  /** per profile (GAMEDAY_PROFILE of its scenario): indices into `requests` it sends */
  requestSets: number[][];
  /** k6 options: scenarios, thresholds, ... */
  options: Record<string, unknown>;
}
