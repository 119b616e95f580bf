#!/usr/bin/env node
import { Command, InvalidArgumentError } from 'commander';
import { startKendrite, StartupError } from '../app.js';
import { ConfigError, DEFAULT_PORT, loadConfig, type Config } from '../config/config.js';
import { SYNCABLE_TYPES_TEXT } from '../connectors/registry.js';
import { call, CliError } from './client.js';
import { resolveEndpoint } from './endpoint.js';
import { EXIT_CODES, iso, JOBS_HEADER, jobRows, startSync, watchJobs } from './sync.js';
import { VERSION } from '../version.js';

// Output piped into `head` is closed early: the reader has what it wanted, so stop quietly.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(0);
  throw e;
});


const program = new Command()
  .name('kendrite')
  .description('A self-hosted Amazon Kendra: the Kendra API with data source sync jobs and a full-text index.')
  .addHelpText('after', `\nData source types that sync: ${SYNCABLE_TYPES_TEXT}.\nEvery other type is accepted; its syncs end FAILED.`)
  .version(VERSION);

const seconds = (v: string) => {
  const n = Number(v);
  if (!(n >= 0.05 && n <= 3600)) throw new InvalidArgumentError('seconds, from 0.05 to 3600');
  return n;
};

const port = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('a port is 0-65535');
  return n;
};

program
  .command('serve')
  .description('Serve the Kendra API (SQLite in --data-dir by default, PostgreSQL with --database-url)')
  .option('--port <port>', `port to listen on (env KENDRITE_PORT, default ${DEFAULT_PORT}; 0 picks a free one)`, port)
  .option('--host <host>', 'address to listen on (env KENDRITE_HOST, default 127.0.0.1)')
  .option('--data-dir <dir>', 'where the SQLite file lives (env KENDRITE_DATA_DIR, default ./data)')
  .option('--database-url <url>', 'postgres://… to share state between processes (env KENDRITE_DATABASE_URL)')
  .option('--config <file>', 'JSON config file (env KENDRITE_CONFIG)')
  .option('--log-level <level>', 'least level logged: fatal, error, warn, info, debug, trace or silent (env KENDRITE_LOG_LEVEL, default info)')
  .action(async (opts: { port?: number; host?: string; dataDir?: string; databaseUrl?: string; config?: string; logLevel?: string }) => {
    const overrides: Partial<Config> = { port: opts.port, host: opts.host, dataDir: opts.dataDir, databaseUrl: opts.databaseUrl };
    if (opts.logLevel) overrides.log = { level: opts.logLevel } as Config['log'];
    try {
      const config = loadConfig({ file: opts.config, overrides });
      const running = await startKendrite(config);
      const shutdown = () => {
        running.close().then(() => process.exit(0), () => process.exit(1));
      };
      // Before announcing the address: whoever waits for that line may stop the server right away.
      process.once('SIGINT', shutdown);
      process.once('SIGTERM', shutdown);
      if (running.metricsUrl) process.stdout.write(`kendrite metrics on ${running.metricsUrl}\n`);
      process.stdout.write(`kendrite listening on ${running.url} (store: ${running.store.conn.dialect})\n`);
    } catch (e) {
      if (e instanceof ConfigError || e instanceof StartupError) {
        process.stderr.write(`kendrite: ${e.message}\n`);
        process.exit(2);
      }
      throw e;
    }
  });

/** The options of the commands that call a running server. */
function clientCommand(spec: string): Command {
  return program
    .command(spec)
    .option('--endpoint <url>', `kendrite endpoint (default: env AWS_ENDPOINT_URL_KENDRA, else the host and port of --config / KENDRITE_HOST / KENDRITE_PORT, else http://127.0.0.1:${DEFAULT_PORT})`)
    .option('--config <file>', 'the server\'s JSON config file, to find its host and port (env KENDRITE_CONFIG)');
}

clientCommand('jobs <indexId> <dataSourceId>')
  .description('List the sync job history of a data source, newest first')
  .option('--status <status>', 'only jobs with this status')
  .option('--limit <n>', 'at most this many jobs', (v) => Number(v), 20)
  .option('--watch', 'show the table again every --interval until interrupted (on a terminal, in place; otherwise each job\'s line when it changes)')
  .option('--interval <seconds>', 'with --watch: how often', seconds, 1)
  .action(async (indexId: string, dataSourceId: string, opts: { endpoint?: string; config?: string; status?: string; limit: number; watch?: boolean; interval: number }) => {
    const endpoint = resolveEndpoint(opts);
    const q = { indexId, dataSourceId, status: opts.status, limit: opts.limit };
    if (opts.watch) await watchJobs(endpoint, q, opts.interval * 1000);
    const rows = await jobRows(endpoint, q);
    // The header once the server has answered: an error then stands alone.
    process.stdout.write([JOBS_HEADER, ...rows].join('\n') + '\n');
  });

clientCommand('sync <indexId> <dataSourceId>')
  .description('Start a sync job of a data source and print its execution id; with --wait, follow it to its end')
  .option('--wait', `show its progress until it ends; exit ${Object.entries(EXIT_CODES).map(([s, c]) => `${c} if ${s}`).join(', ')}`)
  .option('--interval <seconds>', 'with --wait: how often to look', seconds, 0.5)
  .action(async (indexId: string, dataSourceId: string, opts: { endpoint?: string; config?: string; wait?: boolean; interval: number }) => {
    process.exitCode = await startSync(resolveEndpoint(opts), indexId, dataSourceId, { wait: opts.wait === true, intervalMs: opts.interval * 1000 });
  });

clientCommand('report <executionId>')
  .description("Show a sync job's document-level report: what was added, modified, deleted or failed, and why")
  .option('--action <action>', 'only ADDED, MODIFIED, DELETED or FAILED')
  .action(async (executionId: string, opts: { endpoint?: string; config?: string; action?: string }) => {
    const endpoint = resolveEndpoint(opts);
    let NextToken: string | undefined;
    let first = true;
    do {
      const page = await call(endpoint, 'KendriteService.DescribeSyncJobReport', { ExecutionId: executionId, NextToken, MaxResults: 1000 });
      if (first) {
        const j = page.Job as Record<string, any>;
        process.stdout.write(`${j.ExecutionId} ${j.Status} index ${j.IndexId} data source ${j.DataSourceId}\n`);
        if (j.ErrorMessage) process.stdout.write(`${j.ErrorCode ?? ''} ${j.DataSourceErrorCode ?? ''} ${j.ErrorMessage}\n`);
        process.stdout.write(`timeline: ${(page.Timeline as { Status: string; Time: number }[]).map((t) => `${t.Status} ${iso(t.Time)}`).join(' → ')}\n`);
        first = false;
      }
      for (const i of page.Items as Record<string, any>[]) {
        if (opts.action && i.Action !== opts.action) continue;
        process.stdout.write(`${i.Action.padEnd(9)} ${i.DocumentId}${i.Reason ? `  — ${i.Reason}` : ''}\n`);
      }
      NextToken = page.NextToken as string | undefined;
    } while (NextToken);
  });


program.parseAsync().catch((e: unknown) => {
  if (!(e instanceof CliError || e instanceof ConfigError)) throw e;
  process.stderr.write(`kendrite: ${e.message}\n`);
  process.exit(1);
});
