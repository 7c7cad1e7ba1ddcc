/**
 * A CouchDB-like document store: one document per request, one attachment per output key, and
 * optimistic concurrency on the document's revision.
 *
 * What FaaSFlow's container runtime does for every output it stores remotely (reference 1.C;
 * `src/container/Store.py`, `put_to_db`): it reads the request's document to learn its current
 * revision (`db[request_id]`), then PUTs the attachment with that revision. CouchDB accepts the
 * update only if the revision is still the document's latest; otherwise it answers 409 Conflict,
 * after the whole body was sent, and the client loops: read the revision again, send again. So
 * parallel writers to one request serialise, and every loser's upload is wasted work that still
 * loads the network and the server (fidelity-training.md: "retried on revision conflict").
 *
 * Model, per attachment put:
 *   1. a small request (the document GET): the store's operation cost + a round trip; the
 *      revision seen is the document's revision when the reply arrives [ASSUMPTION: the
 *      half round trip between the server reading it and the reply arriving is neglected];
 *   2. the PUT: `Storage.put` (operation cost, the payload over the network, the server's write
 *      stage, shared with every other operation);
 *   3. the update goes to the database's updater (`Storage.commit`, one at a time), which
 *      compares revisions: equal -> the document's revision goes up by one and the put is done;
 *      else a conflict, and the client starts over at 1.
 * With `documentConflicts: false` a put is step 2 alone (a store without revisions).
 *
 * Golden case (test/models-storage.test.ts): n writers of S bytes start together on an idle
 * store with server write throughput B, operation cost L, no network limit or latency: the writer
 * that wins round k has lost k-1 rounds, and round m (m writers left) takes 2L + mS/B, so the k-th
 * put ends at sum_{m=n-k+1..n} (2L + mS/B).
 *
 * Left out: CouchDB's own batching of updates (`delayed_commits`), compaction, attachment
 * compression; conflicts between two documents (they never conflict).
 */
import type { Storage } from './storage.js';

export class DocumentStore {
  /** Current revision per document. */
  private readonly revs = new Map<number, number>();
  puts = 0;
  conflicts = 0;

  constructor(
    private readonly storage: Storage,
    private readonly conflictsOn: boolean,
  ) {}

  /** Node `from` stores an attachment of `bytes` on document `doc`; `cb` when it is committed. */
  putAttachment(from: number, doc: number, bytes: number, cb: () => void, senderCapBps = Infinity): void {
    this.puts++;
    if (!this.conflictsOn) {
      this.storage.put(
        from,
        bytes,
        () => {
          this.commit(doc);
          cb();
        },
        senderCapBps,
      );
      return;
    }
    const attempt = () =>
      this.storage.small(from, () => {
        const seen = this.revs.get(doc) ?? 0;
        this.storage.put(
          from,
          bytes,
          () =>
            this.storage.commit('results', () => {
              if ((this.revs.get(doc) ?? 0) === seen) {
                this.commit(doc);
                cb();
              } else {
                this.conflicts++;
                attempt();
              }
            }),
          senderCapBps,
        );
      });
    attempt();
  }

  /** A document update without an attachment that does not retry (Store.py `put_keys`). */
  update(from: number, doc: number, cb: () => void): void {
    this.storage.smallWrite(from, 'results', () => {
      this.commit(doc);
      cb();
    });
  }

  /** The request is over: its document is no longer written. */
  close(doc: number): void {
    this.revs.delete(doc);
  }

  private commit(doc: number): void {
    this.revs.set(doc, (this.revs.get(doc) ?? 0) + 1);
  }
}
