import { createConnection, type Socket } from 'node:net';
import { IronlbError } from '../../src/common/errors.ts';
import { BenchErrors } from './errors.ts';

/**
 * A client for BIRD's control socket (what birdc speaks), over one persistent
 * connection, so polling costs one line each way instead of a birdc process.
 *
 * The protocol is line based: every reply line starts with a 4-digit code and
 * '-' (more follows) or ' ' (last line of the reply); a line starting with a
 * space continues the previous code. Codes 8xxx and 9xxx are errors. On
 * connect BIRD greets with "0001 BIRD x.y.z ready.".
 */

export interface BirdReplyLine {
  readonly code: number;
  readonly text: string;
}

interface Pending {
  readonly command: string;
  readonly lines: BirdReplyLine[];
  readonly resolve: (lines: BirdReplyLine[]) => void;
  readonly reject: (err: Error) => void;
  readonly timer: NodeJS.Timeout | undefined;
}

export class BirdControl {
  readonly #socket: Socket;
  readonly #queue: Pending[] = [];
  #partial = '';
  #lastCode = 0;
  #closedError: Error | undefined;

  private constructor(socket: Socket) {
    this.#socket = socket;
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => this.#receive(chunk));
    socket.on('error', (err) => this.#fail(err));
    socket.on('close', () =>
      this.#fail(
        new IronlbError(BenchErrors.IRONLB_ERR_BENCH_CONTROL, 'BIRD closed the control socket'),
      ),
    );
  }

  /** Connects and waits for the greeting. */
  static async connect(path: string, timeoutMs = 5000): Promise<BirdControl> {
    const socket = createConnection({ path });
    const control = new BirdControl(socket);
    // The greeting is a reply without a command.
    await control.#expectReply('(greeting)', timeoutMs);
    return control;
  }

  /** Sends one command and resolves with its reply lines; rejects on an 8xxx/9xxx reply. */
  command(text: string, timeoutMs = 10_000): Promise<BirdReplyLine[]> {
    if (this.#closedError !== undefined) return Promise.reject(this.#closedError);
    if (text.includes('\n')) throw new Error('one BIRD command per line');
    const reply = this.#expectReply(text, timeoutMs);
    this.#socket.write(`${text}\n`);
    return reply;
  }

  /** The reply's text, one string per line. */
  async text(command: string, timeoutMs?: number): Promise<string[]> {
    return (await this.command(command, timeoutMs)).map((l) => l.text);
  }

  close(): void {
    this.#socket.destroy();
  }

  #expectReply(command: string, timeoutMs: number): Promise<BirdReplyLine[]> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#fail(
          new IronlbError(
            BenchErrors.IRONLB_ERR_BENCH_TIMEOUT,
            `BIRD did not answer "${command}" within ${timeoutMs} ms`,
          ),
        );
      }, timeoutMs);
      this.#queue.push({ command, lines: [], resolve, reject, timer });
    });
  }

  #receive(chunk: string): void {
    const text = this.#partial + chunk;
    let start = 0;
    for (let end = text.indexOf('\n', start); end !== -1; end = text.indexOf('\n', start)) {
      this.#line(text.slice(start, end));
      start = end + 1;
    }
    this.#partial = text.slice(start);
  }

  #line(line: string): void {
    const pending = this.#queue[0];
    if (pending === undefined) return; // nothing asked: ignore (BIRD sends nothing unasked)
    const coded = /^(\d{4})([ -])/.exec(line);
    if (coded === null) {
      pending.lines.push({ code: this.#lastCode, text: line.slice(1) });
      return;
    }
    const code = Number(coded[1]);
    this.#lastCode = code;
    pending.lines.push({ code, text: line.slice(5) });
    if (coded[2] !== ' ') return;
    this.#queue.shift();
    clearTimeout(pending.timer);
    if (code >= 8000) {
      pending.reject(
        new IronlbError(
          BenchErrors.IRONLB_ERR_BENCH_CONTROL,
          `BIRD refused "${pending.command}": ${pending.lines.map((l) => l.text).join(' / ')}`,
        ),
      );
    } else {
      pending.resolve(pending.lines);
    }
  }

  #fail(err: Error): void {
    this.#closedError ??= err;
    for (let pending = this.#queue.shift(); pending !== undefined; pending = this.#queue.shift()) {
      clearTimeout(pending.timer);
      pending.reject(err);
    }
    this.#socket.destroy();
  }
}

/** Wall-clock time in ms with sub-millisecond resolution: comparable with BIRD's timestamps. */
export function wallClockMs(): number {
  return performance.timeOrigin + performance.now();
}

/**
 * BIRD's "iso long ms" time ("2025-11-26 01:12:29.784", local time, as set by
 * `timeformat … iso long ms`) as epoch milliseconds, or undefined.
 */
export function parseBirdTime(text: string): number | undefined {
  const match = /^(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d(?:\.\d{1,6})?)$/.exec(text.trim());
  if (match === null) return undefined;
  const ms = new Date(`${match[1]}T${match[2]}`).getTime();
  return Number.isNaN(ms) ? undefined : ms;
}
