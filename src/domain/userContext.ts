/**
 * Who is searching: Query's and Retrieve's UserContext, read under the index's UserContextPolicy,
 * turned into the principal keys the search engine filters by (domain/access.ts).
 *
 * - ATTRIBUTE_FILTER (the default): no user context → public documents only; UserId, Groups and
 *   DataSourceGroups (or a Token, if the index has a token configuration) say who asks.
 * - USER_TOKEN: only a verified Token says who asks; no token → public documents only. A UserId or
 *   groups given instead are refused, not trusted.
 * A token that fails verification is AccessDeniedException, never a search as nobody.
 */
import { callerKeys, type Caller } from './access.js';
import { CallerKeyCache } from './callerKeyCache.js';
import { accessDenied, invalid } from './errors.js';

export interface UserContextInput {
  Token?: string;
  UserId?: string;
  Groups?: string[];
  DataSourceGroups?: { GroupId: string; DataSourceId: string }[];
}

export interface IndexAccessSettings {
  UserContextPolicy?: 'ATTRIBUTE_FILTER' | 'USER_TOKEN';
  UserTokenConfigurations?: unknown[];
}

/** The user and groups a verified token names. */
export interface TokenIdentity {
  userId?: string;
  groups: string[];
}

export interface TokenVerifier {
  /** Throws a DomainError (AccessDenied for a token that does not verify). */
  verify(configuration: unknown, token: string): Promise<TokenIdentity>;
}

/** The groups a user belongs to by the index's principal mapping, with the groups they are members of, transitively. */
export interface GroupExpander {
  expand(indexId: string, caller: Caller): Promise<Caller>;
  /** Changes whenever the index's mapping does, in any process sharing the store. */
  version(indexId: string): Promise<number>;
}

export class UserContexts {
  private readonly cache = new CallerKeyCache();

  constructor(
    private readonly tokens: TokenVerifier,
    private readonly groups?: GroupExpander,
  ) {}

  /** The caller's principal keys; empty: public documents only. */
  async principals(indexId: string, settings: IndexAccessSettings, uc: UserContextInput | undefined): Promise<string[]> {
    const caller = await this.caller(settings, uc);
    if (!caller) return [];
    const groups = this.groups;
    if (!groups) return callerKeys(caller);
    // The version first: an expansion read after it is at least that recent.
    const version = await groups.version(indexId);
    return this.cache.get(indexId, version, caller, async () => callerKeys(await groups.expand(indexId, caller)));
  }

  private async caller(settings: IndexAccessSettings, uc: UserContextInput | undefined): Promise<Caller | undefined> {
    const direct = uc && (uc.UserId !== undefined || uc.Groups !== undefined || uc.DataSourceGroups !== undefined);
    if (uc?.Token !== undefined && direct) throw invalid('UserContext takes a Token or a UserId with Groups and DataSourceGroups, not both.');
    if (uc?.Token !== undefined) {
      const config = settings.UserTokenConfigurations?.[0];
      if (!config) throw invalid('UserContext.Token was given, but this index has no UserTokenConfigurations to verify it with.');
      const id = await this.tokens.verify(config, uc.Token);
      if (id.userId === undefined && !id.groups.length) throw accessDenied('The token names no user and no group.');
      return { userId: id.userId, groups: id.groups, dataSourceGroups: [] };
    }
    if (!direct) return undefined;
    if (settings.UserContextPolicy === 'USER_TOKEN')
      throw invalid("This index's UserContextPolicy is USER_TOKEN: say who asks with UserContext.Token, not UserId, Groups or DataSourceGroups.");
    return { userId: uc.UserId, groups: uc.Groups ?? [], dataSourceGroups: uc.DataSourceGroups ?? [] };
  }
}
