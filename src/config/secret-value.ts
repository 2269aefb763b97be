import { inspect } from 'node:util';

const REDACTED = '[redacted]';

/**
 * A secret (a TCP-MD5 key) that does not leak when the config holding it is
 * logged, printed or serialised: every text form is "[redacted]".
 */
export class SecretValue {
  readonly #bytes: Uint8Array;

  constructor(bytes: Uint8Array) {
    this.#bytes = Uint8Array.from(bytes);
  }

  static fromText(text: string): SecretValue {
    return new SecretValue(new TextEncoder().encode(text));
  }

  get byteLength(): number {
    return this.#bytes.byteLength;
  }

  /** The key as bytes (a copy), for the socket option that needs it. */
  revealBytes(): Uint8Array {
    return Uint8Array.from(this.#bytes);
  }

  revealText(): string {
    return new TextDecoder().decode(this.#bytes);
  }

  equals(other: SecretValue | undefined): boolean {
    if (other === undefined || other.#bytes.byteLength !== this.#bytes.byteLength) return false;
    return this.#bytes.every((byte, i) => byte === other.#bytes[i]);
  }

  toString(): string {
    return REDACTED;
  }

  toJSON(): string {
    return REDACTED;
  }

  [inspect.custom](): string {
    return REDACTED;
  }
}
