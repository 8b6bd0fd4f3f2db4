import os from 'node:os';
import path from 'node:path';
import { defineConfig } from 'vitest/config';

// runs started by tests keep their signing key and ledger out of the user's home
const scratch = path.join(os.tmpdir(), `gameday-vitest-${process.pid}`);

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // integration tests start real k6, Toxiproxy and SUT processes: on 2 cores they run one file at a time
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 60_000,
    reporters: ['default'],
    env: {
      GAMEDAY_KEY_DIR: path.join(scratch, 'keys'),
      GAMEDAY_STATE_DIR: path.join(scratch, 'state'),
    },
  },
});
