// A partner's webhook-key rotation on the run's timeline: the moments (time-scaled, ms from
// t = 0) at which the SUT starts holding the new secret, the partner starts signing with it, and
// the previous secret is retired; and the previous secret itself, resolved like webhookSecret.
//
//   t < at                 the SUT holds the previous secret only; the partner signs with it
//   at ≤ t < end           the SUT holds both (the overlap)
//   switch = at + overlap/2  the partner (k6 and the webhook senders) signs with the new secret
//   end = at + overlap     the previous secret is retired: old-key-after-rotation signs with it
//
// The partner switches halfway through the overlap, not at its edges, so that a delivery signed
// just before a switch and retried has half the overlap to land while its key is still held.
import type { KeyRotation } from '../schema/partner.ts';

export interface RotationMoments {
  /** the SUT starts holding the new secret */
  atMs: number;
  /** the partner signs with the new secret from here */
  switchMs: number;
  /** the previous secret is retired */
  endMs: number;
}

export interface PartnerRotation extends RotationMoments {
  previousSecret: string;
}

/** The moments of a rotation, time-scaled, in ms from t = 0. */
export function rotationMoments(rotation: KeyRotation, timeScale: number): RotationMoments {
  const scale = (ms: number) => Math.round(ms * timeScale);
  return { atMs: scale(rotation.at), switchMs: scale(rotation.at + rotation.overlap / 2), endMs: scale(rotation.at + rotation.overlap) };
}

/** The environment variable that carries a partner's previous webhook secret to k6 (never the plan file). */
export function previousSecretEnvName(partner: string): string {
  return `GAMEDAY_WEBHOOK_PREVIOUS_SECRET_${partner.toUpperCase().replace(/-/g, '_')}`;
}
