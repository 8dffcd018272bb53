// A one-consumer async queue of Buffers between the tar pass (producer) and a dump consumer.
// The producer asks for `room()` before handing over more, so at most one chunk waits while the
// consumer works on another: a dump of any size flows through with flat memory.

export class ChunkPipe implements AsyncIterable<Buffer> {
  private queue: Buffer[] = [];
  private queued = 0;
  private ended = false;
  /** The consumer is gone (finished, broke out, or its handler returned): drop further data. */
  private closed = false;
  private iterating = false;
  private wakeConsumer: (() => void) | undefined;
  private wakeProducer: (() => void) | undefined;
  /** Bytes handed to the consumer so far. */
  delivered = 0;

  push(b: Buffer): void {
    if (this.closed || this.ended || b.length === 0) return;
    this.queue.push(b);
    this.queued += b.length;
    this.consumerWakeUp();
  }

  end(): void {
    this.ended = true;
    this.consumerWakeUp();
  }

  close(): void {
    this.closed = true;
    this.queue = [];
    this.queued = 0;
    this.producerWakeUp();
    this.consumerWakeUp();
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** undefined when the producer may go on; else a promise settled once the consumer took
   *  everything queued (or went away). */
  room(): Promise<void> | undefined {
    if (this.closed || this.queued === 0) return undefined;
    return new Promise<void>((resolve) => {
      this.wakeProducer = resolve;
    }).then(() => this.room());
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<Buffer, void, undefined> {
    // A second iteration would see a half-consumed stream: give it nothing.
    if (this.iterating) return;
    this.iterating = true;
    try {
      while (true) {
        const b = this.queue.shift();
        if (b !== undefined) {
          this.queued -= b.length;
          this.delivered += b.length;
          if (this.queued === 0) this.producerWakeUp();
          yield b;
          continue;
        }
        if (this.ended || this.closed) return;
        await new Promise<void>((resolve) => {
          this.wakeConsumer = resolve;
        });
      }
    } finally {
      this.close();
    }
  }

  private consumerWakeUp(): void {
    const w = this.wakeConsumer;
    this.wakeConsumer = undefined;
    w?.();
  }

  private producerWakeUp(): void {
    const w = this.wakeProducer;
    this.wakeProducer = undefined;
    w?.();
  }
}
