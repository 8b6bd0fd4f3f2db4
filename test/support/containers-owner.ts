// Starts a container topology and then waits to be killed: the "killed run" of the sweep test.
// Usage: node --import tsx test/support/containers-owner.ts RUN_ID HUB_IMAGE TOXIPROXY_IMAGE
// Prints one JSON line {"ready": true, "runId", "containers": [...]} once everything answers.
import { startContainerTopology } from '../../chaos/containers/topology.ts';

const [runId, image, toxiproxyImage] = process.argv.slice(2);
if (!runId || !image || !toxiproxyImage) {
  console.error('usage: containers-owner.ts RUN_ID HUB_IMAGE TOXIPROXY_IMAGE');
  process.exit(2);
}
const topology = await startContainerTopology({ runId, image, toxiproxyImage, service: { name: 'partner-hub', replicas: 1, zones: ['a'] } });
process.stdout.write(`${JSON.stringify({ ready: true, runId, network: topology.network.name, containers: topology.containers().map((c) => c.name) })}\n`);
// bounded: if nobody kills it, it cleans up after itself
setTimeout(() => void topology.stop().finally(() => process.exit(0)), 120_000);
