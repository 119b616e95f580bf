/**
 * The suggestions baseline: a bare node:http server (its own process, child_process.fork) holding
 * the same prefix structure kendrite serves GetQuerySuggestions from (src/search/suggestionIndex.ts,
 * built from the same query log by the same rules), answering each request with a bare lookup:
 * read the body, take QueryText, normalize it, look up the top 10, write the texts as JSON.
 * No signature, no validation, no index or settings read: what is left of kendrite's work is the lookup.
 *
 * argv: <sqlite file> <index id>. IPC: child → { listening: port, entries } once built.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import BetterSqlite3 from 'better-sqlite3';
import { blockedBy } from '../../src/domain/blockLists.js';
import { normalizeQueryText } from '../../src/domain/queryLog.js';
import { DEFAULT_SETTINGS, suggestionEntries } from '../../src/domain/querySuggestions.js';
import { SuggestionIndex } from '../../src/search/suggestionIndex.js';
import type { QueryTextStats } from '../../src/store/queryLog.js';

const [file, indexId] = process.argv.slice(2) as [string, string];
const db = new BetterSqlite3(file, { readonly: true });
const stats = (db.prepare(`SELECT normalized_text AS text, count(*) AS count, count(user_id) AS userCount, count(DISTINCT user_id) AS users, max(result_count) AS bestResultCount
  FROM query_log WHERE index_id = ? GROUP BY normalized_text`).all(indexId) as QueryTextStats[]);
db.close();
const index = new SuggestionIndex(suggestionEntries(stats, DEFAULT_SETTINGS, blockedBy([])));

const server = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const { QueryText } = JSON.parse(Buffer.concat(chunks).toString()) as { QueryText: string };
    const texts = index.top(normalizeQueryText(QueryText), 10).map((e) => e.text);
    const body = JSON.stringify({ Suggestions: texts });
    res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
});
server.keepAliveTimeout = 65_000;
process.on('disconnect', () => process.exit(0));
server.listen(0, '127.0.0.1', () => process.send!({ listening: (server.address() as AddressInfo).port, entries: index.count }));
