import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { freePort } from '@identity/platform-service';

export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

/**
 * PostgreSQL compiled to WebAssembly (PGlite), served over the wire protocol on loopback so the
 * services run the same TypeORM and pg code as in production. Data persists in `dataDir`.
 */
export async function startEmbeddedDatabase(dataDir: string): Promise<EmbeddedDatabase> {
  // The directory's name search indexes words by trigram (IndexDirectoryNameWords1764463050000).
  const db = await PGlite.create(dataDir, { extensions: { pg_trgm } });
  const port = await freePort();
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port, maxConnections: 64 });
  keepExtendedQueriesTogether(server, db);
  await server.start();
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres?sslmode=disable`,
    stop: async () => {
      await server.stop();
      await db.close();
    },
  };
}

/** What pglite-socket 0.2 keeps of every connection's protocol messages: one queue for them all. */
interface QueuedMessage {
  handlerId: number;
  message: Uint8Array;
  onData(data: Uint8Array): void;
  resolve(bytes: number): void;
  reject(error: unknown): void;
}
interface SocketQueryQueue {
  queue: QueuedMessage[];
  processing: boolean;
  lastHandlerId: number | null;
  processQueue(): Promise<void>;
  clearQueueForHandler(handlerId: number): void;
}

/** Parse, Bind, Describe, Execute, Close and Flush: an extended query goes on until its Sync. */
const EXTENDED_QUERY_MESSAGES = new Set(['P', 'B', 'D', 'E', 'C', 'H'].map((type) => type.charCodeAt(0)));

/**
 * pglite-socket serves all connections from one queue of protocol messages and, outside a
 * transaction, switches connections between any two of them. node-postgres sends an extended
 * query as Parse, Bind, Describe, Execute, Sync: another connection's Parse in between replaces the
 * unnamed statement, so a query fails ("bind message supplies 1 parameters, but prepared statement
 * requires 13") or answers another's rows (found by the console's browser test under load). Here a
 * connection keeps the database from its Parse to its Sync, as it does within a transaction.
 */
function keepExtendedQueriesTogether(server: PGLiteSocketServer, db: PGlite): void {
  const queue = (server as unknown as { queryQueue: SocketQueryQueue }).queryQueue;
  let midQuery: number | null = null;
  const clearQueueForHandler = queue.clearQueueForHandler.bind(queue);
  queue.clearQueueForHandler = (handlerId) => {
    clearQueueForHandler(handlerId);
    if (midQuery === handlerId) {
      midQuery = null;
      void queue.processQueue();
    }
  };
  queue.processQueue = async function processQueue(this: SocketQueryQueue) {
    if (this.processing) return;
    this.processing = true;
    try {
      while (this.queue.length > 0) {
        const owner = midQuery ?? (db.isInTransaction() ? this.lastHandlerId : null);
        const index = owner === null ? 0 : this.queue.findIndex((entry) => entry.handlerId === owner);
        // The owner's next message has not arrived yet: the others wait for it.
        if (index === -1) break;
        const [next] = this.queue.splice(index, 1);
        let bytes = 0;
        try {
          await db.runExclusive(() => db.execProtocolRawStream(next.message, { onRawData: (data: Uint8Array) => ((bytes += data.length), next.onData(data)) }));
        } catch (error) {
          next.reject(error);
          continue;
        }
        midQuery = EXTENDED_QUERY_MESSAGES.has(next.message[0]) ? next.handlerId : null;
        this.lastHandlerId = next.handlerId;
        next.resolve(bytes);
      }
    } finally {
      this.processing = false;
    }
  }.bind(queue);
}
