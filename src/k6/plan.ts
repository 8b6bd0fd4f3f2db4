// The plan a bundled drill script runs: targets, phases, requests per profile, k6 options.
import type { K6Plan } from '../../scenarios/lib/k6-plan.ts';
import type { Plan } from '../plan/plan.ts';
import type { Drill } from '../schema/drill.ts';
import { k6Options } from './options.ts';
import { previousSecretEnvName, rotationMoments } from '../plan/rotation.ts';

/** The environment variable that carries a partner's webhook secret to k6 (never the plan file). */
export function secretEnvName(partner: string): string {
  return `GAMEDAY_WEBHOOK_SECRET_${partner.toUpperCase().replace(/-/g, '_')}`;
}

export function buildK6Plan(drill: Drill, plan: Plan, t0: number, targets: string[], targetHeaders?: K6Plan['targetHeaders']): K6Plan {
  const index = new Map(drill.load.requests.map((r, i) => [r.name, i]));
  const rotationOf = (partner: string) => {
    const rotation = drill.partners.find((p) => p.name === partner)?.rotation;
    return rotation ? { previousSecretEnv: previousSecretEnvName(partner), switchAt: t0 + rotationMoments(rotation, plan.timeScale).switchMs } : undefined;
  };
  return {
    t0,
    phases: plan.phases,
    targets,
    ...(targetHeaders?.some((h) => Object.keys(h).length) ? { targetHeaders } : {}),
    requests: drill.load.requests.map((r) => ({
      name: r.name,
      method: r.method,
      path: r.path,
      weight: r.weight,
      body: r.body,
      expect: r.expect,
      webhook: r.webhook
        ? { partner: r.webhook.partner, scheme: r.webhook.scheme, secretEnv: secretEnvName(r.webhook.partner), replay: r.webhook.replay, rotation: rotationOf(r.webhook.partner) }
        : undefined,
      websocket: r.websocket ? { messages: r.websocket.messages, intervalMs: r.websocket.interval, echoTimeoutMs: r.websocket.echoTimeout } : undefined,
    })),
    requestSets: drill.load.profiles.map((p) => (p.requests ?? drill.load.requests.map((r) => r.name)).map((name) => index.get(name)!)),
    options: k6Options(drill, plan),
  };
}
