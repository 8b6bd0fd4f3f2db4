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
import { DrillError, type LoadedDrill } from '../schema/load.ts';
import { rotationMoments, type PartnerRotation } from '../plan/rotation.ts';

export type { PartnerRotation };

export { previousSecretEnvName } from '../plan/rotation.ts';

/** Each rotating partner's previous secret ("env:NAME" resolved; a missing one is a drill error) and moments. */
export function partnerRotations(loaded: LoadedDrill, timeScale: number): Record<string, PartnerRotation> {
  const out: Record<string, PartnerRotation> = {};
  loaded.drill.partners.forEach((p, i) => {
    if (!p.rotation || !p.previousWebhookSecret) return;
    let previousSecret = p.previousWebhookSecret;
    if (previousSecret.startsWith('env:')) {
      const name = previousSecret.slice(4);
      const value = process.env[name];
      if (!value) throw new DrillError(loaded.file, [`partners[${i}].previousWebhookSecret: environment variable ${name} is not set`]);
      previousSecret = value;
    }
    out[p.name] = { previousSecret, ...rotationMoments(p.rotation, timeScale) };
  });
  return out;
}

/** What a rotating partner adds to the service's template variables ({{partners.NAME.previousWebhookSecret}}, rotationAt, rotationEnd). */
export function rotationVars(r: PartnerRotation | undefined): { previousWebhookSecret?: string; rotationAt?: number; rotationEnd?: number } {
  return r ? { previousWebhookSecret: r.previousSecret, rotationAt: r.atMs, rotationEnd: r.endMs } : {};
}
