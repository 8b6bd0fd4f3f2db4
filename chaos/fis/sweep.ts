// Finding what gameday left on FIS: experiments and templates carry gameday:run-id (and
// gameday:fault, gameday:owner) tags; ListExperiments / ListExperimentTemplates return them.
import { ListExperimentsCommand, ListExperimentTemplatesCommand, type FisClient } from '@aws-sdk/client-fis';
import { GAMEDAY_TAG } from './templates.ts';

/** What the tags say about the run that made an experiment or template. */
export interface FisRunMark {
  runId: string;
  fault?: string;
  owner?: string;
}

export interface TaggedExperiment {
  id: string;
  templateId?: string;
  status: string;
  reason?: string;
  mark: FisRunMark;
}

export interface TaggedTemplate {
  id: string;
  mark: FisRunMark;
}

export function runMark(tags: Record<string, string> | undefined): FisRunMark | null {
  const runId = tags?.[GAMEDAY_TAG.runId];
  if (!runId) return null;
  return { runId, fault: tags[GAMEDAY_TAG.fault], owner: tags[GAMEDAY_TAG.owner] };
}

/** Every experiment in the client's Region that carries a gameday run id. */
export async function listGamedayExperiments(client: FisClient): Promise<TaggedExperiment[]> {
  const found: TaggedExperiment[] = [];
  let nextToken: string | undefined;
  do {
    const page = await client.send(new ListExperimentsCommand({ maxResults: 100, nextToken }));
    for (const e of page.experiments ?? []) {
      const mark = runMark(e.tags);
      if (mark && e.id) found.push({ id: e.id, templateId: e.experimentTemplateId, status: e.state?.status ?? 'unknown', reason: e.state?.reason, mark });
    }
    nextToken = page.nextToken;
  } while (nextToken);
  return found;
}

/** Every experiment template in the client's Region that carries a gameday run id. */
export async function listGamedayTemplates(client: FisClient): Promise<TaggedTemplate[]> {
  const found: TaggedTemplate[] = [];
  let nextToken: string | undefined;
  do {
    const page = await client.send(new ListExperimentTemplatesCommand({ maxResults: 100, nextToken }));
    for (const t of page.experimentTemplates ?? []) {
      const mark = runMark(t.tags);
      if (mark && t.id) found.push({ id: t.id, mark });
    }
    nextToken = page.nextToken;
  } while (nextToken);
  return found;
}

export interface FisSweepReport {
  experiments: Array<{ region: string; id: string; runId: string; fault?: string; was: string; now?: string; stopped: boolean; error?: string }>;
  templates: Array<{ region: string; id: string; runId: string; fault?: string; deleted: boolean; error?: string }>;
}
