/** The registry of CLI commands: one module per command, each adds itself to the program. */
import type { Command } from 'commander';
import type { CliIO } from '../io';
import { register as cost } from './cost';
import { register as graph } from './graph';
import { register as bounds } from './bounds';
import { register as validateCmd } from './validate';

export type RegisterCommand = (program: Command, io: CliIO) => void;

// Each command module is added here (one line each).
export const commands: RegisterCommand[] = [cost, graph, bounds, validateCmd];
