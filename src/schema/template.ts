// The placeholders a service's environment and command may use ({{port}}, {{partners.acme.url}},
// ...) and how they are filled: pure, so `gameday validate` checks a drill's templates as a run does.
export interface PartnerVars {
  url: string;
  webhookSecret: string;
  /** a partner whose key is rotated during the run: the previous secret and the moments (time-scaled ms from t0) */
  previousWebhookSecret?: string;
  rotationAt?: number;
  rotationEnd?: number;
}

export interface TemplateVars {
  port: string;
  replica: string;
  zone: string;
  dataDir: string;
  partners: Record<string, PartnerVars>;
  /** with target.broker: the URL this replica connects to */
  broker?: { url: string };
  /** process targets: the file that holds {"t0": epoch ms} once the timeline starts (absent before) */
  t0File?: string;
  /** the target's other services started before this one: each reached through its own Toxiproxy proxy */
  services?: Record<string, { url: string; address: string }>;
}

const ROTATION_FIELDS = ['previousWebhookSecret', 'rotationAt', 'rotationEnd'] as const;

/** Fills {{port}}, {{partners.acme.url}}, ... in a replica's environment; an unknown name is an error. */
export function renderTemplate(template: string, vars: TemplateVars): string {
  return template.replace(/\{\{\s*([a-zA-Z0-9_.-]+)\s*\}\}/g, (_, key: string) => {
    const parts = key.split('.');
    // own properties only: {{toString}} or {{partners.constructor.url}} are typos, not values
    if (parts[0] === 'partners' && parts.length === 3) {
      const p = Object.hasOwn(vars.partners, parts[1]) ? vars.partners[parts[1]] : undefined;
      const field = parts[2];
      if (p && (field === 'url' || field === 'webhookSecret')) return p[field];
      if (p && (ROTATION_FIELDS as readonly string[]).includes(field)) {
        const v = p[field as (typeof ROTATION_FIELDS)[number]];
        if (v === undefined) throw new Error(`{{${key}}}: partner "${parts[1]}" rotates no key: give it previousWebhookSecret and rotation: { at, overlap }`);
        return String(v);
      }
    } else if (key === 'broker.url') {
      if (vars.broker) return vars.broker.url;
      throw new Error('{{broker.url}} needs a broker: add target.broker: { kind: nats, nodes: 3 } (or { kind: redis-sentinel }) to the drill');
    } else if (parts[0] === 'services' && parts.length === 3 && (parts[2] === 'url' || parts[2] === 'address')) {
      const svc = vars.services && Object.hasOwn(vars.services, parts[1]) ? vars.services[parts[1]] : undefined;
      if (svc) return svc[parts[2] as 'url' | 'address'];
      throw new Error(`{{${key}}}: no service "${parts[1]}" started before this one${vars.services && Object.keys(vars.services).length ? ` (${Object.keys(vars.services).join(', ')})` : ''}: declare it in target.services (and in this one's dependsOn)`);
    } else if (key === 'webhookSecrets') {
      return JSON.stringify(Object.fromEntries(Object.entries(vars.partners).map(([n, p]) => [n, p.webhookSecret])));
    } else if (key === 't0File') {
      if (vars.t0File) return vars.t0File;
      throw new Error('{{t0File}} is written for process targets only (a containers target has no path for it yet)');
    } else if (parts.length === 1 && ['port', 'replica', 'zone', 'dataDir'].includes(key)) {
      return String(vars[key as 'port' | 'replica' | 'zone' | 'dataDir']);
    }
    throw new Error(
      `unknown placeholder {{${key}}}: use {{port}}, {{replica}}, {{zone}}, {{dataDir}}, {{webhookSecrets}}, {{t0File}}, {{partners.NAME.url}}, {{partners.NAME.webhookSecret}}, {{partners.NAME.previousWebhookSecret}}, {{partners.NAME.rotationAt}}, {{partners.NAME.rotationEnd}}, {{services.NAME.url}}, {{services.NAME.address}} or {{broker.url}}`,
    );
  });
}
