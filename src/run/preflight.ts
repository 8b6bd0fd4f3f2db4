// Checks a run makes before it starts anything, that the schema cannot make alone: `env:`
// secrets present, every placeholder of the service environment known. A failure is a
// DrillError (exit 3): nothing has run.
import { DrillError, type LoadedDrill } from '../schema/load.ts';
import { renderTemplate, type TemplateVars } from '../targets/target.ts';

/** Resolves "env:NAME" secrets; a missing one is a drill error. */
export function partnerSecrets(loaded: LoadedDrill): Record<string, string> {
  const out: Record<string, string> = {};
  loaded.drill.partners.forEach((p, i) => {
    if (!p.webhookSecret) return;
    if (p.webhookSecret.startsWith('env:')) {
      const name = p.webhookSecret.slice(4);
      const value = process.env[name];
      if (!value) throw new DrillError(loaded.file, [`partners[${i}].webhookSecret: environment variable ${name} is not set`]);
      out[p.name] = value;
    } else out[p.name] = p.webhookSecret;
  });
  return out;
}

/** Checks every placeholder of the service's environment and command. */
export function checkTemplates(loaded: LoadedDrill): void {
  const vars: TemplateVars = {
    port: '0',
    replica: '0',
    zone: 'a',
    dataDir: '/',
    partners: Object.fromEntries(loaded.drill.partners.map((p) => [p.name, { url: 'http://127.0.0.1', webhookSecret: '' }])),
    broker: loaded.drill.target.broker ? { url: 'nats://127.0.0.1' } : undefined,
  };
  const { service } = loaded.drill.target;
  const fields: Array<[string, string]> = [...Object.entries(service.env).map(([k, v]): [string, string] => [`target.service.env.${k}`, v]), ...service.command.map((a, i): [string, string] => [`target.service.command[${i}]`, a])];
  for (const [where, v] of fields) {
    try {
      renderTemplate(v, vars);
    } catch (err) {
      throw new DrillError(loaded.file, [`${where}: ${(err as Error).message}`]);
    }
  }
}
