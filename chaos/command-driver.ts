// The command driver: a `driver: command` fault runs the team's own inject / verify / revert
// commands (chaos/command.ts). The ledger hears of it before inject runs, so a sweep after a
// kill -9 still runs the revert; the revert is always attempted, also after a failed inject.
import path from 'node:path';
import type { CommandAction, CommandStep } from '../src/schema/command.ts';
import { assertSupported, type FaultDriver, type FaultRequest, type InjectedFault } from './driver.ts';
import { CommandFaultError, injectCommand, revertCommand, type CommandRun } from './command.ts';

export interface CommandDriverOptions {
  /** each fault's output goes to <logDir>/command-<fault>.log */
  logDir: string;
  /** the commands run here (the drill's folder) */
  cwd: string;
  /** before inject runs: the revert a sweep would run */
  beforeInject?: (fault: string, revert: CommandStep, logFile: string) => void;
  /** the revert succeeded */
  reverted?: (fault: string) => void;
}

type CommandRequest = Extract<FaultRequest, { action: 'command' }>;

export class CommandDriver implements FaultDriver {
  readonly name = 'command' as const;
  /** every step run, per fault, in order */
  readonly runs = new Map<string, CommandRun[]>();
  private readonly done = new Set<string>();

  constructor(private readonly o: CommandDriverOptions) {}

  logFile(fault: string): string {
    return path.join(this.o.logDir, `command-${fault}.log`);
  }

  private action(request: FaultRequest): CommandAction {
    assertSupported(this.name, request.action);
    return (request as CommandRequest).params;
  }

  async inject(request: FaultRequest): Promise<InjectedFault> {
    const action = this.action(request);
    const logFile = this.logFile(request.name);
    this.o.beforeInject?.(request.name, action.revert, logFile);
    const runs = this.runs.get(request.name) ?? [];
    this.runs.set(request.name, runs);
    try {
      runs.push(...(await injectCommand(action, logFile, this.o.cwd)));
    } catch (err) {
      if (!(err instanceof CommandFaultError)) throw err;
      runs.push(...err.runs);
      // the revert ran at once: a half-made fault does not outlive its failed inject
      if (err.reverted) this.markReverted(request.name);
      throw new Error(`command fault ${request.name}: ${err.message} — output in logs/command-${request.name}.log`);
    }
    return { request, applied: [{ target: request.name, ref: 'command' }] };
  }

  private markReverted(fault: string): void {
    this.done.add(fault);
    this.o.reverted?.(fault);
  }

  async revert(fault: InjectedFault | FaultRequest): Promise<void> {
    const request = 'request' in fault ? fault.request : fault;
    if (this.done.has(request.name)) return;
    try {
      this.runs.get(request.name)?.push(await revertCommand(this.action(request), this.logFile(request.name), this.o.cwd));
    } catch (err) {
      if (err instanceof CommandFaultError) this.runs.get(request.name)?.push(...err.runs);
      throw new Error(`command fault ${request.name} ${(err as Error).message} — output in logs/command-${request.name}.log`);
    }
    this.markReverted(request.name);
  }
}
