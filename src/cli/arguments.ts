import { InvalidArgumentError } from 'commander';
import { parseDuration } from '../config/duration.ts';

/**
 * Argument parsers shared by the subcommands. Each throws commander's
 * InvalidArgumentError, which the CLI reports with the flag's name.
 */

/** A Go-style duration ("90s", "1m30s"), in milliseconds; 0 allowed. */
export function durationArgument(text: string): number {
  const parsed = parseDuration(text);
  if (!parsed.ok) throw new InvalidArgumentError(parsed.reason);
  return parsed.value;
}

/** A duration longer than 0, in milliseconds. */
export function positiveDurationArgument(text: string): number {
  const value = durationArgument(text);
  if (value <= 0) throw new InvalidArgumentError('must be longer than 0');
  return value;
}

/** A TCP port, 0 meaning "any". */
export function portArgument(text: string): number {
  const value = Number(text);
  if (!/^\d{1,5}$/.test(text) || value > 65535) {
    throw new InvalidArgumentError('must be a port number 0-65535');
  }
  return value;
}

/** A whole number from `min` to `max`, the flag named in the message. */
export function wholeNumberArgument(
  name: string,
  min: number,
  max: number,
): (text: string) => number {
  return (text) => {
    const value = Number(text);
    if (!/^\d+$/.test(text) || value < min || value > max) {
      throw new InvalidArgumentError(`${name} must be a whole number ${min}-${max}`);
    }
    return value;
  };
}

/** For repeatable flags: every value, in order. */
export function collectArgument(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}
