/**
 * Who may see which document: Kendra's user context filtering, as pure rules. The search engine
 * applies the same rules inside its SQL (search/access.ts); tests compare the two.
 *
 * - A document with no access list is public: everyone sees it, with or without a user context.
 * - A document's lists are levels: its AccessControlList (if any) and each level of its
 *   HierarchicalAccessControlList. The caller sees it only if, at every level, one of the caller's
 *   principals is allowed and none is denied (DENY beats ALLOW; a level with only DENY entries
 *   allows nobody).
 * - The caller's principals: the user id, the groups (from UserContext, the token and the
 *   principal mapping), and data source groups, which count only for documents of that data source.
 *   No user context means no principals: only public documents.
 */

export type PrincipalType = 'USER' | 'GROUP';
export type ReadAccess = 'ALLOW' | 'DENY';

export interface Principal {
  Name: string;
  Type: PrincipalType;
  Access: ReadAccess;
  DataSourceId?: string;
}

export interface HierarchicalPrincipal {
  PrincipalList: Principal[];
}

/** The access members a document (or an access control configuration) carries, as Kendra's model names them. */
export interface AccessLists {
  AccessControlList?: Principal[];
  HierarchicalAccessControlList?: HierarchicalPrincipal[];
}

/** A document's access, ready to store: its levels (none: public). */
export type AccessLevels = Principal[][];

export interface Caller {
  userId?: string;
  groups: string[];
  dataSourceGroups: { GroupId: string; DataSourceId: string }[];
}

/** The flat list first, then the hierarchy's levels; empty lists are no level. */
export function accessLevels(a: AccessLists): AccessLevels {
  const levels = [a.AccessControlList ?? [], ...(a.HierarchicalAccessControlList ?? []).map((h) => h.PrincipalList ?? [])];
  return levels.filter((l) => l.length > 0);
}

/** What is wrong with these lists, if anything (the model checks shapes; this checks values). */
export function accessProblem(a: AccessLists, path = ''): string | undefined {
  const lists = [...(a.AccessControlList ? [{ list: a.AccessControlList, where: `${path}AccessControlList` }] : []),
    ...(a.HierarchicalAccessControlList ?? []).map((h, i) => ({ list: h.PrincipalList ?? [], where: `${path}HierarchicalAccessControlList[${i}].PrincipalList` }))];
  for (const { list, where } of lists) {
    for (const [i, p] of list.entries()) {
      if (!p || typeof p.Name !== 'string' || !p.Name) return `${where}[${i}].Name must be a non-empty string.`;
      if (p.Type !== 'USER' && p.Type !== 'GROUP') return `${where}[${i}].Type must be USER or GROUP.`;
      if (p.Access !== 'ALLOW' && p.Access !== 'DENY') return `${where}[${i}].Access must be ALLOW or DENY.`;
      if (p.DataSourceId !== undefined && typeof p.DataSourceId !== 'string') return `${where}[${i}].DataSourceId must be a string.`;
    }
  }
  return undefined;
}

/*
 * Principals are matched as keys: `u::<user>`, `g::<group>` (a group everywhere) and
 * `g:<data source id>:<group>` (a group for documents of one data source). Data source ids hold no
 * ':', so keys cannot collide whatever the names hold.
 */
const userKey = (name: string) => `u::${name}`;
const groupKey = (name: string, dataSourceId?: string | null) => `g:${dataSourceId ?? ''}:${name}`;

/** The user a caller's keys name, if any. */
export const userOfKeys = (keys: string[]): string | undefined => keys.find((k) => k.startsWith('u::'))?.slice(3);

/** The keys a caller holds. */
export function callerKeys(c: Caller): string[] {
  const keys = new Set<string>();
  if (c.userId !== undefined) keys.add(userKey(c.userId));
  for (const g of c.groups) keys.add(groupKey(g));
  for (const g of c.dataSourceGroups) keys.add(groupKey(g.GroupId, g.DataSourceId));
  return [...keys];
}

/**
 * The keys that match one document principal: a user by name; a group by name, or by name within
 * the principal's data source (its DataSourceId, else the document's).
 */
export function principalKeys(p: Principal, documentDataSourceId: string | null): string[] {
  if (p.Type === 'USER') return [userKey(p.Name)];
  const ds = p.DataSourceId ?? documentDataSourceId;
  return ds ? [groupKey(p.Name), groupKey(p.Name, ds)] : [groupKey(p.Name)];
}

/** One stored row of a document's access: `L` marks a level, `A` allows and `D` denies a key. */
export interface AccessRow {
  level: number;
  access: 'L' | 'A' | 'D';
  principal: string;
}

export function accessRows(levels: AccessLevels, documentDataSourceId: string | null): AccessRow[] {
  const rows = new Map<string, AccessRow>();
  levels.forEach((list, level) => {
    rows.set(`${level} L`, { level, access: 'L', principal: '' });
    for (const p of list) {
      const access = p.Access === 'DENY' ? 'D' : 'A';
      for (const principal of principalKeys(p, documentDataSourceId)) rows.set(`${level} ${access} ${principal}`, { level, access, principal });
    }
  });
  return [...rows.values()];
}

/** The rule itself: may the holder of `keys` see a document with these levels? */
export function mayView(levels: AccessLevels, documentDataSourceId: string | null, keys: ReadonlySet<string>): boolean {
  return levels.every((list) => {
    const matching = list.filter((p) => principalKeys(p, documentDataSourceId).some((k) => keys.has(k)));
    return matching.some((p) => p.Access === 'ALLOW') && !matching.some((p) => p.Access === 'DENY');
  });
}
