// A suite or matrix hands one stop signal (Ctrl-C) to every drill it runs. Each run listens on it
// and must stop listening when it ends: a listener left behind holds that run's whole context (its
// metrics, journal, process group) until the suite ends, and Node warned of a leak after ten drills
// (MaxListenersExceededWarning in `npm run demo`).
import { getEventListeners } from 'node:events';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createContext } from '../../src/run/create-context.ts';
import { loadDrill } from '../../src/schema/load.ts';
import { ROOT, tmpDir } from '../helpers.ts';

describe('a run and the stop signal it was given', () => {
  it('stops the run when aborted, and no longer listens once detached', async () => {
    const loaded = await loadDrill(path.join(ROOT, 'test/fixtures/pod-kill.yaml'));
    const stop = new AbortController();
    const ctx = createContext(loaded, { outDir: path.join(tmpDir('gameday-run-signal'), 'run'), signal: stop.signal, progress: false, log: () => {} });
    expect(getEventListeners(stop.signal, 'abort')).toHaveLength(1);
    ctx.detachSignal();
    expect(getEventListeners(stop.signal, 'abort')).toHaveLength(0);

    const again = createContext(loaded, { outDir: path.join(tmpDir('gameday-run-signal'), 'run'), signal: stop.signal, progress: false, log: () => {} });
    stop.abort('SIGINT');
    await again.aborted;
    expect(again.runAbort.signal.aborted).toBe(true);
    expect(again.abortReason()).toBe('SIGINT');
    expect(getEventListeners(stop.signal, 'abort')).toHaveLength(0);
  });
});
