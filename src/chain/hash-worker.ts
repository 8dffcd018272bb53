// A hashing worker: receives line-aligned blocks of audit COPY text, returns compact records.
import { parentPort, workerData } from 'node:worker_threads';
import { RowHasher, type RowLayout } from './row-hasher.js';

interface Job {
  id: number;
  buf: ArrayBuffer;
  length: number;
}

const hasher = new RowHasher(workerData as RowLayout);
const port = parentPort;
if (port) {
  port.on('message', (job: Job) => {
    const r = hasher.hashBlock(Buffer.from(job.buf, 0, job.length), job.length);
    // Copy into a fresh ArrayBuffer we can transfer (the record buffer may share a pool).
    const out = new ArrayBuffer(r.records.length);
    r.records.copy(Buffer.from(out));
    port.postMessage({ id: job.id, records: out, count: r.count, lines: r.lines, malformed: r.malformed }, [
      out,
    ]);
  });
}
