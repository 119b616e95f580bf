/** ARNs of kendrite's resources (P-8). */
export interface Scope {
  accountId: string;
  region: string;
}

export const indexArn = (s: Scope, indexId: string) => `arn:aws:kendra:${s.region}:${s.accountId}:index/${indexId}`;
export const dataSourceArn = (s: Scope, indexId: string, dataSourceId: string) =>
  `${indexArn(s, indexId)}/data-source/${dataSourceId}`;

export type ParsedArn =
  | { kind: 'index'; scope: Scope; indexId: string }
  | { kind: 'data-source'; scope: Scope; indexId: string; dataSourceId: string };

const ARN = /^arn:aws:kendra:([a-z0-9-]+):(\d{12}):index\/([A-Za-z0-9-]+)(?:\/data-source\/([A-Za-z0-9_-]+))?$/;

export function parseArn(arn: string): ParsedArn | undefined {
  const m = ARN.exec(arn);
  if (!m) return undefined;
  const scope = { region: m[1]!, accountId: m[2]! };
  return m[4] ? { kind: 'data-source', scope, indexId: m[3]!, dataSourceId: m[4] } : { kind: 'index', scope, indexId: m[3]! };
}
