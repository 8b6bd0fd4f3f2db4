// Words the drill format shares with the simulators that act them out: the model owns them,
// simulators/ imports them (never the other way round).

/** Deliveries a webhook sender can make: valid ones and each way of forging one. */
export const WEBHOOK_VARIANTS = [
  'valid',
  'wrong-secret',
  'tampered-body',
  'reserialized-json',
  'stale-timestamp',
  'future-timestamp',
  'replayed-id',
  'missing-headers',
  'old-key-after-rotation',
] as const;
export type WebhookVariant = (typeof WEBHOOK_VARIANTS)[number];

/** Jitter strategies of exponential backoff (AWS Architecture Blog names). */
export const JITTERS = ['full', 'equal', 'decorrelated', 'none'] as const;
export type Jitter = (typeof JITTERS)[number];
