// Decompression bombs for the planted-report tests: built by streaming a compressor over one block
// repeated, so a GiB of text costs a few KB and never lives in memory.
import { once } from 'node:events';
import { constants, createBrotliCompress, createGzip, type BrotliCompress, type Gzip } from 'node:zlib';

async function compressRepeated(
  stream: Gzip | BrotliCompress,
  block: Buffer,
  totalBytes: number,
  head = '',
  tail = '',
): Promise<Buffer> {
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  const ended = once(stream, 'end');
  if (head) stream.write(head);
  for (let written = 0; written < totalBytes; written += block.length)
    if (!stream.write(block)) await once(stream, 'drain');
  if (tail) stream.write(tail);
  stream.end();
  await ended;
  return Buffer.concat(chunks);
}

const brotli = () =>
  createBrotliCompress({
    params: {
      [constants.BROTLI_PARAM_QUALITY]: 5,
      [constants.BROTLI_PARAM_LGWIN]: 24,
      [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
    },
  });

/** One finding line as the large JSON layout writes it. */
export function findingLine(i = 0): string {
  return `    {"id":"${i.toString(16).padStart(20, '0')}","ruleId":"privileged","severity":"critical","category":"pod-security","pss":null,"workload":{"kind":"Deployment","namespace":"shop","name":"web"},"container":"app","path":"spec.template.spec.containers[0].securityContext.privileged","messageId":"privileged","data":{},"message":"Container app is privileged.","remediation":"Set privileged: false."},\n`;
}

const REPORT_HEAD =
  '{\n  "apiVersion": "kube-patrol.io/v1alpha1",\n  "kind": "InspectionReport",\n  "findings": [\n';

/** `totalBytes` of repeated finding lines inside a report's findings list, brotli-compressed. */
export function brotliFindingBomb(totalBytes: number): Promise<Buffer> {
  const block = Buffer.from(findingLine().repeat(Math.ceil((1 << 20) / findingLine().length)));
  return compressRepeated(brotli(), block, totalBytes, REPORT_HEAD);
}

/** The same, gzip-compressed (gzip's ratio is at most about 1,000:1). */
export function gzipFindingBomb(totalBytes: number): Promise<Buffer> {
  const block = Buffer.from(findingLine().repeat(Math.ceil((1 << 20) / findingLine().length)));
  return compressRepeated(createGzip({ level: 9 }), block, totalBytes, REPORT_HEAD);
}

/** `totalBytes` of zero bytes, brotli-compressed. */
export function brotliZeros(totalBytes: number): Promise<Buffer> {
  return compressRepeated(brotli(), Buffer.alloc(1 << 20), totalBytes);
}

/** A report whose findings list is `totalBytes` of spaces: valid JSON all the way, only too long. */
export function brotliWhitespaceBomb(totalBytes: number): Promise<Buffer> {
  return compressRepeated(brotli(), Buffer.alloc(1 << 20, 0x20), totalBytes, REPORT_HEAD, ']}');
}
