import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bytes, capturedOpens, messageVectors } from '../../../test/support/bgp-golden-vectors.ts';
import { BgpWireError, decodeMessage, MessageReader, MessageWriter } from './index.ts';
import type { BgpMessage } from './index.ts';

const messages = [
  ...messageVectors.map((v) => ({ name: v.name, bytes: bytes(v.hex), ctx: v.ctx })),
  ...capturedOpens().map((c) => ({
    name: `captured OPEN ${c.name}`,
    bytes: bytes(c.hex),
    ctx: messageVectors[0]!.ctx,
  })),
];

function feed(reader: MessageReader, ...chunks: Buffer[]): Buffer[] {
  const out: Buffer[] = [];
  for (const chunk of chunks) {
    reader.push(chunk);
    out.push(...reader.drain());
  }
  return out;
}

describe('MessageReader', () => {
  it('yields every golden message whole when it arrives cut at any offset', () => {
    for (const message of messages) {
      for (let cut = 0; cut <= message.bytes.length; cut++) {
        const reader = new MessageReader();
        const out = feed(reader, message.bytes.subarray(0, cut), message.bytes.subarray(cut));
        assert.equal(out.length, 1, `${message.name} cut at ${cut}`);
        assert.equal(
          out[0]!.toString('hex'),
          message.bytes.toString('hex'),
          `${message.name} cut at ${cut}`,
        );
        assert.equal(reader.bufferedLength, 0);
      }
    }
  });

  it('yields every golden message when fed one byte at a time, and nothing before its last byte', () => {
    for (const message of messages) {
      const reader = new MessageReader();
      for (let i = 0; i < message.bytes.length - 1; i++) {
        reader.push(message.bytes.subarray(i, i + 1));
        assert.equal(reader.next(), undefined, `${message.name}: nothing before byte ${i + 1}`);
      }
      reader.push(message.bytes.subarray(-1));
      assert.equal(reader.next()?.toString('hex'), message.bytes.toString('hex'), message.name);
    }
  });

  it('splits a stream of all golden messages cut into uneven chunks, and decodes them', () => {
    const stream = Buffer.concat(messages.map((m) => m.bytes));
    for (const size of [1, 2, 3, 7, 19, 64, 1000, stream.length]) {
      const reader = new MessageReader();
      const out: Buffer[] = [];
      for (let i = 0; i < stream.length; i += size)
        out.push(...feed(reader, stream.subarray(i, i + size)));
      assert.equal(out.length, messages.length, `chunk size ${size}`);
      out.forEach((frame, i) => {
        assert.equal(frame.toString('hex'), messages[i]!.bytes.toString('hex'));
        decodeMessage(frame, messages[i]!.ctx);
      });
    }
  });

  it('keeps returned messages intact when later chunks arrive (they are never overwritten)', () => {
    const [first, second] = [messages[1]!.bytes, messages[2]!.bytes];
    const reader = new MessageReader();
    reader.push(Buffer.concat([first, second.subarray(0, 5)]));
    const kept = reader.next()!;
    reader.push(second.subarray(5));
    assert.equal(reader.next()?.toString('hex'), second.toString('hex'));
    assert.equal(kept.toString('hex'), first.toString('hex'));
  });

  it('accepts plain Uint8Array chunks', () => {
    const reader = new MessageReader();
    reader.push(new Uint8Array(messages[0]!.bytes));
    assert.equal(reader.next()?.toString('hex'), messages[0]!.bytes.toString('hex'));
  });

  it('fails on a bad marker as soon as the header is in, and stays failed (RFC 4271 §6.1)', () => {
    const reader = new MessageReader();
    const bad = Buffer.from(messages[0]!.bytes);
    bad[3] = 0;
    reader.push(bad);
    const check = (err: unknown) =>
      err instanceof BgpWireError &&
      err.notification.code === 1 &&
      err.notification.subcode === 1 &&
      err.action === 'session-reset';
    assert.throws(() => reader.next(), check);
    reader.push(messages[0]!.bytes);
    assert.throws(() => reader.next(), check);
  });

  it('fails on a length outside 19-4096 before waiting for that many octets', () => {
    const reader = new MessageReader();
    reader.push(bytes(`${'ff'.repeat(16)} 1001 02`));
    assert.throws(
      () => reader.next(),
      (err: unknown) =>
        err instanceof BgpWireError &&
        err.notification.subcode === 2 &&
        err.notification.data.toString('hex') === '1001',
    );
  });
});

describe('MessageWriter', () => {
  it('collects messages for one write and starts afresh after flush', () => {
    const writer = new MessageWriter(8);
    const values = messageVectors.map((v) => v.value as BgpMessage);
    for (const [i, value] of values.entries()) writer.add(value, messageVectors[i]!.ctx);
    writer.addEncoded(messages[0]!.bytes);
    const flushed = writer.flush();
    assert.equal(
      flushed.toString('hex'),
      Buffer.concat([...messageVectors.map((v) => bytes(v.hex)), messages[0]!.bytes]).toString(
        'hex',
      ),
    );
    assert.equal(writer.length, 0);
    writer.add({ type: 'keepalive' }, messageVectors[0]!.ctx);
    assert.equal(writer.flush().length, 19);
    assert.equal(
      flushed.subarray(0, 19).toString('hex'),
      messages[0]!.bytes.toString('hex'),
      'the flushed buffer is untouched',
    );
  });
});
