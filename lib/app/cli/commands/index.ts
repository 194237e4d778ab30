/** The registry of CLI commands: one module per command, each adds itself to the program. */
import type { Command } from 'commander';
import type { CliIO } from '../io';
import { register as cost } from './cost';
import { register as graph } from './graph';
import { register as bounds } from './bounds';
import { register as validateCmd } from './validate';
import { register as scheduleCmd } from './schedule';
import { register as compareCmd } from './compare';
import { register as trainCmd } from './train';
import { register as accuracyCmd } from './accuracy';
import { register as stgCmd } from './stg';
import { register as sweepCmd } from './sweep';
import { register as reproduceCmd } from './reproduce';
import { register as paretoCmd } from './pareto';
import { register as exportScheduleCmd } from './export-schedule';
import { register as importScheduleCmd } from './import-schedule';
import { register as exportTorchCmd } from './export-torch';

export type RegisterCommand = (program: Command, io: CliIO) => void;

// Each command module is added here (one line each).
export const commands: RegisterCommand[] = [cost, graph, bounds, validateCmd, scheduleCmd, exportScheduleCmd, importScheduleCmd, compareCmd, trainCmd, exportTorchCmd, accuracyCmd, stgCmd, sweepCmd, paretoCmd, reproduceCmd];
