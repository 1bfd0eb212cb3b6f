import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { writeChunks } from '../../src/cli/options.ts';

describe('writeChunks', () => {
  it('writes every chunk in order through a slow reader and leaves no drain or close listener behind', async () => {
    const received: string[] = [];
    const stream = new Writable({
      highWaterMark: 4,
      write(chunk: Buffer, _encoding, callback) {
        received.push(chunk.toString());
        setImmediate(callback);
      },
    });
    const before = { drain: stream.listenerCount('drain'), close: stream.listenerCount('close') };
    const chunks = Array.from({ length: 200 }, (_, i) => `chunk-${i};`);
    await writeChunks(stream, chunks);
    expect(received.join('')).toBe(chunks.join(''));
    expect(stream.listenerCount('drain')).toBe(before.drain);
    expect(stream.listenerCount('close')).toBe(before.close);
  });
});
