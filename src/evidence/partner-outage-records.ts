// Partner outages as chaos_report.json records them: beside the injected faults, marked as what
// they are — a partner simulator's behaviour on the timeline, not an action of the fault registry.
import type { PartnerOutage } from '../schema/partner-outages.ts';

export interface PartnerOutageRecord {
  name: string;
  kind: 'partner-outage';
  partner: string;
  /** the route's name; null for the partner's timeline of every other path */
  route: string | null;
  /** why the partner was not healthy, behaviour by behaviour */
  reasons: string[];
  /** ms after t0, time-scaled */
  scheduled: { startMs: number; endMs: number };
  /** wall-clock, on the clock the simulators switch behaviour by; null when the run never reached t0 */
  startedAt: string | null;
  /** null also when the partner was still not healthy when the load ended */
  endedAt: string | null;
  lastsToEnd: boolean;
}

export function partnerOutageRecords(outages: readonly PartnerOutage[], t0: number | null): PartnerOutageRecord[] {
  const at = (ms: number) => (t0 === null ? null : new Date(t0 + ms).toISOString());
  return outages.map((o) => ({
    name: o.name,
    kind: 'partner-outage',
    partner: o.partner,
    route: o.route,
    reasons: o.reasons,
    scheduled: { startMs: o.startMs, endMs: o.endMs },
    startedAt: at(o.startMs),
    endedAt: o.lastsToEnd ? null : at(o.endMs),
    lastsToEnd: o.lastsToEnd,
  }));
}
