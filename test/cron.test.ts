// AWS cron schedules for data source syncs (D-6).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSchedule, ScheduleError } from '../src/domain/cron.js';

// [expression, after, expected next fire (ISO) or null]. Weekdays noted where they matter.
const VALID: ReadonlyArray<readonly [string, string, string | null]> = [
  ['cron(0 12 * * ? *)', '2026-03-01T12:00:00Z', '2026-03-02T12:00:00.000Z'],
  ['cron(0 12 * * ? *)', '2026-03-01T11:59:30Z', '2026-03-01T12:00:00.000Z'],
  // Strictly after, at minute resolution.
  ['* * * * ? *', '2026-03-01T11:59:59.999Z', '2026-03-01T12:00:00.000Z'],
  ['* * * * ? *', '2026-03-01T12:00:00.000Z', '2026-03-01T12:01:00.000Z'],
  ['0/15 * * * ? *', '2026-03-01T10:07:00Z', '2026-03-01T10:15:00.000Z'],
  ['cron(*/5 * * * ? *)', '2026-12-31T23:58:00Z', '2027-01-01T00:00:00.000Z'],
  ['cron(10-40/10 * * * ? *)', '2026-03-01T10:40:00Z', '2026-03-01T11:10:00.000Z'],
  ['cron(0 8-10,14 * * ? *)', '2026-03-01T10:00:00Z', '2026-03-01T14:00:00.000Z'],
  ['  cron( 0   12 * * ? * )  ', '2026-03-01T00:00:00Z', '2026-03-01T12:00:00.000Z'],
  // Last Friday: Jan 31 2026 is a Saturday, so Jan 30; Dec 25 is the last Friday of 2026, year ends.
  ['cron(15 10 ? * 6L 2026)', '2026-01-01T00:00:00Z', '2026-01-30T10:15:00.000Z'],
  ['cron(15 10 ? * FRIL 2026)', '2026-12-01T00:00:00Z', '2026-12-25T10:15:00.000Z'],
  ['cron(15 10 ? * 6L 2026)', '2026-12-25T10:15:00Z', null],
  // Last weekday: May 31 2026 is a Sunday.
  ['cron(0 0 LW * ? *)', '2026-05-01T00:00:00Z', '2026-05-29T00:00:00.000Z'],
  ['cron(0 0 L 2 ? *)', '2026-01-01T00:00:00Z', '2026-02-28T00:00:00.000Z'],
  ['cron(0 0 L 2 ? *)', '2027-03-01T00:00:00Z', '2028-02-29T00:00:00.000Z'],
  // Nearest weekday: Aug 15 2026 is a Saturday (→ Fri 14), Feb 15 2026 a Sunday (→ Mon 16),
  // Aug 1 2026 a Saturday (→ Mon 3, never back into July), May 31 2026 a Sunday (→ Fri 29);
  // April has no 31st, so 31W skips it.
  ['cron(0 0 15W * ? *)', '2026-08-01T00:00:00Z', '2026-08-14T00:00:00.000Z'],
  ['cron(0 0 15W * ? *)', '2026-02-01T00:00:00Z', '2026-02-16T00:00:00.000Z'],
  ['cron(0 0 1W * ? *)', '2026-07-31T12:00:00Z', '2026-08-03T00:00:00.000Z'],
  ['cron(0 0 31W * ? *)', '2026-04-01T00:00:00Z', '2026-05-29T00:00:00.000Z'],
  // First Monday: Mon Mar 2 2026 has passed, Apr 1 2026 is a Wednesday.
  ['cron(0 9 ? * 2#1 *)', '2026-03-02T09:00:00Z', '2026-04-06T09:00:00.000Z'],
  ['cron(0 9 ? * MON#1 *)', '2026-03-01T00:00:00Z', '2026-03-02T09:00:00.000Z'],
  // Fifth Friday: Jan 2026 has one (30th); the next month with five Fridays is May (29th).
  ['cron(0 0 ? * 6#5 *)', '2026-01-30T00:00:00Z', '2026-05-29T00:00:00.000Z'],
  // Weekday ranges, names in any case: Fri Mar 6 2026 → Mon Mar 9.
  ['cron(0 8 ? * MON-FRI *)', '2026-03-06T08:00:00Z', '2026-03-09T08:00:00.000Z'],
  ['cron(0 18 ? * mon-fri *)', '2026-03-07T10:00:00Z', '2026-03-09T18:00:00.000Z'],
  ['cron(0 0 ? * MON/2 *)', '2026-03-02T00:00:00Z', '2026-03-04T00:00:00.000Z'],
  // `L` alone in day-of-week is Saturday; Thu Jan 1 2026 → Sat Jan 3.
  ['cron(0 0 ? * L *)', '2026-01-01T00:00:00Z', '2026-01-03T00:00:00.000Z'],
  // Day lists skip days a month lacks.
  ['cron(0 0 */10 * ? *)', '2026-02-21T00:00:00Z', '2026-03-01T00:00:00.000Z'],
  ['cron(0 0 31 * ? *)', '2026-04-01T00:00:00Z', '2026-05-31T00:00:00.000Z'],
  ['cron(0 0 1 */3 ? *)', '2026-01-01T00:00:00Z', '2026-04-01T00:00:00.000Z'],
  ['cron(0 0 1 DEC ? *)', '2026-12-01T00:00:00Z', '2027-12-01T00:00:00.000Z'],
  // Leap years: 2100 is not one.
  ['cron(0 0 29 2 ? *)', '2026-03-01T00:00:00Z', '2028-02-29T00:00:00.000Z'],
  ['cron(0 0 29 2 ? *)', '2096-03-01T00:00:00Z', '2104-02-29T00:00:00.000Z'],
  // Years: lists of months and days with a year range; steps; the limits 1970 and 2199.
  ['cron(30 2 ? JAN,JUL 1 2030-2031)', '2026-03-01T00:00:00Z', '2030-01-06T02:30:00.000Z'],
  ['cron(0 0 1 1 ? 2026/4)', '2026-01-01T00:00:00Z', '2030-01-01T00:00:00.000Z'],
  ['cron(0 0 1 1 ? 1970)', '1969-06-01T00:00:00Z', '1970-01-01T00:00:00.000Z'],
  ['cron(59 23 31 12 ? 2199)', '2199-12-31T23:58:00Z', '2199-12-31T23:59:00.000Z'],
  ['cron(59 23 31 12 ? 2199)', '2199-12-31T23:59:00Z', null],
  ['cron(0 0 1 1 ? 2025)', '2025-06-01T00:00:00Z', null],
  // Valid, but no such date exists.
  ['cron(0 0 30 2 ? *)', '2026-01-01T00:00:00Z', null],
];

for (const [expression, after, expected] of VALID) {
  test(`${expression.trim()} after ${after} → ${expected}`, () => {
    const schedule = parseSchedule(expression);
    assert.equal(schedule.expression, expression);
    assert.equal(schedule.next(new Date(after))?.toISOString() ?? null, expected);
  });
}

// [expression, pattern the message must match]. Each names the field and what is wrong.
const INVALID: ReadonlyArray<readonly [string, RegExp]> = [
  ['', /empty/],
  ['   ', /empty/],
  ['rate(5 minutes)', /rate expressions are not supported; only cron expressions are supported/],
  ['at(2026-01-01T00:00:00)', /'at\(\.\.\.\)' expressions are not supported; only cron/],
  ['cron(0 12 * * ? *', /missing closing '\)'/],
  ['cron(0 12 * * ?)', /expected 6 fields .* got 5/],
  ['cron(0 0 12 * * ? *)', /expected 6 fields .* got 7/],
  ['hello', /expected 6 fields .* got 1/],
  ['cron(60 * * * ? *)', /minutes must be 0-59, got 60$/],
  ['cron(0 0 32 * ? *)', /day-of-month must be 1-31, got 32$/],
  ['cron(0 0 1 13 ? *)', /month must be 1-12 or JAN-DEC, got 13$/],
  ['cron(0 0 1 FOO ? *)', /month must be 1-12 or JAN-DEC, got 'FOO'$/],
  ['cron(0 0 ? * 8 *)', /day-of-week must be 1-7 or SUN-SAT, got 8$/],
  ['cron(0 0 ? * 0 *)', /day-of-week must be 1-7 or SUN-SAT, got 0$/],
  ['cron(0 0 1 1 ? 1969)', /year must be 1970-2199, got 1969$/],
  ['cron(0 0 1 1 ? 2200)', /year must be 1970-2199, got 2200$/],
  ['cron(a 0 * * ? *)', /minutes must be 0-59, got 'a'$/],
  ['cron(0/0 * * * ? *)', /minutes step must be 1-60, got 0$/],
  ['cron(0 */x * * ? *)', /hours step must be a number/],
  ['cron(1-2-3 * * * ? *)', /minutes has an invalid value '1-2-3'/],
  ['cron(1,,2 * * * ? *)', /minutes has an empty item/],
  ['cron(0 0 * * * *)', /day-of-month and day-of-week cannot both be specified; one of them must be '\?'/],
  ['cron(0 0 1 * MON *)', /cannot both be specified/],
  ['cron(0 0 ? * ? *)', /day-of-month and day-of-week cannot both be '\?'/],
  ['cron(? 0 * * ? *)', /'\?' is only allowed in day-of-month and day-of-week, not in minutes/],
  ['cron(0 L * * ? *)', /'L' and 'W' are only allowed in day-of-month and day-of-week, not in hours/],
  ['cron(0 0 1 1#2 ? *)', /'#' is only allowed in day-of-week, not in month/],
  ['cron(0 0 ? * FRI-MON *)', /day-of-week range 'FRI-MON' is reversed/],
  ['cron(0 0 1 1 ? 2030-2020)', /year range '2030-2020' is reversed/],
  ['cron(0 0 ? * 2#6 *)', /day-of-week occurrence after '#' must be 1-5, got 6/],
  ['cron(0 0 ? * 8#1 *)', /day-of-week must be 1-7 or SUN-SAT, got 8$/],
  ['cron(0 0 ? * 1,6L *)', /day-of-week has an invalid value '1,6L': .* must stand alone/],
  ['cron(0 0 L-2 * ? *)', /day-of-month offsets from the last day \('L-2'\) are not supported/],
  ['cron(0 0 1-LW * ? *)', /day-of-month has an invalid value '1-LW': .* must stand alone/],
  ['cron(0 0 W * ? *)', /day-of-month must be 1-31, 'L', 'LW' or '<day>W', got 'W'$/],
  ['cron(0 0 ? * JUL *)', /day-of-week must be 1-7 or SUN-SAT, 'L', '<day>L' or '<day>#<n>', got 'JUL'$/],
  ['cron(0 0 ? * FOO#2 *)', /day-of-week must be 1-7 or SUN-SAT, got 'FOO'$/],
  ['cron(0 0 1,L * ? *)', /day-of-month has an invalid value '1,L'/],
  ['cron(0 0 0W * ? *)', /day-of-month must be 1-31, got 0 \(in '0W'\)/],
];

for (const [expression, message] of INVALID) {
  test(`rejects ${JSON.stringify(expression)}`, () => {
    assert.throws(
      () => parseSchedule(expression),
      (err: unknown) => {
        assert.ok(err instanceof ScheduleError, `expected ScheduleError, got ${String(err)}`);
        assert.ok(err.message.startsWith(`Invalid Schedule '${expression}': `), err.message);
        assert.match(err.message, message);
        return true;
      },
    );
  });
}

test('the message names the expression, the field and the value', () => {
  assert.throws(() => parseSchedule('cron(0 25 * * ? *)'), {
    name: 'ScheduleError',
    message: "Invalid Schedule 'cron(0 25 * * ? *)': hours must be 0-23, got 25",
  });
});

test('every Feb 29 from 1970 to 2199 (56 leap years: 2100 is not one), then null', () => {
  const schedule = parseSchedule('cron(0 0 29 2 ? *)');
  const fires: string[] = [];
  for (let t = schedule.next(new Date(0)); t; t = schedule.next(t)) fires.push(t.toISOString());
  assert.equal(fires.length, 56);
  assert.equal(fires[0], '1972-02-29T00:00:00.000Z');
  assert.equal(fires.at(-1), '2196-02-29T00:00:00.000Z');
  assert.ok(!fires.some((f) => f.startsWith('2100')));
});

test('next() skips by field: a never-firing schedule returns null without scanning minutes', () => {
  // 230 years of minutes is ~121 million; skipping by field keeps this well under a second.
  const started = performance.now();
  for (let i = 0; i < 20; i++) assert.equal(parseSchedule('cron(0 0 31 2,4,6,9,11 ? *)').next(new Date(0)), null);
  assert.ok(performance.now() - started < 1000);
});

test('consecutive fires of a step schedule are 15 minutes apart across a month end', () => {
  const schedule = parseSchedule('0/15 * * * ? *');
  let t = new Date('2026-02-28T23:00:00Z');
  for (let i = 0; i < 8; i++) {
    const next = schedule.next(t)!;
    assert.equal(next.getTime() - t.getTime(), 15 * 60_000);
    t = next;
  }
  assert.equal(t.toISOString(), '2026-03-01T01:00:00.000Z');
});

test('next() rejects an invalid Date', () => {
  assert.throws(() => parseSchedule('cron(0 12 * * ? *)').next(new Date('nope')), RangeError);
});
