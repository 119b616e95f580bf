/** Transactions of the first batch, before any has been timed: small, so that none starts long. */
const FIRST_SIZE = 16;
/** Weight of the latest transaction in the running cost per write (an exponential moving average). */
const LATEST = 0.3;

/**
 * How many documents a connector job writes per transaction, so that each lasts about `targetMs`
 * (sync.writeTransactionMs): from the time its recent transactions took per write. On SQLite a write
 * of the API waits for the transaction under way, so a long one stalls requests; a cost per write
 * that changes (larger files, a busier machine) changes the size with it.
 */
export class TransactionSizer {
  private msPerWrite: number | undefined;

  constructor(
    private readonly targetMs: number,
    private readonly max: number,
  ) {}

  /** Writes the next transaction may take (documents found unchanged ride along: they cost only a count). */
  get size(): number {
    if (this.msPerWrite === undefined) return Math.min(FIRST_SIZE, this.max);
    return Math.max(1, Math.min(this.max, Math.floor(this.targetMs / this.msPerWrite)));
  }

  observe(writes: number, ms: number): void {
    if (writes < 1) return;
    const latest = ms / writes;
    this.msPerWrite = this.msPerWrite === undefined ? latest : this.msPerWrite + LATEST * (latest - this.msPerWrite);
  }
}
