import { defineCodec } from '../codec.ts';
import type { WireCodec } from '../codec.ts';
import { HEADER_LENGTH } from '../constants.ts';
import type { WireContext } from '../context.ts';
import { checkMessage, writeHeader } from '../header.ts';

export interface MessageSpec<T> {
  readonly name: string;
  readonly type: number;
  bodyLength(value: T, ctx: WireContext): number;
  /** Writes the body at `offset`; returns the offset after it. */
  writeBody(value: T, buf: Buffer, offset: number, ctx: WireContext): number;
  /** Decodes a message whose header was checked; `bytes` is the whole message. */
  decodeBody(bytes: Buffer, ctx: WireContext): T;
}

export interface MessageCodec<T> extends WireCodec<T> {
  readonly type: number;
}

/** A message codec (header + body) from its body-level spec. */
export function defineMessage<T>(spec: MessageSpec<T>): MessageCodec<T> {
  const codec = defineCodec<T>({
    name: spec.name,
    encodingLength: (value, ctx) => HEADER_LENGTH + spec.bodyLength(value, ctx),
    write(value, buf, offset, ctx) {
      const length = HEADER_LENGTH + spec.bodyLength(value, ctx);
      const body = writeHeader(buf, offset, length, spec.type);
      return spec.writeBody(value, buf, body, ctx);
    },
    decode(bytes, ctx) {
      checkMessage(bytes, spec.type);
      return spec.decodeBody(bytes, ctx);
    },
  });
  return { ...codec, type: spec.type };
}
