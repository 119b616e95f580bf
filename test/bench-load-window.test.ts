// The benches' load loops measured over answers (bench/lib/loadWindow.ts): the scale bench's Query
// runs until each side has N right answers, not for a fixed time, because at 1,000,000 documents on
// PostgreSQL a 3 s window held a handful. The window on invented clocks, then httpLoad against a
// local HTTP server and engineLoad on an invented engine.
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { interleavedLoad } from '../bench/lib/interleavedLoad.js';
import { LoadWindow } from '../bench/lib/loadWindow.js';
import { engineLoad, httpLoad, TIMED_OUT } from '../bench/scenarios/query.js';

describe('LoadWindow', () => {
  test('a fixed window: answers inside [warm-up end, + duration) count, right ones only; its length is the duration itself', () => {
    const w = new LoadWindow({ warmupMs: 100, durationMs: 300 }, 1000.1);
    assert.equal(w.answered(1050, true), false); // warm-up
    assert.equal(w.answered(1100.1, true), true);
    assert.equal(w.answered(1200, false), false); // wrong: not measured
    assert.equal(w.answered(1400, true), true);
    assert.equal(w.answered(1400.1, true), false); // the end is exclusive
    assert.equal(w.open(1400), true);
    assert.equal(w.open(1400.1), false);
    assert.equal(w.measured, 2);
    assert.equal(w.measuredMs, 300);
    assert.equal(w.capped, false);
  });

  test('by answers: the warm-up takes its answers (right or wrong), the window ends at the answer that makes N right ones', () => {
    const w = new LoadWindow({ warmupMs: 0, durationMs: 0, warmupAnswers: 2, answers: 3, capMs: 10_000 }, 0);
    assert.equal(w.answered(10, false), false);
    assert.equal(w.open(15), true);
    assert.equal(w.answered(20, true), false); // the second warm-up answer: the window starts here
    assert.equal(w.answered(30, true), true);
    assert.equal(w.answered(40, false), false); // a failure is not one of the N
    assert.equal(w.answered(50, true), true);
    assert.equal(w.open(55), true);
    assert.equal(w.answered(60, true), true); // the third
    assert.equal(w.open(60), false);
    assert.equal(w.answered(60, true), false); // in flight when the window ended
    assert.equal(w.answered(70, true), false);
    assert.equal(w.measured, 3);
    assert.equal(w.measuredMs, 40);
    assert.equal(w.capped, false);
  });

  test('by answers, neither shorter than its time: a fast side keeps its window and everything answered in it', () => {
    const w = new LoadWindow({ warmupMs: 50, durationMs: 100, warmupAnswers: 1, answers: 2, capMs: 10_000 }, 0);
    assert.equal(w.answered(10, true), false); // the warm-up's answer is in, its time not yet over
    assert.equal(w.answered(40, true), false);
    assert.equal(w.answered(50, true), true);
    assert.equal(w.answered(60, true), true); // N, before the duration has passed
    assert.equal(w.open(149), true);
    assert.equal(w.answered(149, true), true);
    assert.equal(w.answered(150, true), false);
    assert.equal(w.open(150), false);
    assert.equal(w.measured, 3);
    assert.equal(w.measuredMs, 100);
  });

  test('the cap ends the load short of N, from its start, warm-up included', () => {
    const w = new LoadWindow({ warmupMs: 0, durationMs: 0, warmupAnswers: 1, answers: 5, capMs: 100 }, 1000);
    assert.equal(w.answered(1010, true), false);
    assert.equal(w.answered(1050, true), true);
    assert.equal(w.answered(1099, true), true);
    assert.equal(w.open(1099), true);
    assert.equal(w.open(1100), false);
    assert.equal(w.answered(1120, true), false); // sent before the cap, answered after it
    assert.equal(w.measured, 2);
    assert.equal(w.measuredMs, 90);
    assert.equal(w.capped, true);
  });

  test('a cap inside the warm-up: nothing measured, no window', () => {
    const w = new LoadWindow({ warmupMs: 0, durationMs: 0, warmupAnswers: 3, answers: 5, capMs: 100 }, 0);
    assert.equal(w.answered(40, true), false);
    assert.equal(w.answered(80, true), false);
    assert.equal(w.open(100), false);
    assert.equal(w.measured, 0);
    assert.ok(Number.isNaN(w.measuredMs));
    assert.equal(w.capped, true);
  });

  test('closed: a window nothing else ends (answers: Infinity) ends when closed, no shorter than its duration', () => {
    const w = new LoadWindow({ warmupMs: 100, durationMs: 300, answers: Infinity }, 0);
    assert.equal(w.answered(150, true), true);
    assert.equal(w.answered(900, true), true);
    assert.equal(w.open(5000), true); // nothing but close() ends it
    w.close(1000);
    assert.equal(w.open(999), true);
    assert.equal(w.open(1000), false);
    assert.equal(w.answered(1000, true), false);
    assert.equal(w.measured, 2);
    assert.equal(w.measuredMs, 900);
    const early = new LoadWindow({ warmupMs: 100, durationMs: 300, answers: Infinity }, 0);
    early.close(200); // before its duration is up: it runs out its duration
    assert.equal(early.open(399), true);
    assert.equal(early.open(400), false);
    assert.equal(early.measuredMs, 300);
    early.close(250); // an end already decided stays
    assert.equal(early.measuredMs, 300);
  });

  test('closed during the warm-up: nothing measured, no window, even if warm-up answers come in after', () => {
    const w = new LoadWindow({ warmupMs: 0, durationMs: 0, warmupAnswers: 3, answers: 5 }, 0);
    assert.equal(w.answered(10, true), false);
    w.close(20);
    assert.equal(w.open(20), false);
    assert.equal(w.answered(30, true), false);
    assert.equal(w.answered(40, true), false); // the third warm-up answer, in flight at the close
    assert.equal(w.answered(50, true), false);
    assert.equal(w.measured, 0);
    assert.ok(Number.isNaN(w.measuredMs));
  });

  test('an AbortSignal closes it: at its abort, or at once if aborted already', () => {
    const stop = new AbortController();
    const w = new LoadWindow({ warmupMs: 0, durationMs: 0, answers: Infinity, signal: stop.signal });
    assert.equal(w.open(), true);
    stop.abort();
    assert.equal(w.open(), false);
    assert.equal(new LoadWindow({ warmupMs: 0, durationMs: 0, answers: Infinity, signal: stop.signal }).open(), false);
  });
});

describe('httpLoad and engineLoad stopped by answers', () => {
  let server: http.Server;
  let port: number;
  let received = 0;
  /** Request numbers (from 1) the server answers 500, and those it answers only after `slowMs`. */
  let failing = new Set<number>();
  let slowFrom = Infinity;
  let slowMs = 0;
  before(async () => {
    server = http.createServer((req, res) => {
      req.resume();
      const n = ++received;
      const answer = () => {
        const body = failing.has(n) ? 'no' : 'yes';
        res.writeHead(failing.has(n) ? 500 : 200, { 'content-type': 'text/plain', 'content-length': String(body.length) });
        res.end(body);
      };
      if (n >= slowFrom) setTimeout(answer, slowMs);
      else answer();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const reset = (o: { failing?: number[]; slowFrom?: number; slowMs?: number } = {}) => {
    received = 0;
    failing = new Set(o.failing ?? []);
    slowFrom = o.slowFrom ?? Infinity;
    slowMs = o.slowMs ?? 0;
  };
  const request = Buffer.from('GET / HTTP/1.1\r\nhost: bench\r\n\r\n');
  const ok = (_: number, r: { status: number }) => (r.status === 200 ? undefined : `HTTP ${r.status}`);

  test('one client: warm-up answers, then exactly N right answers measured; failures counted, not measured', async () => {
    reset({ failing: [3, 15, 16] });
    const r = await httpLoad('127.0.0.1', port, [request], ok, { connections: 1, warmupMs: 0, durationMs: 0, warmupAnswers: 10, answers: 50, capMs: 60_000 });
    assert.equal(r.count, 50);
    assert.equal(r.errors, 3);
    assert.equal(r.firstError, 'HTTP 500');
    // 10 warm-up answers (the third failed), 50 right ones and the two failures among them, nothing after.
    assert.equal(r.answered, 62);
    assert.equal(received, 62);
    assert.equal(r.capped, undefined);
    assert.ok(r.perSecond > 0 && Number.isFinite(r.perSecond));
  });

  test('sixteen clients: exactly N measured, the answers in flight at the end answered but not measured', async () => {
    reset();
    const r = await httpLoad('127.0.0.1', port, [request], ok, { connections: 16, warmupMs: 0, durationMs: 0, warmupAnswers: 32, answers: 200, capMs: 60_000 });
    assert.equal(r.count, 200);
    assert.equal(r.errors, 0);
    assert.equal(r.answered, received);
    assert.ok(r.answered >= 232 && r.answered <= 232 + 15, `answered ${r.answered}`);
  });

  test('answers past a statement time-out (TIMED_OUT) are counted apart: neither errors nor measured', async () => {
    reset({ failing: [2, 5, 20, 21] });
    const timedOut = (_: number, r: { status: number }) => (r.status === 200 ? undefined : TIMED_OUT);
    const r = await httpLoad('127.0.0.1', port, [request], timedOut, { connections: 1, warmupMs: 0, durationMs: 0, warmupAnswers: 3, answers: 40, capMs: 60_000 });
    assert.equal(r.count, 40);
    assert.equal(r.timedOut, 4);
    assert.equal(r.errors, 0);
    assert.equal(r.firstError, undefined);
    assert.equal(r.answered, 46); // 3 warm-up answers (one timed out), 40 right ones and the three time-outs among them
    assert.equal(received, 46);
  });

  test('the cap ends a load whose answers stop coming: what it had is measured, marked capped', async () => {
    reset({ slowFrom: 7, slowMs: 1500 });
    const r = await httpLoad('127.0.0.1', port, [request], ok, { connections: 1, warmupMs: 0, durationMs: 0, warmupAnswers: 1, answers: 1000, capMs: 1000 });
    assert.equal(r.count, 5); // requests 2–6; the 7th answered past the cap
    assert.equal(r.answered, 7);
    assert.equal(r.capped, true);
  });

  test('a load beside another (answers: Infinity, its signal aborted when the other ends) runs as long as that one', async () => {
    reset();
    const stop = new AbortController();
    const [byAnswers, beside] = await Promise.all([
      httpLoad('127.0.0.1', port, [request], ok, { connections: 1, warmupMs: 0, durationMs: 0, warmupAnswers: 5, answers: 300, capMs: 60_000 }).finally(() => stop.abort()),
      httpLoad('127.0.0.1', port, [request], ok, { connections: 2, warmupMs: 0, durationMs: 0, answers: Infinity, capMs: 60_000, signal: stop.signal }),
    ]);
    assert.equal(byAnswers.count, 300);
    assert.ok(beside.count > 0);
    assert.equal(beside.capped, undefined);
    assert.equal(byAnswers.answered + beside.answered, received); // the one beside stopped sending, its last answers in
  });

  test('the fixed window as before: queries/s over the duration itself', async () => {
    reset();
    const r = await httpLoad('127.0.0.1', port, [request], ok, { connections: 2, warmupMs: 50, durationMs: 200 });
    assert.ok(r.count > 0);
    assert.equal(r.perSecond, r.count / 0.2);
    assert.equal(r.capped, undefined);
  });

  test('interleavedLoad keeps its fixed window: one request to each side in turn, queries/s over the duration', async () => {
    reset();
    const side = { host: '127.0.0.1', port, pid: process.pid, requests: [request], check: ok };
    const [a, b] = await interleavedLoad([side, side], { warmupMs: 50, durationMs: 200 });
    assert.ok(a.count > 0 && b.count > 0);
    // Each side's window is decided by its own answers' times: at each end of it, one side's answer of a pair may
    // fall inside and the other's outside, so the counts can differ by one at the start and one at the end.
    assert.ok(Math.abs(a.count - b.count) <= 2, `${a.count} and ${b.count}`);
    assert.equal(a.perSecond, a.count / 0.2);
    assert.equal(b.perSecond, b.count / 0.2);
    assert.equal(a.answered + b.answered, received);
    assert.equal(a.errors + b.errors, 0);
  });

  test('engineLoad: exactly N measured over its callers, every call answered', async () => {
    let calls = 0;
    const seen: number[] = [];
    const r = await engineLoad(
      async (i) => {
        calls++;
        seen.push(i);
        await new Promise((resolve) => setImmediate(resolve));
      },
      7,
      { connections: 3, warmupMs: 0, durationMs: 0, warmupAnswers: 5, answers: 30, capMs: 60_000 },
    );
    assert.equal(r.count, 30);
    assert.equal(r.answered, calls);
    assert.ok(calls >= 35 && calls <= 37, `calls ${calls}`);
    assert.ok(seen.every((i) => Number.isInteger(i) && i >= 0 && i < 7));
    assert.equal(r.timedOut, undefined);
  });

  test('engineLoad: a call its timedOut() recognises is counted apart, not measured; any other failure ends the load', async () => {
    class TimeOut extends Error {}
    let calls = 0;
    const r = await engineLoad(
      async () => {
        calls++;
        await new Promise((resolve) => setImmediate(resolve));
        if (calls % 4 === 0) throw new TimeOut('past the statement time-out');
      },
      3,
      { connections: 1, warmupMs: 0, durationMs: 0, warmupAnswers: 4, answers: 30, capMs: 60_000, timedOut: (e) => e instanceof TimeOut },
    );
    // 4 warm-up calls (the 4th timed out), then 30 right answers: calls 5–43, of which 8, 12, …, 40 (9) timed out.
    assert.equal(r.count, 30);
    assert.equal(r.timedOut, 10);
    assert.equal(r.answered, calls);
    assert.equal(calls, 43);
    await assert.rejects(
      engineLoad(async () => { throw new Error('the engine broke'); }, 1, { connections: 1, warmupMs: 0, durationMs: 0, answers: 5, capMs: 60_000, timedOut: (e) => e instanceof TimeOut }),
      /the engine broke/,
    );
  });
});
