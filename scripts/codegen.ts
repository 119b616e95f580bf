/**
 * Generates src/protocol/generated/{shapes,operations,validators}.ts from the vendored Kendra service
 * model. Run with `npm run codegen`. The output is committed and deterministic: the same model gives
 * byte-identical files, so a rerun that changes anything shows up in review.
 *
 * This script must not import generated files (they may not exist yet, or be stale).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

// ---------------------------------------------------------------------------------------------
// Model types (botocore service-2 format, the parts we use)

export interface MemberRef {
  shape: string;
  idempotencyToken?: boolean;
  deprecated?: boolean;
  deprecatedMessage?: string;
}

export interface Shape {
  type: 'structure' | 'list' | 'map' | 'string' | 'integer' | 'long' | 'float' | 'double' | 'boolean' | 'timestamp' | 'blob';
  members?: Record<string, MemberRef>;
  required?: string[];
  member?: MemberRef;
  key?: MemberRef;
  value?: MemberRef;
  min?: number;
  max?: number;
  pattern?: string;
  enum?: string[];
  sensitive?: boolean;
  document?: boolean;
  exception?: boolean;
  fault?: boolean;
}

export interface Operation {
  name: string;
  input?: MemberRef;
  output?: MemberRef;
  errors?: MemberRef[];
}

export interface Model {
  metadata: { apiVersion: string; targetPrefix: string };
  operations: Record<string, Operation>;
  shapes: Record<string, Shape>;
}

export const MODEL_FILE = 'model/kendra-2019-02-03.json';

/** Finds the repo root from a file inside it (works from src and from dist). */
export function findRepoRoot(fromUrl: string): string {
  let dir = dirname(fileURLToPath(fromUrl));
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, MODEL_FILE))) return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error(`cannot find the repo root (with ${MODEL_FILE}) above ${fromUrl}`);
    dir = up;
  }
}

export function loadModel(root: string): Model {
  return JSON.parse(readFileSync(join(root, MODEL_FILE), 'utf8')) as Model;
}

// ---------------------------------------------------------------------------------------------
// Java regex → JavaScript regex

// Java's \s is ASCII-only ([ \t\n\x0B\f\r]); JS's \s also matches Unicode spaces, so spell it out.
const WS_CLASS_BODY = '\\t-\\r ';
const NON_WS_CLASS_BODY = '\\0-\\x08\\x0E-\\x1F\\x21-\\u{10FFFF}';
// Java's `.` (without DOTALL) excludes these line terminators; JS's `.` does not exclude \u0085.
const JAVA_DOT = '[^\\n\\r\\u0085\\u2028\\u2029]';
const SYNTAX_CHARS = '^$\\.*+?()[]{}|/';

/**
 * Translates a model `pattern` (Java regex syntax, matched against the whole value) into the source
 * of an equivalent JS regex for the `u` flag, anchored: `^(?:…)$`. Throws on Java syntax it does not
 * know, so a new model cannot silently change meaning.
 */
export function translatePattern(javaPattern: string): string {
  let src = javaPattern;
  // Kendra's LambdaArn pattern is written as a JS regex literal, `/arn:aws…/`. Taken literally it
  // would reject every real Lambda ARN (which never start with '/'), so the slashes are delimiters.
  if (src.length > 2 && src.startsWith('/') && src.endsWith('/') && !src.endsWith('\\/')) src = src.slice(1, -1);
  let out = '';
  let inClass = false;
  for (let i = 0; i < src.length; i++) {
    const c = src[i]!;
    if (c === '\\') {
      const d = src[i + 1];
      if (d === undefined) throw new Error(`pattern ends with a backslash: ${javaPattern}`);
      i++;
      if (d === 's') out += inClass ? WS_CLASS_BODY : `[${WS_CLASS_BODY}]`;
      else if (d === 'S') out += inClass ? NON_WS_CLASS_BODY : `[^${WS_CLASS_BODY}]`;
      else if (d === 'd' || d === 'D' || d === 'w' || d === 'W') out += '\\' + d; // ASCII in both
      else if (d === 'p' || d === 'P') {
        // Only general categories (\p{L}, \p{C}, \pL) mean the same in both; Java's POSIX and
        // script forms (\p{Alpha}, \p{IsLatin}) differ and are refused.
        let name: string;
        if (src[i + 1] === '{') {
          const close = src.indexOf('}', i + 2);
          if (close < 0) throw new Error(`unterminated \\${d}{ in ${javaPattern}`);
          name = src.slice(i + 2, close);
          i = close;
        } else {
          name = src[i + 1] ?? '';
          i++;
        }
        if (!/^(?:[LMNPSZC][a-z]?)$/.test(name)) throw new Error(`unsupported \\${d}{${name}} in ${javaPattern}`);
        out += `\\${d}{${name}}`;
      } else if (d === 't' || d === 'n' || d === 'r' || d === 'f') out += '\\' + d;
      else if (d === '-') out += inClass ? '\\-' : '-';
      else if (SYNTAX_CHARS.includes(d)) out += '\\' + d;
      else if (/[A-Za-z0-9]/.test(d)) throw new Error(`unsupported escape \\${d} in ${javaPattern}`);
      else out += d; // Java allows escaping any punctuation; the u flag does not
      continue;
    }
    if (inClass) {
      if (c === '[' || (c === '&' && src[i + 1] === '&')) throw new Error(`nested class or intersection in ${javaPattern}`);
      if (c === ']') inClass = false;
      out += c;
      continue;
    }
    if (c === '[') {
      inClass = true;
      out += c;
      if (src[i + 1] === '^') out += src[++i];
      if (src[i + 1] === ']') throw new Error(`class starting with ']' in ${javaPattern}`);
      continue;
    }
    if (c === '.') {
      out += JAVA_DOT;
      continue;
    }
    if (c === '(' && src[i + 1] === '?') {
      const rest = src.slice(i + 2, i + 4);
      if (!(rest.startsWith(':') || rest.startsWith('=') || rest.startsWith('!') || rest === '<=' || rest === '<!')) {
        throw new Error(`unsupported group (?${rest}… in ${javaPattern}`);
      }
    }
    if ((c === '*' || c === '+' || c === '?' || c === '}') && src[i + 1] === '+') {
      throw new Error(`possessive quantifier in ${javaPattern}`);
    }
    out += c;
  }
  if (inClass) throw new Error(`unterminated class in ${javaPattern}`);
  return `^(?:${out})$`;
}

export function compilePattern(javaPattern: string): RegExp {
  return new RegExp(translatePattern(javaPattern), 'u');
}

// ---------------------------------------------------------------------------------------------
// Names

/** AWS reports paths in the member names of its internal model: lowerCamelCase (`S3Path` → `s3Path`, `URL` → `url`). */
export function memberPath(name: string): string {
  const m = /^[A-Z]+/.exec(name);
  if (!m) return name;
  let run = m[0].length;
  // Keep the capital that starts the next word: `URLPath` → `urlPath`.
  if (run > 1 && run < name.length && /[a-z]/.test(name[run]!)) run--;
  return name.slice(0, run).toLowerCase() + name.slice(run);
}

// Globals of TypeScript's ES, DOM and Node libraries (and utility types) a shape name could shadow.
const TS_GLOBALS = new Set(
  (
    'AbortController AbortSignal AggregateError Array ArrayBuffer ArrayLike AsyncGenerator AsyncIterable ' +
    'AsyncIterator Atomics Attr Audio Awaited BigInt BigInt64Array BigUint64Array Blob BroadcastChannel Boolean ' +
    'Buffer Capitalize Comment ConstructorParameters Credential Crypto CryptoKey DataView Date Document ' +
    'DOMException Element Error EvalError Event EventTarget Exclude Extract File FinalizationRegistry ' +
    'Float32Array Float64Array FormData Function Generator Headers Highlight History Image InstanceType ' +
    'Int16Array Int32Array Int8Array Intl Iterable IterableIterator Iterator JSON Location Lock Lowercase Map ' +
    'Math MessageChannel MessagePort MimeType Navigator NoInfer Node NodeJS NonNullable Notification Number ' +
    'Object Omit OmitThisParameter Option Parameters Partial Performance Permissions Pick Plugin Promise ' +
    'PromiseLike PropertyDescriptor PropertyKey Proxy Range RangeError Readonly ReadonlyArray ReadonlyMap ' +
    'ReadonlySet ReadableStream Record ReferenceError Reflect RegExp Report Request Required Response ' +
    'ReturnType Screen Selection Set SharedArrayBuffer Storage String Symbol SyntaxError TemplateStringsArray ' +
    'Text TextDecoder TextEncoder ThisParameterType ThisType TransformStream TypeError URIError URL ' +
    'URLSearchParams Uint16Array Uint32Array Uint8Array Uint8ClampedArray Uncapitalize Uppercase WeakMap ' +
    'WeakRef WeakSet WebSocket Window Worker WritableStream'
  ).split(' '),
);

export function typeName(shapeName: string): string {
  return TS_GLOBALS.has(shapeName) ? `Kendra${shapeName}` : shapeName;
}

/** A single-quoted TS string literal. */
function lit(s: string): string {
  return "'" + JSON.stringify(s).slice(1, -1).replace(/\\"/g, '"').replace(/'/g, "\\'") + "'";
}

const HEADER = '// Generated by scripts/codegen.ts from model/kendra-2019-02-03.json. Do not edit; run `npm run codegen`.';

// ---------------------------------------------------------------------------------------------
// shapes.ts

function tsType(model: Model, shapeName: string): string {
  const shape = model.shapes[shapeName];
  if (!shape) throw new Error(`unknown shape ${shapeName}`);
  return typeName(shapeName);
}

function genShapes(model: Model): string {
  const out: string[] = [HEADER, '', '/* Types of every shape of the Kendra service model, under the model\'s names. */', ''];
  for (const [name, shape] of Object.entries(model.shapes)) {
    const tn = typeName(name);
    switch (shape.type) {
      case 'structure': {
        if (shape.document) {
          out.push(`/** Document type: any JSON value. */`, `export type ${tn} = unknown;`, '');
          break;
        }
        const members = Object.entries(shape.members ?? {});
        if (members.length === 0) {
          out.push(`export type ${tn} = Record<string, never>;`, '');
          break;
        }
        const required = new Set(shape.required ?? []);
        out.push(`export interface ${tn} {`);
        for (const [m, ref] of members) {
          if (ref.deprecated) out.push(`  /** @deprecated${ref.deprecatedMessage ? ' ' + ref.deprecatedMessage : ''} */`);
          out.push(`  ${m}${required.has(m) ? '' : '?'}: ${tsType(model, ref.shape)};`);
        }
        out.push('}', '');
        break;
      }
      case 'list':
        out.push(`export type ${tn} = ${tsType(model, shape.member!.shape)}[];`, '');
        break;
      case 'map':
        out.push(`export type ${tn} = Record<string, ${tsType(model, shape.value!.shape)}>;`, '');
        break;
      case 'string':
        out.push(`export type ${tn} = ${shape.enum ? shape.enum.map(lit).join(' | ') : 'string'};`, '');
        break;
      case 'integer':
      case 'long':
      case 'float':
      case 'double':
        out.push(`export type ${tn} = number;`, '');
        break;
      case 'boolean':
        out.push(`export type ${tn} = boolean;`, '');
        break;
      case 'timestamp':
        out.push(`export type ${tn} = Date;`, '');
        break;
      case 'blob':
        out.push(`export type ${tn} = Uint8Array;`, '');
        break;
      default:
        throw new Error(`shape ${name}: unsupported type ${(shape as Shape).type}`);
    }
  }
  return out.join('\n');
}

// ---------------------------------------------------------------------------------------------
// operations.ts

function genOperations(model: Model): string {
  const ops = Object.values(model.operations);
  const out: string[] = [HEADER, '', "import type { KendraErrorCode } from '../errors.js';", "import type * as S from './shapes.js';", ''];
  out.push(`export const API_VERSION = ${lit(model.metadata.apiVersion)};`);
  out.push(`export const TARGET_PREFIX = ${lit(model.metadata.targetPrefix)};`, '');
  out.push('export const OPERATION_NAMES = [');
  for (const op of ops) out.push(`  ${lit(op.name)},`);
  out.push('] as const;', '');
  out.push('export type OperationName = (typeof OPERATION_NAMES)[number];', '');
  out.push('const OPERATION_NAME_SET: ReadonlySet<string> = new Set(OPERATION_NAMES);', '');
  out.push('export function isOperationName(name: string): name is OperationName {', '  return OPERATION_NAME_SET.has(name);', '}', '');
  const io = (kind: 'input' | 'output') => {
    out.push(`export interface Operation${kind === 'input' ? 'Inputs' : 'Outputs'} {`);
    for (const op of ops) {
      const ref = op[kind];
      out.push(`  ${op.name}: ${ref ? `S.${typeName(ref.shape)}` : 'Record<string, never>'};`);
    }
    out.push('}', '');
  };
  io('input');
  io('output');
  out.push('/** The model\'s shape names of each operation\'s input and output (null: the operation has none). */');
  out.push('export const OPERATION_SHAPES: { readonly [Op in OperationName]: { readonly input: string | null; readonly output: string | null } } = {');
  for (const op of ops) {
    out.push(`  ${op.name}: { input: ${op.input ? lit(op.input.shape) : 'null'}, output: ${op.output ? lit(op.output.shape) : 'null'} },`);
  }
  out.push('};', '');
  out.push('/** The error codes the model lists for each operation, in model order. */');
  out.push('export const OPERATION_ERRORS: { readonly [Op in OperationName]: readonly KendraErrorCode[] } = {');
  for (const op of ops) {
    out.push(`  ${op.name}: [${(op.errors ?? []).map((e) => lit(e.shape)).join(', ')}],`);
  }
  out.push('};', '');
  return out.join('\n');
}

// ---------------------------------------------------------------------------------------------
// validators.ts

/** Deepest path (in segments) a recursive shape may reach before the request is refused. */
const MAX_DEPTH = 200;

const PRELUDE = `import { Buffer } from 'node:buffer';
import { KendraError } from '../errors.js';
import type { OperationInputs, OperationName } from './operations.js';
import type * as S from './shapes.js';

// Parsing is synchronous and never re-entered, so one module-level cursor serves every call. The
// path is a stack of segments (member names, 1-based list positions, map keys), joined into a string
// only when an error is reported; violations are collected lazily (E stays null on the happy path).
const P: (string | number)[] = [];
let D = 0;
let E: string[] | null = null;

function at(): string {
  let s = '';
  for (let i = 0; i < D; i++) s += i === 0 ? String(P[i]) : '.' + P[i];
  return s;
}

function got(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return 'number ' + v;
  return typeof v;
}

// Wrong JSON type: AWS's front end fails deserialization before any constraint is checked.
function typeError(v: unknown, expected: string): never {
  E = null;
  throw new KendraError('SerializationException', "Invalid type at '" + at() + "': expected " + expected + ', got ' + got(v));
}

function tooDeep(): never {
  E = null;
  throw new KendraError('SerializationException', "Invalid request at '" + at() + "': nesting deeper than ${MAX_DEPTH} levels");
}

function fail(shown: string, phrase: string): void {
  (E ??= []).push(shown + " at '" + at() + "' failed to satisfy constraint: " + phrase);
}

function missing(): void {
  fail('Value null', 'Member must not be null');
}

function bad(v: string | number, phrase: string): void {
  fail("Value '" + v + "'", phrase);
}

function badList(v: unknown[], phrase: string): void {
  fail("Value '[" + v.join(', ') + "]'", phrase);
}

// Structures, blobs and sensitive values are not echoed back.
function badHidden(phrase: string): void {
  fail('Value', phrase);
}

function badKey(k: string | null, phrases: string[]): void {
  fail(k === null ? 'Value' : "Value '" + k + "'", 'Map keys must satisfy constraint: [' + phrases.join(', ') + ']');
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

// A JSON object key may be "__proto__"; plain assignment would set the prototype instead.
function put(r: Record<string, unknown>, k: string, x: unknown): void {
  if (k === '__proto__') Object.defineProperty(r, k, { value: x, enumerable: true, writable: true, configurable: true });
  else r[k] = x;
}

// Blobs can be tens of MiB, so validity is checked without a regex pass: Node's decoder skips
// characters outside the alphabet, so a malformed string decodes to fewer bytes than its length
// implies. It also accepts the URL-safe alphabet ('-', '_'), which standard base64 does not.
function base64(v: string): Buffer {
  const n = v.length;
  const pad = v.charCodeAt(n - 1) === 61 ? (v.charCodeAt(n - 2) === 61 ? 2 : 1) : 0;
  if (n % 4 !== 1 && (pad === 0 || n % 4 === 0) && v.indexOf('-') === -1 && v.indexOf('_') === -1) {
    const b = Buffer.from(v, 'base64');
    if (b.length === Math.floor(((n - pad) * 3) / 4)) return b;
  }
  E = null;
  throw new KendraError('SerializationException', "Invalid base64 at '" + at() + "': expected a base64-encoded string");
}

function timestamp(v: unknown): Date {
  // Epoch seconds (P-7); 8.64e12 s is the end of JS Date's range.
  if (typeof v !== 'number' || !(Math.abs(v) <= 8.64e12)) typeError(v, 'a timestamp (epoch seconds as a JSON number)');
  return new Date(Math.round(v * 1000));
}
`;

interface Emitter {
  model: Model;
  out: string[];
  regexes: Map<string, { name: string; pattern: string }>; // by translated source
  enums: Map<string, string>; // shape name → const name
  recursive: Set<string>;
}

function reachableFromInputs(model: Model): string[] {
  const seen = new Set<string>();
  const visit = (n: string) => {
    if (seen.has(n)) return;
    seen.add(n);
    const s = model.shapes[n]!;
    if (s.document) return;
    for (const ref of Object.values(s.members ?? {})) visit(ref.shape);
    if (s.member) visit(s.member.shape);
    // Map keys are checked inline by the map's parser, so key shapes need no function of their own.
    if (s.value) visit(s.value.shape);
  };
  for (const op of Object.values(model.operations)) if (op.input) visit(op.input.shape);
  // Model order, so output order does not depend on traversal details.
  return Object.keys(model.shapes).filter((n) => seen.has(n));
}

/** Shapes that can contain themselves (these get a nesting-depth guard). */
function recursiveShapes(model: Model, names: string[]): Set<string> {
  const children = (n: string): string[] => {
    const s = model.shapes[n]!;
    if (s.document) return [];
    return [...Object.values(s.members ?? {}).map((r) => r.shape), ...(s.member ? [s.member.shape] : []), ...(s.value ? [s.value.shape] : [])];
  };
  const result = new Set<string>();
  for (const start of names) {
    const stack = [...children(start)];
    const seen = new Set<string>();
    while (stack.length) {
      const n = stack.pop()!;
      if (n === start) {
        result.add(start);
        break;
      }
      if (seen.has(n)) continue;
      seen.add(n);
      stack.push(...children(n));
    }
  }
  return result;
}

/** True when parsing returns the JSON value itself (no conversion, no copy needed). */
function isIdentity(model: Model, name: string): boolean {
  const s = model.shapes[name]!;
  if (s.document) return true;
  switch (s.type) {
    case 'string':
    case 'integer':
    case 'long':
    case 'float':
    case 'double':
    case 'boolean':
      return true;
    case 'list':
      return isIdentity(model, s.member!.shape);
    case 'map':
      return isIdentity(model, s.value!.shape);
    default:
      return false;
  }
}

function isScalar(model: Model, name: string): boolean {
  const t = model.shapes[name]!.type;
  return t === 'string' || t === 'integer' || t === 'long' || t === 'float' || t === 'double' || t === 'boolean';
}

const fn = (name: string) => `v_${name}`;

function lengthPhrases(s: Shape): { min?: string; max?: string } {
  return {
    ...(s.min !== undefined && s.min > 0 ? { min: `Member must have length greater than or equal to ${s.min}` } : {}),
    ...(s.max !== undefined ? { max: `Member must have length less than or equal to ${s.max}` } : {}),
  };
}

function regexFor(em: Emitter, shapeName: string, pattern: string): string {
  const source = compilePattern(pattern).source; // compiles it: a pattern JS rejects fails codegen
  let entry = em.regexes.get(source);
  if (!entry) {
    entry = { name: `RE_${shapeName}`, pattern };
    em.regexes.set(source, entry);
  }
  return entry.name;
}

function enumFor(em: Emitter, shapeName: string): string {
  let name = em.enums.get(shapeName);
  if (!name) {
    name = `EN_${shapeName}`;
    em.enums.set(shapeName, name);
  }
  return name;
}

/** Lines checking string constraints of `s` on variable `v`, reporting with `report(phrase)`. */
function stringChecks(em: Emitter, shapeName: string, s: Shape, v: string, report: (phrase: string) => string): string[] {
  const lines: string[] = [];
  const { min, max } = lengthPhrases(s);
  if (min) lines.push(`if (${v}.length < ${s.min}) ${report(min)};`);
  if (max) lines.push(`if (${v}.length > ${s.max}) ${report(max)};`);
  if (s.pattern !== undefined) {
    lines.push(`if (!${regexFor(em, shapeName, s.pattern)}.test(${v})) ${report(`Member must satisfy regular expression pattern: ${s.pattern}`)};`);
  }
  if (s.enum) lines.push(`if (!${enumFor(em, shapeName)}.has(${v})) ${report(`Member must satisfy enum value set: [${s.enum.join(', ')}]`)};`);
  return lines;
}

function genShapeValidator(em: Emitter, name: string): void {
  const { model, out } = em;
  const s = model.shapes[name]!;
  const T = `S.${typeName(name)}`;
  const body: string[] = [];
  const hidden = s.sensitive === true;
  const report = (phrase: string) => (hidden ? `badHidden(${lit(phrase)})` : `bad(v, ${lit(phrase)})`);

  if (s.document) {
    body.push('return v;');
  } else {
    switch (s.type) {
      case 'string':
        body.push("if (typeof v !== 'string') typeError(v, 'a string');");
        body.push(...stringChecks(em, name, s, 'v', report));
        body.push(s.enum ? `return v as ${T};` : 'return v;');
        break;
      case 'integer':
      case 'long':
      case 'float':
      case 'double': {
        if (s.type === 'integer') {
          body.push("if (typeof v !== 'number' || !Number.isInteger(v) || v < -2147483648 || v > 2147483647) typeError(v, 'an integer');");
        } else if (s.type === 'long') {
          body.push("if (typeof v !== 'number' || !Number.isSafeInteger(v)) typeError(v, 'an integer');");
        } else {
          body.push("if (typeof v !== 'number' || !Number.isFinite(v)) typeError(v, 'a number');");
        }
        if (s.min !== undefined) body.push(`if (v < ${s.min}) ${report(`Member must have value greater than or equal to ${s.min}`)};`);
        if (s.max !== undefined) body.push(`if (v > ${s.max}) ${report(`Member must have value less than or equal to ${s.max}`)};`);
        body.push('return v;');
        break;
      }
      case 'boolean':
        body.push("if (typeof v !== 'boolean') typeError(v, 'a boolean');", 'return v;');
        break;
      case 'timestamp':
        body.push('return timestamp(v);');
        break;
      case 'blob': {
        body.push("if (typeof v !== 'string') typeError(v, 'a base64-encoded string');");
        body.push('const b = base64(v);');
        const { min, max } = lengthPhrases(s);
        if (min) body.push(`if (b.length < ${s.min}) badHidden(${lit(min)});`);
        if (max) body.push(`if (b.length > ${s.max}) badHidden(${lit(max)});`);
        body.push('return b;');
        break;
      }
      case 'list': {
        const m = s.member!.shape;
        const showList = isScalar(model, m) && !hidden && !model.shapes[m]!.sensitive;
        const rep = (phrase: string) => (showList ? `badList(v, ${lit(phrase)})` : `badHidden(${lit(phrase)})`);
        body.push("if (!Array.isArray(v)) typeError(v, 'an array');");
        body.push('const n = v.length;');
        const { min, max } = lengthPhrases(s);
        if (min) body.push(`if (n < ${s.min}) ${rep(min)};`);
        if (max) body.push(`if (n > ${s.max}) ${rep(max)};`);
        if (em.recursive.has(name)) body.push(`if (D > ${MAX_DEPTH}) tooDeep();`);
        if (isIdentity(model, m)) {
          // Elements are returned as they are: check them, keep the array.
          body.push('for (let i = 0; i < n; i++) {', '  const x: unknown = v[i];', '  P[D++] = i + 1;', `  if (x == null) missing(); else ${fn(m)}(x);`, '  D--;', '}', `return v as ${T};`);
        } else {
          body.push(`const r: ${T} = new Array(n);`, 'for (let i = 0; i < n; i++) {', '  const x: unknown = v[i];', '  P[D++] = i + 1;', `  if (x == null) missing(); else r[i] = ${fn(m)}(x);`, '  D--;', '}', 'return r;');
        }
        break;
      }
      case 'map': {
        const k = s.key!.shape;
        const val = s.value!.shape;
        const ks = model.shapes[k]!;
        if (ks.type !== 'string') throw new Error(`map ${name}: key shape ${k} is not a string`);
        const identity = isIdentity(model, val);
        body.push("if (!isObject(v)) typeError(v, 'an object');");
        const { min, max } = lengthPhrases(s);
        if (min || max) {
          body.push('let n = 0;', 'for (const k in v) n++;');
          if (min) body.push(`if (n < ${s.min}) badHidden(${lit(min)});`);
          if (max) body.push(`if (n > ${s.max}) badHidden(${lit(max)});`);
        }
        if (em.recursive.has(name)) body.push(`if (D > ${MAX_DEPTH}) tooDeep();`);
        if (!identity) body.push(`const r = {} as ${T};`);
        body.push('for (const k in v) {');
        const keyChecks = stringChecks(em, k, ks, 'k', (phrase) => `(kp ??= []).push(${lit(phrase)})`);
        if (keyChecks.length) {
          body.push('  let kp: string[] | null = null;', ...keyChecks.map((l) => '  ' + l), `  if (kp !== null) badKey(${ks.sensitive ? 'null' : 'k'}, kp);`);
        }
        body.push('  const x = v[k];', '  P[D++] = k;');
        body.push(identity ? `  if (x == null) missing(); else ${fn(val)}(x);` : `  if (x == null) missing(); else put(r, k, ${fn(val)}(x));`);
        body.push('  D--;', '}', identity ? `return v as ${T};` : 'return r;');
        break;
      }
      case 'structure': {
        body.push("if (!isObject(v)) typeError(v, 'an object');");
        const members = Object.entries(s.members ?? {});
        if (members.length === 0) {
          body.push(`return {} as ${T};`);
          break;
        }
        if (em.recursive.has(name)) body.push(`if (D > ${MAX_DEPTH}) tooDeep();`);
        body.push(`const r = {} as ${T};`, 'let x: unknown;');
        const required = new Set(s.required ?? []);
        for (const [m, ref] of members) {
          if (m in Object.prototype) throw new Error(`member ${name}.${m} shadows an Object.prototype property`);
          const p = lit(memberPath(m));
          if (required.has(m)) {
            body.push(`x = v.${m}; P[D++] = ${p}; if (x == null) missing(); else r.${m} = ${fn(ref.shape)}(x); D--;`);
          } else {
            body.push(`x = v.${m}; if (x != null) { P[D++] = ${p}; r.${m} = ${fn(ref.shape)}(x); D--; }`);
          }
        }
        body.push('return r;');
        break;
      }
      default:
        throw new Error(`shape ${name}: unsupported type ${s.type}`);
    }
  }
  out.push(`function ${fn(name)}(v: unknown): ${T} {`, ...body.map((l) => '  ' + l), '}', '');
}

function genValidators(model: Model): string {
  const names = reachableFromInputs(model);
  const em: Emitter = { model, out: [], regexes: new Map(), enums: new Map(), recursive: recursiveShapes(model, names) };
  for (const n of names) genShapeValidator(em, n);

  const out: string[] = [HEADER, '', PRELUDE];
  out.push('// Model patterns, translated from Java syntax and anchored (scripts/codegen.ts translatePattern).');
  for (const [source, { name, pattern }] of em.regexes) out.push(`const ${name} = /${source}/u; // ${pattern}`);
  out.push('');
  for (const [shapeName, constName] of em.enums) {
    out.push(`const ${constName}: ReadonlySet<string> = new Set([${model.shapes[shapeName]!.enum!.map(lit).join(', ')}]);`);
  }
  out.push('', ...em.out);

  const ops = Object.values(model.operations);
  out.push('const PARSERS: { readonly [Op in OperationName]: (v: unknown) => OperationInputs[Op] } = {');
  for (const op of ops) out.push(`  ${op.name}: ${fn(op.input!.shape)},`);
  out.push('};', '');
  out.push(`/**
 * Checks and converts the parsed JSON body of \`op\`. Wrong JSON types → SerializationException
 * (first one found); model constraint violations → one ValidationException listing all of them.
 */
export function parseInput<Op extends OperationName>(op: Op, body: unknown): OperationInputs[Op] {
  if (!isObject(body)) throw new KendraError('SerializationException', 'Invalid request body: expected a JSON object, got ' + got(body));
  D = 0;
  E = null;
  const r = (PARSERS[op] as (v: unknown) => OperationInputs[Op])(body);
  if (E !== null) {
    const e: string[] = E;
    E = null;
    throw new KendraError('ValidationException', e.length + ' validation error' + (e.length === 1 ? '' : 's') + ' detected: ' + e.join('; '));
  }
  return r;
}
`);
  return out.join('\n');
}

// ---------------------------------------------------------------------------------------------

export function generate(model: Model): Record<string, string> {
  for (const op of Object.values(model.operations)) if (!op.input) throw new Error(`operation ${op.name} has no input`);
  return {
    'shapes.ts': genShapes(model),
    'operations.ts': genOperations(model),
    'validators.ts': genValidators(model),
  };
}

function main(): void {
  const root = findRepoRoot(import.meta.url);
  const model = loadModel(root);
  const dir = join(root, 'src/protocol/generated');
  mkdirSync(dir, { recursive: true });
  for (const [file, text] of Object.entries(generate(model))) {
    writeFileSync(join(dir, file), text);
    console.log(`wrote src/protocol/generated/${file}`);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) main();
