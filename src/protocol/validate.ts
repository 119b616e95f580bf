/**
 * Input parsing and validation for every Kendra operation (P-4, P-5): the single entry point the
 * http layer calls with the result of JSON.parse. The checks themselves are generated from the model
 * (src/protocol/generated/validators.ts, by scripts/codegen.ts); nothing here restates a constraint.
 */
import { KendraError } from './errors.js';
import { isOperationName, type OperationInputs, type OperationName } from './generated/operations.js';
import { parseInput } from './generated/validators.js';
import { refuseUnstorableIdentifiers } from './identifierText.js';

export type { OperationInputs, OperationName } from './generated/operations.js';

/**
 * Checks `body` against the model's input shape of `op` and returns it typed, with timestamps
 * converted to `Date` and blobs to `Buffer`; members the model does not define are dropped and JSON
 * `null` counts as absent.
 *
 * Throws KendraError:
 * - `SerializationException` when the body is not an object or a member has the wrong JSON type
 *   (`Invalid type at 'maxResults': expected an integer, got string`);
 * - `ValidationException` listing every constraint violation, in AWS's wording
 *   (`1 validation error detected: Value '11' at 'maxResults' failed to satisfy constraint: …`);
 * - `ValidationException` when an identifier holds U+0000 or an unpaired surrogate (identifierText.ts);
 * - `UnknownOperationException` when `op` is not an operation of the model (a caller bug, normally
 *   caught earlier by the http layer).
 */
export function parseOperationInput<Op extends OperationName>(op: Op, body: unknown): OperationInputs[Op] {
  if (typeof op !== 'string' || !isOperationName(op)) {
    throw new KendraError('UnknownOperationException', `Unknown operation: ${String(op)}`);
  }
  const input = parseInput(op, body);
  refuseUnstorableIdentifiers(input);
  return input;
}
