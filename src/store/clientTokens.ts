import type { Kysely } from 'kysely';
import type { Scope } from '../domain/arn.js';
import type { Database } from './schema.js';

/** ClientToken records for Create* idempotency (I-2). */
export class ClientTokenStore {
  constructor(private readonly db: Kysely<Database>) {}

  find(scope: Scope, operation: string, token: string, notBefore: number) {
    return this.db
      .selectFrom('client_tokens')
      .select(['request_hash', 'resource_id'])
      .where('account_id', '=', scope.accountId)
      .where('region', '=', scope.region)
      .where('operation', '=', operation)
      .where('token', '=', token)
      .where('created_at', '>=', notBefore)
      .executeTakeFirst();
  }

  /** Records the token; false if another request recorded it first (the caller then re-reads). */
  async record(scope: Scope, operation: string, token: string, requestHash: string, resourceId: string, now: number): Promise<boolean> {
    const r = await this.db
      .insertInto('client_tokens')
      .values({ account_id: scope.accountId, region: scope.region, operation, token, request_hash: requestHash, resource_id: resourceId, created_at: now })
      .onConflict((oc) => oc.columns(['account_id', 'region', 'operation', 'token']).doNothing())
      .executeTakeFirst();
    return Number(r.numInsertedOrUpdatedRows ?? 0n) > 0;
  }

  async forget(scope: Scope, operation: string, token: string): Promise<void> {
    await this.db
      .deleteFrom('client_tokens')
      .where('account_id', '=', scope.accountId)
      .where('region', '=', scope.region)
      .where('operation', '=', operation)
      .where('token', '=', token)
      .execute();
  }

  async expire(before: number): Promise<void> {
    await this.db.deleteFrom('client_tokens').where('created_at', '<', before).execute();
  }
}
