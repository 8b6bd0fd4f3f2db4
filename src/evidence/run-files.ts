// Reading the run files the evidence layer builds on, each through its schema.
import path from 'node:path';
import { DecisionFile, RunManifest } from '../schema/evidence.ts';
import { MANIFEST_FILE } from './files.ts';
import { readJsonFile } from './read-json.ts';
import { RUN_FILES } from '../schema/run-dir.ts';

export const DECISIONS_FILE = RUN_FILES.decisions;

export const RERUN_FIX = 'the run directory is incomplete or was edited: run the drill again (gameday run) to produce it';

export function readManifest(runDir: string): RunManifest {
  return readJsonFile(path.join(runDir, MANIFEST_FILE), RunManifest, RERUN_FIX);
}

export function readDecisions(runDir: string): DecisionFile {
  return readJsonFile(path.join(runDir, DECISIONS_FILE), DecisionFile, RERUN_FIX);
}
