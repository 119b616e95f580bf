/**
 * SQLite: the text columns of the documents a batch of writes set (store/documents.ts withTextBatched), as they were
 * written, by document key: at the batch's end the full-text index is given these instead of reading each row back.
 * Read back, a packed text (store/packedText.ts) went through kendrite_text() — a call into JavaScript that copied the
 * stored bytes out, inflated them and copied the text back — ~150 µs of a 1–20 KB document's ~1.6 ms of sync CPU, for
 * a text the writer had in hand.
 *
 * A document's entry mirrors its row as long as every write of the batch to its text columns is told here: a write
 * setting all four gives it one, a write setting some of them changes those of the entry it has (none: it stays
 * without, and its text is read back from the row), and a removal drops it.
 */
export interface WrittenText {
  title: string;
  body: string;
  search_title: string | null;
  search_body: string | null;
}

export class TextsInHand {
  private readonly texts = new Map<number, WrittenText>();

  /** After a write of document `docKey`'s row: the columns `row` sets (those it leaves undefined it does not). */
  wrote(docKey: number, row: Partial<WrittenText>): void {
    const held = this.texts.get(docKey);
    if (held) {
      this.texts.set(docKey, { title: row.title ?? held.title, body: row.body ?? held.body, search_title: row.search_title === undefined ? held.search_title : row.search_title, search_body: row.search_body === undefined ? held.search_body : row.search_body });
      return;
    }
    if (row.title !== undefined && row.body !== undefined && row.search_title !== undefined && row.search_body !== undefined) {
      this.texts.set(docKey, { title: row.title, body: row.body, search_title: row.search_title, search_body: row.search_body });
    }
  }

  /** After the removal of document `docKey`'s row. */
  removed(docKey: number): void {
    this.texts.delete(docKey);
  }

  /** What document `docKey`'s row holds in its text columns, or undefined: not known here. */
  get(docKey: number): WrittenText | undefined {
    return this.texts.get(docKey);
  }
}
