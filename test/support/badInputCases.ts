/**
 * Bad-input tables derived from the Kendra model at run time, for testing input validation (P-4, P-5)
 * of every operation: in-process against parseOperationInput, and over HTTP against the server.
 *
 * Starting from a minimal valid input (validInputFor), each case breaks exactly one thing: a missing
 * required member, a string too short/too long/not matching its pattern, a bad enum value, a number
 * out of range, a list too short/too long, a null list element, a violation nested in a structure or
 * list, or a member of the wrong JSON type. The expected messages are built here from the model,
 * independently of the generated validators, so the two check each other.
 */
import { Buffer } from 'node:buffer';
import { compilePattern, findRepoRoot, loadModel, memberPath, type Model, type Shape } from '../../scripts/codegen.js';
import type { OperationName } from '../../src/protocol/generated/operations.js';

export type BadInputKind =
  | 'missing required member'
  | 'missing all required members'
  | 'string too short'
  | 'string too long'
  | 'pattern mismatch'
  | 'bad enum value'
  | 'number below range'
  | 'number above range'
  | 'list too short'
  | 'list too long'
  | 'map too small'
  | 'map too large'
  | 'blob too short'
  | 'blob too long'
  | 'null list element'
  | 'nested violation'
  | 'wrong JSON type'
  | 'non-integer number'
  | 'invalid base64';

export interface BadInputCase {
  name: string;
  kind: BadInputKind;
  operation: OperationName;
  body: Record<string, unknown>;
  expectedCode: 'ValidationException' | 'SerializationException';
  /** A substring of the error message, e.g. `at 'maxResults' failed to satisfy constraint: Member must …`. */
  expectedMessage: string;
  /** The whole message kendrite produces (the rest of the body is valid, so it is known exactly). */
  exactMessage: string;
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

let cachedModel: Model | undefined;
const model = (): Model => (cachedModel ??= loadModel(findRepoRoot(import.meta.url)));

function shapeOf(name: string): Shape {
  const s = model().shapes[name];
  if (!s) throw new Error(`unknown shape ${name}`);
  return s;
}

function inputShapeName(op: OperationName): string {
  const o = model().operations[op];
  if (!o?.input) throw new Error(`unknown operation or no input: ${op}`);
  return o.input.shape;
}

const regexCache = new Map<string, RegExp>();
function regexOf(pattern: string): RegExp {
  let re = regexCache.get(pattern);
  if (!re) regexCache.set(pattern, (re = compilePattern(pattern)));
  return re;
}

// ---------------------------------------------------------------------------------------------
// Valid values

// Values that satisfy the model's patterns (most need only 'a'); each is checked against the compiled
// pattern before use, so a candidate that does not fit is simply skipped.
const GOOD_STRINGS = [
  'a',
  'abc',
  'en',
  'ABC',
  'a1',
  '10s',
  '2023-01-01',
  'd-0123456789',
  'fs-0123abcd',
  'user@example.com',
  'example.com',
  'example.service-now.com',
  'example.onmicrosoft.com',
  'https://example.com',
  'https://example.atlassian.net/',
  'arn:aws:iam::123456789012:role/kendra',
  'arn:aws:lambda:us-east-1:123456789012:function:hook',
  '01234567-89ab-cdef-0123-456789abcdef',
  "yyyy-MM-dd'T'HH:mm:ss'Z'",
];
// Values likely to break a pattern: punctuation, a control character, a space, a leading dash.
const BAD_STRINGS = ['!', '\u0001', ' ', '-', '#', 'a b', '/'];
const FILLS = ['a', '0', 'A', '-', '_', '.'];

function lengthOk(s: Shape, v: string): boolean {
  return (s.min === undefined || v.length >= s.min) && (s.max === undefined || v.length <= s.max);
}

function patternOk(s: Shape, v: string): boolean {
  return (s.pattern === undefined || regexOf(s.pattern).test(v)) && (s.enum === undefined || s.enum.includes(v));
}

/** Variants of `base` stretched or cut to exactly `len` characters, in a fixed order. */
function* variants(base: string, len: number): Generator<string> {
  if (base.length === len) {
    yield base;
    return;
  }
  if (base.length > len) {
    yield base.slice(0, len);
    yield base.slice(base.length - len);
    return;
  }
  for (const f of FILLS) {
    const pad = f.repeat(len - base.length);
    yield base + pad;
    yield pad + base;
    yield base.slice(0, 1) + pad + base.slice(1);
    yield base.slice(0, -1) + pad + base.slice(-1);
  }
}

/** A string of exactly `len` characters that matches the pattern/enum of `s` if one exists, else null. */
function matchingStringOfLength(s: Shape, len: number): string | null {
  if (len < 0) return null;
  for (const base of [...(s.enum ?? []), ...GOOD_STRINGS]) {
    for (const v of variants(base, len)) if (patternOk(s, v)) return v;
  }
  return null;
}

const validStrings = new Map<string, string>();
function validString(name: string): string {
  const cached = validStrings.get(name);
  if (cached !== undefined) return cached;
  const s = shapeOf(name);
  let found: string | null = null;
  if (s.enum) found = s.enum[0]!;
  for (const c of GOOD_STRINGS) {
    if (found !== null) break;
    if (lengthOk(s, c) && patternOk(s, c)) found = c;
  }
  const lo = Math.max(s.min ?? 1, 1);
  for (let len = lo; found === null && len <= Math.min(s.max ?? lo + 64, lo + 64); len++) found = matchingStringOfLength(s, len);
  if (found === null) throw new Error(`cannot synthesise a valid value for string shape ${name}`);
  validStrings.set(name, found);
  return found;
}

function clampNumber(s: Shape, preferred: number): number {
  let v = preferred;
  if (s.min !== undefined && v < s.min) v = s.min;
  if (s.max !== undefined && v > s.max) v = s.max;
  return v;
}

/** A minimal valid JSON value of shape `name`: required members only, lists at their minimum length. */
export function validValueFor(name: string): Json {
  const s = shapeOf(name);
  if (s.document) return {};
  switch (s.type) {
    case 'string':
      return validString(name);
    case 'integer':
    case 'long':
    case 'float':
    case 'double':
      return clampNumber(s, 1);
    case 'boolean':
      return true;
    case 'timestamp':
      return 1700000000;
    case 'blob':
      return Buffer.alloc(clampNumber(s, 5), 'a').toString('base64');
    case 'structure': {
      const r: { [k: string]: Json } = {};
      for (const m of s.required ?? []) r[m] = validValueFor(s.members![m]!.shape);
      return r;
    }
    case 'list':
      return Array.from({ length: s.min ?? 0 }, () => validValueFor(s.member!.shape));
    case 'map': {
      const r: { [k: string]: Json } = {};
      for (const k of mapKeys(name, s.min ?? 0)) r[k] = validValueFor(s.value!.shape);
      return r;
    }
  }
}

/** `count` distinct valid keys for map shape `name`. */
function mapKeys(name: string, count: number): string[] {
  const s = shapeOf(name);
  const ks = shapeOf(s.key!.shape);
  const keys: string[] = [];
  const first = validString(s.key!.shape);
  for (let i = 0; keys.length < count && i < count * 10 + 10; i++) {
    const cand = i === 0 ? first : first + String(i);
    if (lengthOk(ks, cand) && patternOk(ks, cand) && !keys.includes(cand)) keys.push(cand);
  }
  if (keys.length < count) throw new Error(`cannot synthesise ${count} keys for map ${name}`);
  return keys;
}

/** A minimal input of `op` that satisfies every constraint of the model. */
export function validInputFor(op: OperationName): Record<string, unknown> {
  return validValueFor(inputShapeName(op)) as Record<string, unknown>;
}

// ---------------------------------------------------------------------------------------------
// Slots: places in an input where a value can go, found breadth-first (shallowest first)

interface Step {
  key: string | number; // JSON member name, list index (0-based) or map key
  shape: string; // shape of the value at this step
}

interface Slot {
  steps: Step[];
  path: string; // AWS's path: lowerCamelCase members, 1-based list positions
  shape: string;
  required: boolean; // required member of its structure
  parent: string; // shape of the containing value
}

const MAX_SLOT_DEPTH = 12;

function slotsOf(op: OperationName): Slot[] {
  const slots: Slot[] = [];
  const expanded = new Set<string>();
  const queue: { shape: string; steps: Step[]; path: string }[] = [{ shape: inputShapeName(op), steps: [], path: '' }];
  const join = (p: string, seg: string | number) => (p === '' ? String(seg) : `${p}.${seg}`);
  while (queue.length) {
    const { shape, steps, path } = queue.shift()!;
    // Each shape is expanded once, at its shallowest place: enough for one case per kind.
    if (expanded.has(shape) || steps.length > MAX_SLOT_DEPTH) continue;
    expanded.add(shape);
    const s = shapeOf(shape);
    if (s.document) continue;
    const add = (key: string | number, seg: string | number, child: string, required: boolean) => {
      const slot: Slot = { steps: [...steps, { key, shape: child }], path: join(path, seg), shape: child, required, parent: shape };
      slots.push(slot);
      queue.push({ shape: child, steps: slot.steps, path: slot.path });
    };
    if (s.type === 'structure') {
      const required = new Set(s.required ?? []);
      for (const [m, ref] of Object.entries(s.members ?? {})) add(m, memberPath(m), ref.shape, required.has(m));
    } else if (s.type === 'list') {
      add(0, 1, s.member!.shape, false);
    } else if (s.type === 'map') {
      const k = mapKeys(shape, 1)[0]!;
      add(k, k, s.value!.shape, false);
    }
  }
  return slots;
}

function clone<T>(v: T): T {
  return structuredClone(v);
}

/** A container value for `shape` that is valid and has room for a child at index 0 / the first key. */
function containerFor(shape: string, childKey: string | number): Json {
  const s = shapeOf(shape);
  if (s.type === 'list') {
    return Array.from({ length: Math.max(s.min ?? 0, 1) }, () => validValueFor(s.member!.shape));
  }
  if (s.type === 'map') {
    const r = validValueFor(shape) as { [k: string]: Json };
    if (!(String(childKey) in r)) r[String(childKey)] = validValueFor(s.value!.shape);
    return r;
  }
  return validValueFor(shape);
}

/** The valid input of `op` with the value at `slot` replaced (or deleted when `value` is undefined). */
function bodyWith(op: OperationName, slot: Slot, value: Json | undefined): Record<string, unknown> {
  const body = clone(validInputFor(op)) as { [k: string]: Json };
  let cur: Json = body;
  for (let i = 0; i < slot.steps.length - 1; i++) {
    const step = slot.steps[i]!;
    const next = slot.steps[i + 1]!;
    const holder = cur as { [k: string]: Json } & Json[];
    if (holder[step.key as never] === undefined) holder[step.key as never] = containerFor(step.shape, next.key) as never;
    cur = holder[step.key as never] as Json;
  }
  const last = slot.steps[slot.steps.length - 1]!;
  const holder = cur as { [k: string]: Json } & Json[];
  if (value === undefined) delete holder[last.key as never];
  else holder[last.key as never] = value as never;
  return body;
}

// ---------------------------------------------------------------------------------------------
// Expected messages, written from the model (not from the generated code)

function isScalarShape(name: string): boolean {
  return ['string', 'integer', 'long', 'float', 'double', 'boolean'].includes(shapeOf(name).type);
}

function shown(shape: string, value: Json): string {
  const s = shapeOf(shape);
  if (value === null) return 'Value null';
  if (s.sensitive) return 'Value';
  if (typeof value === 'string' || typeof value === 'number') return `Value '${value}'`;
  if (Array.isArray(value) && s.type === 'list' && isScalarShape(s.member!.shape) && !shapeOf(s.member!.shape).sensitive) {
    return `Value '[${value.join(', ')}]'`;
  }
  return 'Value';
}

/** The constraint phrases `value` breaks on shape `name` itself (not inside it), in kendrite's order. */
function phrasesFor(name: string, value: Json): string[] {
  const s = shapeOf(name);
  const out: string[] = [];
  const len = (n: number, unit: 'length' | 'value') => {
    if (s.min !== undefined && (unit === 'value' || s.min > 0) && n < s.min) out.push(`Member must have ${unit} greater than or equal to ${s.min}`);
    if (s.max !== undefined && n > s.max) out.push(`Member must have ${unit} less than or equal to ${s.max}`);
  };
  if (s.type === 'string' && typeof value === 'string') {
    len(value.length, 'length');
    if (s.pattern !== undefined && !regexOf(s.pattern).test(value)) out.push(`Member must satisfy regular expression pattern: ${s.pattern}`);
    if (s.enum && !s.enum.includes(value)) out.push(`Member must satisfy enum value set: [${s.enum.join(', ')}]`);
  } else if (typeof value === 'number') {
    len(value, 'value');
  } else if (s.type === 'list' && Array.isArray(value)) {
    len(value.length, 'length');
  } else if (s.type === 'map' && value !== null && typeof value === 'object') {
    len(Object.keys(value).length, 'length');
  } else if (s.type === 'blob' && typeof value === 'string') {
    len(Buffer.from(value, 'base64').length, 'length');
  }
  return out;
}

function violation(shape: string, value: Json, path: string, phrase: string): string {
  return `${shown(shape, value)} at '${path}' failed to satisfy constraint: ${phrase}`;
}

function validationMessage(violations: string[]): string {
  const n = violations.length;
  return `${n} validation error${n === 1 ? '' : 's'} detected: ${violations.join('; ')}`;
}

// ---------------------------------------------------------------------------------------------
// Cases

interface Breakage {
  kind: BadInputKind;
  value: Json;
}

/** The ways a value of shape `name` can break one of its own constraints. */
function constraintBreakages(name: string): Breakage[] {
  const s = shapeOf(name);
  const out: Breakage[] = [];
  if (s.document) return out;
  switch (s.type) {
    case 'string': {
      if (s.min !== undefined && s.min > 0) {
        out.push({ kind: 'string too short', value: matchingStringOfLength(s, s.min - 1) ?? 'a'.repeat(s.min - 1) });
      }
      if (s.max !== undefined) {
        out.push({ kind: 'string too long', value: matchingStringOfLength(s, s.max + 1) ?? 'a'.repeat(s.max + 1) });
      }
      if (s.pattern !== undefined) {
        const len = Math.max(s.min ?? 1, 1);
        search: for (const base of BAD_STRINGS) {
          for (const v of variants(base, Math.max(len, base.length))) {
            if (lengthOk(s, v) && !regexOf(s.pattern).test(v)) {
              out.push({ kind: 'pattern mismatch', value: v });
              break search;
            }
          }
        }
      }
      if (s.enum) out.push({ kind: 'bad enum value', value: 'NOT_A_VALID_VALUE' });
      break;
    }
    case 'integer':
    case 'long':
    case 'float':
    case 'double': {
      const lo = s.type === 'integer' ? -2147483648 : s.type === 'long' ? Number.MIN_SAFE_INTEGER : -Number.MAX_VALUE;
      const hi = s.type === 'integer' ? 2147483647 : s.type === 'long' ? Number.MAX_SAFE_INTEGER : Number.MAX_VALUE;
      if (s.min !== undefined && s.min - 1 >= lo) out.push({ kind: 'number below range', value: s.min - 1 });
      if (s.max !== undefined && s.max + 1 <= hi) out.push({ kind: 'number above range', value: s.max + 1 });
      break;
    }
    case 'list': {
      const el = () => validValueFor(s.member!.shape);
      if (s.min !== undefined && s.min > 0) out.push({ kind: 'list too short', value: Array.from({ length: s.min - 1 }, el) });
      if (s.max !== undefined) out.push({ kind: 'list too long', value: Array.from({ length: s.max + 1 }, el) });
      break;
    }
    case 'map': {
      const entries = (n: number) => Object.fromEntries(mapKeys(name, n).map((k) => [k, validValueFor(s.value!.shape)]));
      if (s.min !== undefined && s.min > 0) out.push({ kind: 'map too small', value: entries(s.min - 1) });
      if (s.max !== undefined) out.push({ kind: 'map too large', value: entries(s.max + 1) });
      break;
    }
    case 'blob': {
      if (s.min !== undefined && s.min > 0) out.push({ kind: 'blob too short', value: Buffer.alloc(s.min - 1, 'a').toString('base64') });
      if (s.max !== undefined) out.push({ kind: 'blob too long', value: Buffer.alloc(s.max + 1, 'a').toString('base64') });
      break;
    }
    default:
      break;
  }
  return out;
}

const EXPECTED_TYPE: Record<string, string> = {
  string: 'a string',
  integer: 'an integer',
  long: 'an integer',
  float: 'a number',
  double: 'a number',
  boolean: 'a boolean',
  timestamp: 'a timestamp (epoch seconds as a JSON number)',
  blob: 'a base64-encoded string',
  structure: 'an object',
  map: 'an object',
  list: 'an array',
};

/** A value of the wrong JSON type for `name`, and how kendrite names what it got. */
function wrongTypeValue(name: string): { value: Json; got: string } | null {
  const s = shapeOf(name);
  if (s.document) return null;
  switch (s.type) {
    case 'string':
      return { value: 12345, got: 'number 12345' };
    case 'integer':
    case 'long':
    case 'float':
    case 'double':
      return { value: '1', got: 'string' };
    case 'boolean':
      return { value: 'true', got: 'string' };
    case 'timestamp':
      return { value: '2024-01-01T00:00:00Z', got: 'string' };
    case 'blob':
      return { value: 12, got: 'number 12' };
    case 'structure':
    case 'map':
      return { value: [], got: 'array' };
    case 'list':
      return { value: {}, got: 'object' };
  }
}

export interface BadInputOptions {
  /**
   * false (default): one case per kind, at the shallowest place it occurs (what an HTTP test sends).
   * true: every constraint and JSON type of every shape reachable from the input, once per shape.
   */
  exhaustive?: boolean;
}

/** Bad inputs of `op`: one per constraint kind (and JSON type) present on its input, by default. */
export function badInputCases(op: OperationName, options: BadInputOptions = {}): BadInputCase[] {
  const exhaustive = options.exhaustive ?? false;
  const cases: BadInputCase[] = [];
  const slots = slotsOf(op);

  const validation = (kind: BadInputKind, slot: Slot, value: Json | undefined, violations: string[], what: string) => {
    cases.push({
      name: `${op}: ${kind} at '${slot.path}'${what ? ` (${what})` : ''}`,
      kind,
      operation: op,
      body: bodyWith(op, slot, value),
      expectedCode: 'ValidationException',
      expectedMessage: violations[0]!.slice(violations[0]!.indexOf(` at '`) + 1),
      exactMessage: validationMessage(violations),
    });
  };
  const serialization = (kind: BadInputKind, slot: Slot, value: Json, message: string) => {
    cases.push({
      name: `${op}: ${kind} at '${slot.path}'`,
      kind,
      operation: op,
      body: bodyWith(op, slot, value),
      expectedCode: 'SerializationException',
      expectedMessage: message.slice(message.indexOf(' at ') + 1),
      exactMessage: message,
    });
  };
  const missingViolation = (slot: Slot) => violation(slot.shape, null, slot.path, 'Member must not be null');

  // Every required top-level member, one at a time, then all of them at once (in member order).
  const topRequired = slots.filter((s) => s.steps.length === 1 && s.required);
  for (const slot of topRequired) validation('missing required member', slot, undefined, [missingViolation(slot)], '');
  if (topRequired.length > 1) {
    cases.push({
      name: `${op}: missing all required members`,
      kind: 'missing all required members',
      operation: op,
      body: {},
      expectedCode: 'ValidationException',
      expectedMessage: missingViolation(topRequired[0]!).slice('Value null '.length),
      exactMessage: validationMessage(topRequired.map(missingViolation)),
    });
  }

  // Each constraint kind at the shallowest place it occurs (exhaustive: on every shape).
  const seenKinds = new Set<string>();
  for (const slot of slots) {
    for (const b of constraintBreakages(slot.shape)) {
      const key = exhaustive ? `${slot.shape} ${b.kind}` : b.kind;
      if (seenKinds.has(key)) continue;
      seenKinds.add(key);
      const violations = phrasesFor(slot.shape, b.value).map((p) => violation(slot.shape, b.value, slot.path, p));
      validation(b.kind, slot, b.value, violations, '');
    }
  }

  // A null element in the first list.
  const listSlot = slots.find((s) => shapeOf(s.shape).type === 'list' && !shapeOf(s.shape).document);
  if (listSlot) {
    const ls = shapeOf(listSlot.shape);
    const arr: Json[] = Array.from({ length: Math.max(ls.min ?? 0, 1) }, () => validValueFor(ls.member!.shape));
    arr[0] = null;
    validation('null list element', listSlot, arr, [violation(ls.member!.shape, null, `${listSlot.path}.1`, 'Member must not be null')], '');
  }

  if (exhaustive) {
    for (const slot of slots) {
      if (slot.steps.length >= 2 && slot.required) validation('missing required member', slot, undefined, [missingViolation(slot)], '');
    }
  }

  // A violation below the top level: a missing nested required member, else a broken nested constraint.
  const nested = slots.filter((s) => s.steps.length >= 2);
  const nestedMissing = nested.find((s) => s.required);
  if (nestedMissing) {
    validation('nested violation', nestedMissing, undefined, [missingViolation(nestedMissing)], 'missing required member');
  } else {
    for (const slot of nested) {
      const b = constraintBreakages(slot.shape)[0];
      if (!b) continue;
      const violations = phrasesFor(slot.shape, b.value).map((p) => violation(slot.shape, b.value, slot.path, p));
      validation('nested violation', slot, b.value, violations, b.kind);
      break;
    }
  }

  // Wrong JSON type, once per kind of shape.
  const seenTypes = new Set<string>();
  for (const slot of slots) {
    const s = shapeOf(slot.shape);
    const t = exhaustive ? slot.shape : s.document ? 'document' : s.type;
    if (seenTypes.has(t)) continue;
    const wrong = wrongTypeValue(slot.shape);
    if (!wrong) continue;
    seenTypes.add(t);
    serialization('wrong JSON type', slot, wrong.value, `Invalid type at '${slot.path}': expected ${EXPECTED_TYPE[s.type]}, got ${wrong.got}`);
    if (s.type === 'integer' || s.type === 'long') {
      serialization('non-integer number', slot, 1.5, `Invalid type at '${slot.path}': expected an integer, got number 1.5`);
    }
    if (s.type === 'blob') {
      serialization('invalid base64', slot, 'not base64!', `Invalid base64 at '${slot.path}': expected a base64-encoded string`);
    }
  }
  return cases;
}
