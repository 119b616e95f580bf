/**
 * AWS cron schedules for data source syncs (SEMANTICS D-6), evaluated in UTC.
 *
 * Grammar is EventBridge/CloudWatch's six-field cron:
 * `cron(<minutes> <hours> <day-of-month> <month> <day-of-week> <year>)`, or the same six fields bare.
 * Choices where AWS documents nothing, made to reject rather than guess:
 * - reversed ranges (`FRI-MON`, `22-2`) are rejected instead of wrapping around;
 * - `L`, `LW`, `<day>W`, `<day>L` and `<day>#<n>` must stand alone in their field (as in Quartz,
 *   which AWS's syntax comes from); `L-<n>` offsets are not accepted;
 * - `L` alone in day-of-week is the last day of the week, Saturday (AWS docs, Quartz);
 * - `<day>W` in a month shorter than `<day>` does not fire that month (no spill into the next).
 */

export class ScheduleError extends Error {
  override name = 'ScheduleError';
}

export interface Schedule {
  readonly expression: string;
  /** First fire time strictly after `after` (whole minutes), or null if it never fires again. */
  next(after: Date): Date | null;
}

const YEAR_MIN = 1970;
const YEAR_MAX = 2199;
const MINUTE_MS = 60_000;

const MONTH_NAMES = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAY_NAMES = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

interface Field {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  /** Names for values min, min+1, … (month and day-of-week only). */
  readonly names?: readonly string[];
  /** What a valid value looks like, for messages. */
  readonly hint: string;
}

const MINUTES: Field = { name: 'minutes', min: 0, max: 59, hint: '0-59' };
const HOURS: Field = { name: 'hours', min: 0, max: 23, hint: '0-23' };
const DAY_OF_MONTH: Field = { name: 'day-of-month', min: 1, max: 31, hint: '1-31' };
const MONTH: Field = { name: 'month', min: 1, max: 12, names: MONTH_NAMES, hint: '1-12 or JAN-DEC' };
const DAY_OF_WEEK: Field = { name: 'day-of-week', min: 1, max: 7, names: DAY_NAMES, hint: '1-7 or SUN-SAT' };
const YEAR: Field = { name: 'year', min: YEAR_MIN, max: YEAR_MAX, hint: `${YEAR_MIN}-${YEAR_MAX}` };

type Fail = (why: string) => never;

/** Days of one month that the day-of-month / day-of-week fields select, ascending. */
type DayRule = (year: number, month: number) => number[];

export function parseSchedule(expression: string): Schedule {
  const fail: Fail = (why) => {
    throw new ScheduleError(`Invalid Schedule '${expression}': ${why}`);
  };
  // The API layer hands us decoded JSON; guard the type rather than crash on .trim().
  if (typeof expression !== 'string') {
    throw new ScheduleError(`Invalid Schedule: must be a string, got ${typeof expression}`);
  }
  const text = expression.trim();
  if (text === '') fail('the expression is empty');

  let body = text;
  const call = /^([A-Za-z]+)(\s*)\(/.exec(text);
  if (call) {
    const kind = call[1]!;
    if (kind.toLowerCase() === 'rate') {
      fail('rate expressions are not supported; only cron expressions are supported');
    }
    if (kind !== 'cron') fail(`'${kind}(...)' expressions are not supported; only cron expressions are supported`);
    if (call[2] !== '') fail("write 'cron(' with no space before the parenthesis");
    if (!text.endsWith(')')) fail("missing closing ')'");
    body = text.slice(call[0].length, -1).trim();
  }

  const parts = body === '' ? [] : body.split(/\s+/);
  if (parts.length !== 6) {
    fail(`expected 6 fields (minutes hours day-of-month month day-of-week year), got ${parts.length}`);
  }
  const [minText, hourText, domText, monthText, dowText, yearText] = parts as [
    string,
    string,
    string,
    string,
    string,
    string,
  ];

  const minutes = parsePlainField(minText, MINUTES, fail);
  const hours = parsePlainField(hourText, HOURS, fail);
  const months = parsePlainField(monthText, MONTH, fail);
  const years = parsePlainField(yearText, YEAR, fail);
  const byMonthDay = parseDayOfMonth(domText, fail);
  const byWeekDay = parseDayOfWeek(dowText, fail);

  // AWS: exactly one of the two day fields is '?'.
  let days: DayRule;
  if (byMonthDay && byWeekDay) {
    fail("day-of-month and day-of-week cannot both be specified; one of them must be '?'");
  } else if (byMonthDay) {
    days = byMonthDay;
  } else if (byWeekDay) {
    days = byWeekDay;
  } else {
    fail("day-of-month and day-of-week cannot both be '?'; one of them must be specified ('*' for every day)");
  }

  return new CronSchedule(expression, minutes, hours, days, months, years);
}

class CronSchedule implements Schedule {
  constructor(
    readonly expression: string,
    private readonly minutes: readonly number[],
    private readonly hours: readonly number[],
    private readonly days: DayRule,
    private readonly months: readonly number[],
    private readonly years: readonly number[],
  ) {}

  next(after: Date): Date | null {
    const t = after instanceof Date ? after.getTime() : NaN;
    if (!Number.isFinite(t)) throw new RangeError('Schedule.next() needs a valid Date');
    const start = new Date(Math.floor(t / MINUTE_MS) * MINUTE_MS + MINUTE_MS);
    let y = start.getUTCFullYear();
    let mo = start.getUTCMonth() + 1;
    let d = start.getUTCDate();
    let h = start.getUTCHours();
    let mi = start.getUTCMinutes();
    if (y < YEAR_MIN) [y, mo, d, h, mi] = [YEAR_MIN, 1, 1, 0, 0];

    // Walk the fields from the year down, each over its own allowed values only. A level is bounded
    // below by the start instant only while every level above it still equals the start's value;
    // once a higher level has moved past, the first allowed value of each lower level wins.
    for (const year of this.years) {
      if (year < y) continue;
      const atYear = year === y;
      for (const month of this.months) {
        if (atYear && month < mo) continue;
        const atMonth = atYear && month === mo;
        for (const day of this.days(year, month)) {
          if (atMonth && day < d) continue;
          const atDay = atMonth && day === d;
          for (const hour of this.hours) {
            if (atDay && hour < h) continue;
            const atHour = atDay && hour === h;
            for (const minute of this.minutes) {
              if (atHour && minute < mi) continue;
              return new Date(Date.UTC(year, month - 1, day, hour, minute));
            }
          }
        }
      }
    }
    return null;
  }
}

// ---- fields ---------------------------------------------------------------------------------

/** minutes, hours, month, year: `*`, values, ranges, steps and lists; nothing else. */
function parsePlainField(text: string, field: Field, fail: Fail): number[] {
  if (text.includes('?')) fail(`'?' is only allowed in day-of-month and day-of-week, not in ${field.name}`);
  if (text.includes('#')) fail(`'#' is only allowed in day-of-week, not in ${field.name}`);
  // Month names contain L (JUL, APR), so only the letter-free fields can blame L/W by name.
  if (!field.names && /[LW]/i.test(text)) {
    fail(`'L' and 'W' are only allowed in day-of-month and day-of-week, not in ${field.name}`);
  }
  return parseList(text, field, fail);
}

function parseDayOfMonth(text: string, fail: Fail): DayRule | null {
  if (text === '?') return null;
  const upper = text.toUpperCase();
  if (upper === 'L') return (year, month) => [daysInMonth(year, month)];
  if (upper === 'LW') return (year, month) => [lastWeekday(year, month)];
  const w = /^(\d+)W$/.exec(upper);
  if (w) {
    const day = Number(w[1]);
    if (day < 1 || day > 31) fail(`day-of-month must be 1-31, got ${w[1]} (in '${text}')`);
    return (year, month) => nearestWeekday(year, month, day);
  }
  if (/^L-\d+$/.test(upper)) fail(`day-of-month offsets from the last day ('${text}') are not supported`);
  if (/[LW]/.test(upper)) {
    fail(
      /[,\-/]/.test(upper)
        ? `day-of-month has an invalid value '${text}': 'L', 'LW' and '<day>W' must stand alone`
        : `day-of-month must be ${DAY_OF_MONTH.hint}, 'L', 'LW' or '<day>W', got '${text}'`,
    );
  }
  const days = parseList(text, DAY_OF_MONTH, fail);
  return (year, month) => {
    const last = daysInMonth(year, month);
    return days.filter((day) => day <= last);
  };
}

function parseDayOfWeek(text: string, fail: Fail): DayRule | null {
  if (text === '?') return null;
  const upper = text.toUpperCase();
  // `L` alone is the last day of the week: Saturday.
  const weekdays = upper === 'L' ? [7] : null;
  if (!weekdays) {
    const last = /^([0-9]+|SUN|MON|TUE|WED|THU|FRI|SAT)L$/.exec(upper);
    if (last) {
      const weekday = parseValue(last[1]!, DAY_OF_WEEK, fail);
      return (year, month) => [lastWeekdayOf(year, month, weekday)];
    }
    const nth = /^([0-9]+|[A-Z]{3})#(\d+)$/.exec(upper);
    if (nth) {
      const weekday = parseValue(nth[1]!, DAY_OF_WEEK, fail);
      const n = Number(nth[2]);
      if (n < 1 || n > 5) fail(`day-of-week occurrence after '#' must be 1-5, got ${nth[2]} (in '${text}')`);
      return (year, month) => nthWeekdayOf(year, month, weekday, n);
    }
    // No day name contains L, so any L or # left here is misplaced or malformed.
    if (/[L#]/.test(upper)) {
      fail(
        /[,\-/]/.test(upper)
          ? `day-of-week has an invalid value '${text}': 'L', '<day>L' and '<day>#<n>' must stand alone`
          : `day-of-week must be ${DAY_OF_WEEK.hint}, 'L', '<day>L' or '<day>#<n>', got '${text}'`,
      );
    }
  }
  const allowed = new Set(weekdays ?? parseList(text, DAY_OF_WEEK, fail));
  return (year, month) => {
    const out: number[] = [];
    const last = daysInMonth(year, month);
    let weekday = weekdayOf(year, month, 1);
    for (let day = 1; day <= last; day++) {
      if (allowed.has(weekday)) out.push(day);
      weekday = (weekday % 7) + 1;
    }
    return out;
  };
}

/** A comma list of `*`, `v`, `a-b`, each optionally `/step`; sorted, without duplicates. */
function parseList(text: string, field: Field, fail: Fail): number[] {
  const values = new Set<number>();
  for (const item of text.split(',')) {
    if (item === '') fail(`${field.name} has an empty item in '${text}'`);
    const slash = item.split('/');
    if (slash.length > 2) fail(`${field.name} has an invalid value '${item}'`);
    const [rangeText, stepText] = slash as [string, string | undefined];

    let lo: number;
    let hi: number;
    if (rangeText === '*') {
      [lo, hi] = [field.min, field.max];
    } else {
      const ends = rangeText.split('-');
      if (ends.length > 2 || ends.some((e) => e === '')) fail(`${field.name} has an invalid value '${item}'`);
      lo = parseValue(ends[0]!, field, fail);
      if (ends.length === 2) {
        hi = parseValue(ends[1]!, field, fail);
        if (hi < lo) {
          fail(
            `${field.name} range '${rangeText}' is reversed: the start must not be after the end ` +
              '(wrap-around ranges are not supported)',
          );
        }
      } else {
        // `a/step` runs from a to the end of the field, as in AWS's `0/15`.
        hi = stepText === undefined ? lo : field.max;
      }
    }

    let step = 1;
    if (stepText !== undefined) {
      const span = field.max - field.min + 1;
      if (!/^\d+$/.test(stepText)) fail(`${field.name} step must be a number 1-${span}, got '${stepText}'`);
      step = Number(stepText);
      if (step < 1 || step > span) fail(`${field.name} step must be 1-${span}, got ${stepText}`);
    }
    for (let v = lo; v <= hi; v += step) values.add(v);
  }
  return [...values].sort((a, b) => a - b);
}

function parseValue(token: string, field: Field, fail: Fail): number {
  if (/^\d+$/.test(token)) {
    const v = Number(token);
    if (v < field.min || v > field.max) fail(`${field.name} must be ${field.hint}, got ${token}`);
    return v;
  }
  const index = field.names?.indexOf(token.toUpperCase()) ?? -1;
  if (index < 0) fail(`${field.name} must be ${field.hint}, got '${token}'`);
  return field.min + index;
}

// ---- calendar (UTC) -------------------------------------------------------------------------

function daysInMonth(year: number, month: number): number {
  // Day 0 of the next month is the last day of this one; Date.UTC knows the leap years.
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** 1 = Sunday … 7 = Saturday, AWS's numbering. */
function weekdayOf(year: number, month: number, day: number): number {
  return new Date(Date.UTC(year, month - 1, day)).getUTCDay() + 1;
}

function lastWeekday(year: number, month: number): number {
  const last = daysInMonth(year, month);
  const weekday = weekdayOf(year, month, last);
  return weekday === 7 ? last - 1 : weekday === 1 ? last - 2 : last;
}

/** `<day>W`: the weekday nearest to `day`, never leaving the month. */
function nearestWeekday(year: number, month: number, day: number): number[] {
  const last = daysInMonth(year, month);
  if (day > last) return [];
  const weekday = weekdayOf(year, month, day);
  if (weekday === 7) return [day === 1 ? 3 : day - 1]; // Saturday: Friday, or Monday the 3rd
  if (weekday === 1) return [day === last ? day - 2 : day + 1]; // Sunday: Monday, or Friday before
  return [day];
}

function lastWeekdayOf(year: number, month: number, weekday: number): number {
  const last = daysInMonth(year, month);
  return last - ((weekdayOf(year, month, last) - weekday + 7) % 7);
}

function nthWeekdayOf(year: number, month: number, weekday: number, n: number): number[] {
  const first = 1 + ((weekday - weekdayOf(year, month, 1) + 7) % 7);
  const day = first + 7 * (n - 1);
  return day <= daysInMonth(year, month) ? [day] : [];
}
