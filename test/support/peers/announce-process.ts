/**
 * `ironlb bgp announce` as a child process, for tests that kill the speaker
 * itself (graceful restart). Stopped like any daemon (bounded, zombie-aware).
 */
import { fileURLToPath } from 'node:url';
import { DaemonProcess } from './daemon-process.ts';

const MAIN = fileURLToPath(new URL('../../../bin/ironlb.js', import.meta.url));

export function startAnnounce(args: readonly string[]): DaemonProcess {
  return new DaemonProcess('ironlb bgp announce', process.execPath, [
    MAIN,
    'bgp',
    'announce',
    ...args,
  ]);
}
