import type { Command } from 'commander';
import type { CliIo } from '../program.ts';
import { registerCheckConfig } from './check-config.ts';
import { registerBgp } from './bgp.ts';
import { registerExplain } from './explain.ts';
import { registerController } from './controller.ts';
import { registerSpeaker } from './speaker.ts';

/** A subcommand adds itself to the program; one file per subcommand. */
export type RegisterCommand = (program: Command, io: CliIo) => void;

export const commands: readonly RegisterCommand[] = [
  registerController,
  registerBgp,
  registerExplain,
  registerCheckConfig,
  registerSpeaker,
];
