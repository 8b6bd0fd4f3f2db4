// What Sentinel's own log says about a failover: every `+switch-master` line with its time, the
// old and the new primary. Pure, so the failover time gameday measures can be checked against it.

export interface SwitchMaster {
  /** the sentinel's wall clock (its log has no zone: read as this machine's local time) */
  at: Date;
  masterName: string;
  from: string;
  to: string;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
// 4242:X 05 Dec 2026 18:45:01.123 # +switch-master gameday 127.0.0.1 6379 127.0.0.1 6380
const LINE = /^\d+:X (\d{2}) (\w{3}) (\d{4}) (\d{2}):(\d{2}):(\d{2})\.(\d{3}) # \+switch-master (\S+) (\S+) (\d+) (\S+) (\d+)\s*$/;

export function parseSwitchMaster(log: string, masterName?: string): SwitchMaster[] {
  const out: SwitchMaster[] = [];
  for (const line of log.split('\n')) {
    const m = LINE.exec(line);
    if (!m) continue;
    const [, day, mon, year, hh, mm, ss, ms, name, fromHost, fromPort, toHost, toPort] = m;
    const month = MONTHS.indexOf(mon);
    if (month < 0 || (masterName !== undefined && name !== masterName)) continue;
    out.push({ at: new Date(Number(year), month, Number(day), Number(hh), Number(mm), Number(ss), Number(ms)), masterName: name, from: `${fromHost}:${fromPort}`, to: `${toHost}:${toPort}` });
  }
  return out;
}

/** The first switch any sentinel logged at or after `since`: the moment the set had a new primary. */
export function firstSwitchAfter(logs: readonly string[], since: Date, masterName?: string): SwitchMaster | null {
  const all = logs.flatMap((log) => parseSwitchMaster(log, masterName)).filter((s) => s.at.getTime() >= since.getTime() - 1);
  all.sort((a, b) => a.at.getTime() - b.at.getTime());
  return all[0] ?? null;
}
