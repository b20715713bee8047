/**
 * The run, collect, report and compare commands as commander sees them: their flags and help.
 * What each does lives in its own module, loaded when the command runs, so `rampart --help`,
 * `--version` and `validate` load neither the engine nor Kafka nor the report renderers.
 */
import type { Command } from 'commander';
import type { RegisterCommand } from '../main.js';
import { DEFAULT_TOPIC } from '../../distributed/kafka.js';
import { DEFAULT_TOLERANCES, REPORT_FORMATS } from '../../report/formats.js';
import type { RunFlags } from './run.js';
import type { CollectFlags } from './collect.js';
import type { ReportFlags } from './report.js';
import type { CompareFlags } from './compare.js';

const collect = (value: string, previous: string[]): string[] => [...previous, value];

/** Help text of `--report`. */
const REPORT_FLAG_HELP = `write reports when the run ends (also when aborted), atomically: FORMAT=FILE,… with formats ${REPORT_FORMATS.join(', ')} (repeatable)`;

/** Registers `rampart run`. */
export const registerRun: RegisterCommand = (program: Command, io, setExit) => {
  program
    .command('run')
    .description('Run a scenario: drive the load, print a summary, exit 0 when every threshold passed.')
    .argument('<scenario>', 'the scenario YAML file')
    .option('--target <url>', "override the scenario's target (base URL)")
    .option('--out <file>', 'write the JSON report here (atomically; checked before the load starts)')
    .option('--env <KEY=VALUE>', 'set an interpolation variable over the process environment (repeatable)', collect, [])
    .option('-e, --environment <name>', "apply the scenario's named environment (target and variables)")
    .option('--no-proxy', 'ignore HTTP_PROXY, HTTPS_PROXY and NO_PROXY (a scenario\'s http.proxy still applies)')
    .option('-q, --quiet', 'no live progress (the summary is still printed)')
    .option('--seed <n>', 'seed the arrival schedule and journey picks (reproducible runs)')
    .option('--report <FORMAT=FILE,...>', REPORT_FLAG_HELP, collect, [])
    .option('--baseline <report.json>', 'compare with this JSON report after the run; a regression beyond --max-regression exits 1')
    .option('--max-regression <limits>', `baseline tolerances, e.g. p95=10%,p99=50ms,rps=20%,errors=0.5% (default ${DEFAULT_TOLERANCES})`)
    .option('--prometheus <host:port>', 'serve live metrics at http://host:port/metrics during the run (:port listens on every interface)')
    .option('--pushgateway <url>', 'push live metrics to this Prometheus Pushgateway every second and at the end')
    .option('--workers <n>', 'worker threads sharing the load (default: the cores, or 1 against this machine)')
    .option('--shard <i/N>', 'run shard i (0-based) of N of a distributed run; needs --output kafka://…')
    .option('--start-at <instant>', 'shards start together at this ISO-8601 instant (or +Ns from now)')
    .option('--run-id <id>', 'the distributed run id (default: derived from the scenario, N and --start-at)')
    .option('--output <url>', 'stream the shard to kafka://host:port[,host:port]/topic for rampart collect')
    .option('--agents <n>', 'run N shard processes and a collector on this machine over Kafka (--output, KAFKA_BROKERS, else 127.0.0.1:9092)')
    .option('--lost-after <seconds>', '--agents: a shard silent this long is lost (exit 4); default 5')
    .action(async (file: string, flags: RunFlags) => {
      const { runCommand } = await import('./run.js');
      setExit(await runCommand(file, flags, io));
    });
};

/** Registers `rampart collect`. */
export const registerCollect: RegisterCommand = (program: Command, io, setExit) => {
  program
    .command('collect')
    .description('Merge a distributed run from Kafka (shards run with --shard i/N --output kafka://…), judge its thresholds, write the reports.')
    .option('--brokers <list>', 'Kafka bootstrap brokers, host:port[,host:port] (default: KAFKA_BROKERS)')
    .option('--topic <name>', `the topic the shards write to (default ${DEFAULT_TOPIC})`)
    .option('--from <url>', 'brokers and topic as one kafka://host:port/topic URL (what the shards got as --output)')
    .option('--run <id>', 'the run id (printed by every shard; given with --run-id or derived from the scenario and --start-at)')
    .option('--shards <n>', 'how many shards make the run')
    .option('--scenario <file>', 'the scenario the shards ran: its thresholds judge the merged run')
    .option('--out <file>', 'write the merged JSON report here')
    .option('--report <FORMAT=FILE>', 'also write json/junit/html/md reports (repeatable, comma-separated)', collect, [])
    .option('--env <KEY=VALUE>', 'set an interpolation variable over the process environment (repeatable)', collect, [])
    .option('-e, --environment <name>', "apply the scenario's named environment")
    .option('--lost-after <seconds>', 'a shard silent this long is lost (exit 4); default 5')
    .option('--wait <seconds>', 'how long to wait for a shard never heard from; default 60')
    .option('-q, --quiet', 'no live progress (the summary is still printed)')
    .action(async (flags: CollectFlags) => {
      const { collectCommand } = await import('./collect.js');
      setExit(await collectCommand(flags, io));
    });
};

/** Registers `rampart report`. */
export const registerReport: RegisterCommand = (program: Command, io, setExit) => {
  program
    .command('report')
    .description('Re-render a JSON report (from `rampart run --out`) as HTML, JUnit XML or Markdown; without a format, print its summary.')
    .argument('<report>', 'the JSON report file')
    .option('--html <file>', 'write the self-contained HTML report')
    .option('--junit <file>', 'write JUnit XML (one testcase per threshold and per check)')
    .option('--md <file>', 'write a Markdown summary (PR comment, $GITHUB_STEP_SUMMARY)')
    .option('--json <file>', 'write the JSON report again (validated, pretty-printed)')
    .option('--report <FORMAT=FILE,...>', 'several at once: json=…,junit=…,html=…,md=… (repeatable)', collect, [])
    .action(async (file: string, flags: ReportFlags) => {
      const { reportCommand } = await import('./report.js');
      setExit(await reportCommand(file, flags, io));
    });
};

/** Registers `rampart compare`. */
export const registerCompare: RegisterCommand = (program: Command, io, setExit) => {
  program
    .command('compare')
    .description('Compare a run with a baseline run (two JSON reports); exit 1 on a regression beyond the tolerances.')
    .argument('<baseline>', 'the baseline JSON report')
    .argument('<current>', 'the JSON report to judge')
    .option('--max-regression <limits>', `tolerances, e.g. p95=10%,p99=50ms,rps=20%,errors=0.5%,floor=1ms (default ${DEFAULT_TOLERANCES})`)
    .option('--json', 'print the comparison as JSON')
    .action(async (base: string, current: string, flags: CompareFlags) => {
      const { compareCommand } = await import('./compare.js');
      setExit(await compareCommand(base, current, flags, io));
    });
};
