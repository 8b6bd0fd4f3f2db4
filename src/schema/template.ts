// The placeholders a service's environment may use ({{port}}, {{partners.acme.url}}, ...) and
// how they are filled: pure, so `gameday validate` checks a drill's templates as a run does.
export interface TemplateVars {
  port: string;
  replica: string;
  zone: string;
  dataDir: string;
  partners: Record<string, { url: string; webhookSecret: string }>;
  /** with target.broker: the URL this replica connects to */
  broker?: { url: string };
}

/** Fills {{port}}, {{partners.acme.url}}, ... in a replica's environment; an unknown name is an error. */
export function renderTemplate(template: string, vars: TemplateVars): string {
  return template.replace(/\{\{\s*([a-zA-Z0-9_.-]+)\s*\}\}/g, (_, key: string) => {
    const parts = key.split('.');
    // own properties only: {{toString}} or {{partners.constructor.url}} are typos, not values
    if (parts[0] === 'partners' && parts.length === 3) {
      const p = Object.hasOwn(vars.partners, parts[1]) ? vars.partners[parts[1]] : undefined;
      const field = parts[2];
      if (p && (field === 'url' || field === 'webhookSecret')) return p[field];
    } else if (key === 'broker.url') {
      if (vars.broker) return vars.broker.url;
      throw new Error('{{broker.url}} needs a broker: add target.broker: { kind: nats, nodes: 3 } to the drill');
    } else if (key === 'webhookSecrets') {
      return JSON.stringify(Object.fromEntries(Object.entries(vars.partners).map(([n, p]) => [n, p.webhookSecret])));
    } else if (parts.length === 1 && ['port', 'replica', 'zone', 'dataDir'].includes(key)) {
      return String(vars[key as 'port' | 'replica' | 'zone' | 'dataDir']);
    }
    throw new Error(`unknown placeholder {{${key}}}: use {{port}}, {{replica}}, {{zone}}, {{dataDir}}, {{webhookSecrets}}, {{partners.NAME.url}}, {{partners.NAME.webhookSecret}} or {{broker.url}}`);
  });
}
