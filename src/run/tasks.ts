// A run is a list of tasks over one context (Playwright's TaskRunner is the model). Each task's
// setup registers the teardown of whatever it starts *before* starting it; teardowns run in
// reverse order on success, failure, abort and signal, each even if another failed — so a
// fault is reverted and a process stopped whatever happened after it began.

export type Teardown = () => Promise<void> | void;

export interface Task<C> {
  /** what the task does, in the run's log and the harness benchmark */
  title: string;
  setup(ctx: C, teardown: (title: string, fn: Teardown) => void): Promise<void> | void;
}

export interface TaskTiming {
  title: string;
  /** setup or teardown */
  step: 'setup' | 'teardown';
  ms: number;
  error?: string;
}

export interface TaskRun {
  /** the task whose setup threw (later tasks did not start), or null */
  failed: { title: string; error: unknown } | null;
  /** teardowns that threw: reported, never thrown */
  teardownErrors: Array<{ title: string; error: unknown }>;
  timings: TaskTiming[];
}

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** Runs the setups in order until one throws, then every registered teardown in reverse. */
export async function runTasks<C>(tasks: ReadonlyArray<Task<C>>, ctx: C): Promise<TaskRun> {
  const teardowns: Array<{ title: string; fn: Teardown }> = [];
  const timings: TaskTiming[] = [];
  let failed: TaskRun['failed'] = null;
  for (const task of tasks) {
    const started = performance.now();
    try {
      await task.setup(ctx, (title, fn) => teardowns.push({ title, fn }));
      timings.push({ title: task.title, step: 'setup', ms: performance.now() - started });
    } catch (error) {
      timings.push({ title: task.title, step: 'setup', ms: performance.now() - started, error: message(error) });
      failed = { title: task.title, error };
      break;
    }
  }
  const teardownErrors: TaskRun['teardownErrors'] = [];
  for (const { title, fn } of teardowns.reverse()) {
    const started = performance.now();
    try {
      await fn();
      timings.push({ title, step: 'teardown', ms: performance.now() - started });
    } catch (error) {
      timings.push({ title, step: 'teardown', ms: performance.now() - started, error: message(error) });
      teardownErrors.push({ title, error });
    }
  }
  return { failed, teardownErrors, timings };
}
