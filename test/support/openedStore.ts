import { after, before } from 'node:test';
import { Store } from '../../src/store/store.js';
import { type Backend, TestStore } from './server.js';

/**
 * A Store on a fresh database of `backend` for the describe block that calls this: opened before its
 * tests, closed and its database dropped after them. The getter is for use inside the tests.
 */
export function openedStore(backend: Backend['name']): () => Store {
  let testStore: TestStore | undefined;
  let store: Store | undefined;
  before(async () => {
    testStore = await TestStore.create(backend);
    store = await Store.open({ dataDir: testStore.dataDir, databaseUrl: testStore.databaseUrl });
  });
  after(async () => {
    await store?.close();
    await testStore?.destroy();
  });
  return () => store!;
}
