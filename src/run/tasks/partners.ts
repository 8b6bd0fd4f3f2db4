// Task: the partner simulators on 127.0.0.1 (a containers target runs them on its own network:
// the target fills in their URLs).
import { startPartnerServer } from '../../../simulators/partner-server.ts';
import type { RunContext } from '../context.ts';
import { rotationVars } from '../rotation.ts';
import type { Task } from '../tasks.ts';

export const partnersTask: Task<RunContext> = {
  title: 'partner simulators',
  async setup(ctx, teardown) {
    teardown('stop the partner simulators', async () => {
      await Promise.all(ctx.partners.map((p) => p.close()));
    });
    const inContainers = ctx.drill.target.kind === 'containers';
    for (const p of ctx.plan.partners) {
      const webhookSecret = ctx.secrets[p.name] ?? '';
      const rotation = rotationVars(ctx.rotations[p.name]);
      if (inContainers) {
        ctx.partnerVars[p.name] = { url: '', webhookSecret, ...rotation };
        continue;
      }
      const server = await startPartnerServer(p, ctx.journal);
      ctx.partners.push(server);
      ctx.partnerVars[p.name] = { url: server.url, webhookSecret, ...rotation };
    }
  },
};
