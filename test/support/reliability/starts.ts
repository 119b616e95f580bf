/**
 * S-JOB-1 under a race: 100 StartDataSourceSyncJob at once on one data source (each on its own
 * connection, through one or several processes) make exactly one job; every other call gets
 * ResourceInUseException, none a 5xx.
 */
import { ListDataSourceSyncJobsCommand, StopDataSourceSyncJobCommand } from '@aws-sdk/client-kendra';
import { activeCustomDataSource, activeIndex, jobReaching } from '../kendra.js';
import { requestBytes, target } from '../rawClient.js';
import type { TestServer } from '../server.js';
import { Tally, type AreaResult } from './tally.js';

/** `rounds` races of `concurrency` starts, spread over `servers` (one store). */
export async function concurrentStarts(o: { servers: TestServer[]; backend: string; rounds: number; concurrency: number }): Promise<AreaResult> {
  const tally = new Tally(`${o.concurrency} concurrent starts`, o.backend);
  const k = o.servers[0]!.client();
  const indexId = await activeIndex(k, 'starts');
  for (let round = 0; round < o.rounds; round++) {
    await tally.attempt(`round ${round + 1}`, async () => {
      const ds = await activeCustomDataSource(k, indexId, `race-${round}`);
      const requests = await Promise.all(
        Array.from({ length: o.concurrency }, (_, i) => requestBytes(o.servers[i % o.servers.length]!.url, { target: target('StartDataSourceSyncJob'), body: { IndexId: indexId, Id: ds } }).then((bytes) => ({ bytes, url: o.servers[i % o.servers.length]!.url }))),
      );
      // Every request written before any is read: the race is as tight as sockets make it.
      const answers = await Promise.all(requests.map((r) => send(r.url, r.bytes)));
      const codes = new Map<string, number>();
      for (const a of answers) codes.set(a, (codes.get(a) ?? 0) + 1);
      const history = (await k.send(new ListDataSourceSyncJobsCommand({ IndexId: indexId, Id: ds }))).History!;
      const summary = [...codes].map(([c, n]) => `${n} × ${c}`).join(', ');
      if (codes.get('200') !== 1 || codes.get('400 ResourceInUseException') !== o.concurrency - 1) return `answers: ${summary}`;
      if (history.length !== 1) return `${history.length} jobs made (${summary})`;
      await k.send(new StopDataSourceSyncJobCommand({ IndexId: indexId, Id: ds }));
      await jobReaching(k, indexId, ds, history[0]!.ExecutionId!, ['SUCCEEDED']);
      return undefined;
    });
  }
  return tally.result;
}

/** Sends raw request bytes on a new connection; "200" or "<status> <__type>". */
async function send(url: string, bytes: Buffer): Promise<string> {
  const { default: net } = await import('node:net');
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: hostname, port: Number(port) }, () => socket.end(bytes));
    let text = '';
    socket.on('data', (d: Buffer) => (text += d.toString()));
    socket.on('error', reject);
    socket.on('close', () => {
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1]);
      if (status === 200) return resolve('200');
      const type = /"__type":"([^"]+)"/.exec(text)?.[1];
      resolve(`${status} ${type}`);
    });
  });
}
