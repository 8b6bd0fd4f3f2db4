import os from 'node:os';
import path from 'node:path';
import { defineConfig } from 'vitest/config';

// runs started by tests keep their signing key and ledger out of the user's home
const scratch = path.join(os.tmpdir(), `gameday-vitest-${process.pid}`);

// Two lanes: `npm run test:unit` (pure logic, seconds) and `npm run test:integration` (real k6,
// Toxiproxy, nginx, NATS, Prometheus, Docker, Chromium); `npm test` runs both. Under CI=true a
// component a test needs that is missing fails the run (test/helpers.ts needs()).
export default defineConfig({
  test: {
    testTimeout: 120_000,
    hookTimeout: 60_000,
    reporters: ['default'],
    env: {
      GAMEDAY_KEY_DIR: path.join(scratch, 'keys'),
      GAMEDAY_STATE_DIR: path.join(scratch, 'state'),
    },
    projects: [
      // the unit lane first, in parallel; then the integration lane alone (sequence.groupOrder)
      { extends: true, test: { name: 'unit', include: ['test/unit/**/*.test.ts'], sequence: { groupOrder: 0 } } },
      // integration tests start real processes and servers: on 2 cores they run one file at a time
      { extends: true, test: { name: 'integration', include: ['test/integration/**/*.test.ts'], fileParallelism: false, sequence: { groupOrder: 1 } } },
    ],
  },
});
