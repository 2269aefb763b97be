import type { Command } from 'commander';
import type { CliIo } from '../program.ts';
import { registerBgpAnnounce } from './bgp-announce.ts';
import { registerBgpDecode } from './bgp-decode.ts';

/** A subcommand of `ironlb bgp`; one file per subcommand (bgp-*.ts). */
export type RegisterBgpSubcommand = (bgp: Command, io: CliIo) => void;

/** Every `ironlb bgp` subcommand; append new ones here. */
export const bgpSubcommands: readonly RegisterBgpSubcommand[] = [
  registerBgpDecode,
  registerBgpAnnounce,
];

/** `ironlb bgp`: tools around our BGP implementation. */
export function registerBgp(program: Command, io: CliIo): void {
  const bgp = program.command('bgp').description('BGP tools: decode messages, talk to peers.');
  for (const register of bgpSubcommands) register(bgp, io);
}
