// Layers of gameday, lowest first (docs/architecture.md draws them): a module may import its own
// layer and the ones below, never one above. `npm run lint:deps` checks it; CI runs it.
//   platform  src/platform     processes, ports, ledger, polling, toolchain, config files
//   model     src/schema       zod schemas of every file format, the drill's vocabulary
//   k6 side   scenarios        bundled into k6 scripts: imports nothing of node's side
//   faults    chaos/registry   the fault registry (actions, drivers, params schemas)
//   partners  simulators       serve partners, journal every exchange
//   plan      src/plan         the timeline (pure)
//   drivers   chaos            fault drivers and the systems they act on
//   load      src/k6 src/metrics
//   targets   src/targets      what a drill runs against: start, stop, entry points
//   judge     src/judge        figures, verdicts, decision (pure)
//   evidence  src/evidence src/report
//   run       src/run          the run as a list of tasks
//   suite     src/suite
//   cli       src/cli src/index.ts bin
const above = (...layers) => `^(${layers.join('|')})`;
const SRC = (...dirs) => dirs.map((d) => `src/${d}/`);

const layer = (name, from, forbidden, comment) => ({
  name,
  severity: 'error',
  comment,
  from: { path: from },
  to: { path: above(...forbidden) },
});

module.exports = {
  forbidden: [
    layer('platform-is-the-floor', '^src/platform/', ['src/(?!platform/)', 'chaos/', 'simulators/', 'scenarios/', 'examples/'], 'platform code knows nothing of drills'),
    layer('model-below-everything-else', '^src/schema/', ['src/(?!schema/|platform/)', 'chaos/(?!registry\\.ts)', 'simulators/', 'scenarios/', 'examples/'], 'schemas describe files; only the fault registry may feed them'),
    layer('registry-is-data', '^chaos/registry\\.ts$', ['src/(?!schema/|platform/)', 'chaos/(?!registry\\.ts)', 'simulators/', 'scenarios/'], 'the fault registry holds actions and their params schemas, no driver code'),
    layer('k6-side-is-self-contained', '^scenarios/', ['src/', 'chaos/', 'simulators/', 'examples/'], 'scenarios are bundled into k6 scripts: no node code'),
    layer('simulators-below-plan', '^simulators/', [...SRC('plan', 'k6', 'metrics', 'targets', 'judge', 'evidence', 'report', 'run', 'suite', 'cli'), 'chaos/', 'examples/'], 'partners are simulated, not judged or run'),
    layer('plan-is-pure', '^src/plan/', [...SRC('k6', 'metrics', 'targets', 'judge', 'evidence', 'report', 'run', 'suite', 'cli'), 'chaos/(?!registry\\.ts)', 'examples/'], 'planning uses the model only'),
    layer('drivers-below-targets', '^chaos/', [...SRC('plan', 'k6', 'metrics', 'targets', 'judge', 'evidence', 'report', 'run', 'suite', 'cli'), 'examples/'], 'fault drivers act on systems; they do not run drills'),
    layer('load-below-targets', '^src/(k6|metrics)/', [...SRC('targets', 'judge', 'evidence', 'report', 'run', 'suite', 'cli'), 'chaos/(?!registry\\.ts)', 'examples/'], 'k6 and its samples know nothing of faults or verdicts'),
    layer('targets-below-judge', '^src/targets/', [...SRC('judge', 'evidence', 'report', 'run', 'suite', 'cli'), 'examples/'], 'targets start and stop systems'),
    layer('judge-is-pure', '^src/judge/', [...SRC('targets', 'evidence', 'report', 'run', 'suite', 'cli'), 'chaos/(?!registry\\.ts)', 'examples/'], 'verdicts are a function of observations'),
    layer('evidence-below-run', '^src/(evidence|report)/', [...SRC('targets', 'run', 'suite', 'cli'), 'chaos/(?!registry\\.ts)', 'examples/'], 'evidence is written from records, not from running things'),
    layer('run-below-suite', '^src/run/', [...SRC('suite', 'cli'), 'examples/'], 'a run knows nothing of suites or the command line'),
    layer('suite-below-cli', '^src/suite/', [...SRC('cli'), 'examples/'], 'suites are driven by the CLI, not the other way round'),
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'a cycle hides which module is the lower one',
      from: { path: '^(src|chaos|simulators|scenarios)/' },
      to: { circular: true },
    },
    {
      name: 'product-not-to-tests',
      severity: 'error',
      from: { path: '^(src|chaos|simulators|scenarios|bin)/' },
      to: { path: '^(test|bench)/' },
    },
    {
      name: 'product-not-to-dev-deps',
      severity: 'error',
      comment: 'what the product imports must be a runtime dependency',
      from: { path: '^(src|chaos|simulators|bin)/' },
      to: { dependencyTypes: ['npm-dev'] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|reports|\\.tools|test|bench)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'], extensions: ['.ts', '.mjs', '.js', '.json'] },
  },
};
