/** The registry of CLI commands: one module per command, each adds itself to the program. */
import type { Command } from 'commander';
import type { CliIO } from '../io';

export type RegisterCommand = (program: Command, io: CliIO) => void;

// Each command module is added here (one line each).
export const commands: RegisterCommand[] = [];
