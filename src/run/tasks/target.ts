// Task: the system under test — replicas, Toxiproxy, and what the target adds (load balancer,
// broker, size-limited DATA_DIR, containers) — and the fault drivers that act on it. Its
// teardown stops every process of the run, then the environment, then removes the proxies the
// run made on a Toxiproxy it did not start.
import path from 'node:path';
import { ProcessDriver } from '../../../chaos/process.ts';
import { ToxiproxyDriver } from '../../../chaos/toxiproxy.ts';
import { startEnvironment } from '../../targets/environment.ts';
import { commandDriver } from './command-driver.ts';
import { planFis } from '../../plan/fis.ts';
import { startFis } from '../../targets/fis.ts';
import type { Environment } from '../../targets/target.ts';
import type { RunContext } from '../context.ts';
import type { Task } from '../tasks.ts';

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

export const targetTask: Task<RunContext> = {
  title: 'system under test',
  async setup(ctx, teardown) {
    let starting: Promise<Environment | undefined> = Promise.resolve(undefined);
    teardown('stop the system under test', async () => {
      ctx.group.close();
      await ctx.group.stopAll();
      // also when it finished starting after an abort
      const env = ctx.env ?? (await starting);
      await env?.stop().catch((err) => ctx.problem('environment-not-stopped', `the environment could not be stopped completely (gameday cleanup will retry): ${message(err)}`));
      // proxies on a Toxiproxy the run did not start (TOXIPROXY_URL) outlive it: remove them
      let leftover = false;
      if (ctx.ledger.toxiproxyUrl && process.env.TOXIPROXY_URL) {
        const driver = new ToxiproxyDriver(ctx.ledger.toxiproxyUrl);
        for (const proxy of ctx.ledger.proxies) {
          await driver.removeProxy(proxy).catch((err) => {
            leftover = true;
            ctx.problem('proxy-not-removed', `proxy ${proxy} could not be removed (gameday cleanup will retry): ${err}`);
          });
        }
      }
      // a team's toxic, a command fault or a container change whose revert failed: `gameday cleanup` retries it
      if (ctx.ledger.toxics.length || ctx.ledger.commands.length || ctx.ledger.containers.length) leftover = true;
      if (leftover || ctx.fis?.leftover()) ctx.keepLedger = true;
    });
    const { drill, loaded } = ctx;
    // FIS's blast radius is refused before anything starts; the ledger names its Regions before the first call
    const fis = planFis(drill, process.env);
    if (fis) ctx.fis = startFis(fis, drill, { runId: ctx.runId, ledger: ctx.ledger, timeScale: ctx.plan.timeScale, log: ctx.log, signal: ctx.runAbort.signal });
    const envPromise = startEnvironment({
      drill,
      drillFile: loaded.file,
      timeScale: ctx.plan.timeScale,
      drillDir: loaded.dir,
      runId: ctx.runId,
      group: ctx.group,
      ledger: ctx.ledger,
      logDir: ctx.logDir,
      dataDir: path.join(ctx.scratch, 'data'),
      partners: ctx.partnerVars,
      plannedPartners: ctx.plan.partners,
      journal: ctx.journal,
    });
    starting = envPromise.catch(() => undefined);
    const env = await Promise.race([envPromise, ctx.aborted.then(() => null)]);
    if (!env) throw new Error(`interrupted while starting the environment (${ctx.abortReason()})`);
    ctx.env = env;
    // the process driver only where the replicas are local processes (a containers target has none)
    ctx.drivers = { toxiproxy: env.toxiproxy, ...(drill.target.kind === 'process' ? { process: new ProcessDriver(() => env.handles()) } : {}), command: commandDriver(ctx), ...env.drivers(), ...(ctx.fis ? { fis: ctx.fis.faultDriver } : {}) };
  },
};
