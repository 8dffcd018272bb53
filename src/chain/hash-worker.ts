// A hashing worker: receives line-aligned blocks of audit COPY text, returns compact records
// and the block's buffer (for reuse).
import { parentPort, workerData } from 'node:worker_threads';
import { RowHasher, type RowLayout } from './row-hasher.js';

interface Job {
  id: number;
  buf: ArrayBuffer;
  offset: number;
  length: number;
}

const data = workerData as { layout: RowLayout; finished: Int32Array; index: number };
const hasher = new RowHasher(data.layout);
const port = parentPort;
if (port) {
  port.on('message', (job: Job) => {
    const r = hasher.hashBlock(Buffer.from(job.buf, job.offset, job.length), job.length);
    // Tell the main thread at once that this worker has room (it reads replies only later).
    Atomics.add(data.finished, data.index, 1);
    // hashBlock's records own their whole ArrayBuffer (offset 0, exact size): transferred as is.
    const out = r.records.buffer as ArrayBuffer;
    port.postMessage(
      { id: job.id, buf: job.buf, records: out, count: r.count, lines: r.lines, malformed: r.malformed },
      [out, job.buf],
    );
  });
}
