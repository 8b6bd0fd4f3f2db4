// The scenario library, for k6 scripts written in TypeScript and bundled by `gameday bundle`:
// load profiles, request flows, webhook signing and the phase timeline.
export { baseline, soak, spike, stress, vuRamp, toScenarios, loadLength, type Profile, type K6Scenario, type Stage } from './profiles.ts';
export { httpFlow, webhookFlow, websocketFlow, runFlow, idempotency, wsDrops, wsMessages } from './lib/flows.ts';
export { standardWebhooksHeaders, standardWebhooksKey, stripeHeaders, githubHeaders, webhookSigner } from './lib/webhook.ts';
export { phaseAt, phaseWindows, type PhaseWindow, type PhaseName } from './lib/phase.ts';
export type { K6Request, K6Plan, WebhookScheme } from './lib/k6-plan.ts';
