/**
 * Shape checks of the rows of the JSONL result files (`stg --jsonl`, `sweep --jsonl`, the
 * caches of `reproduce`), applied on every read: a row of the wrong shape is one line naming
 * the file, the line and the JSON path, never a table of nulls or a TypeError.
 */
import Ajv, { type AnySchema } from 'ajv';
import { schemaErrors } from '../../model/io/json';
import type { RowCheck } from '../../model/io/jsonl';

const ajv = new Ajv({ allErrors: false, verbose: true, strict: false });

/** A RowCheck from a JSON schema. */
export function rowCheck(schema: AnySchema): RowCheck {
  const check = ajv.compile(schema);
  return (row) => (check(row) ? null : schemaErrors('row', check.errors).message);
}

const num = { type: 'number' };
const numOrNull = { type: ['number', 'null'] };
const str = { type: 'string' };

/** A row of `stg --jsonl`. */
export const STG_ROW_SCHEMA = {
  type: 'object',
  required: ['graph', 'sha256', 'procs', 'solver', 'makespan', 'lowerBound', 'publishedOpt', 'publishedLb', 'publishedUb', 'gap', 'status', 'valid', 'belowPublished', 'options', 'seconds'],
  properties: {
    graph: str,
    sha256: { type: 'string', pattern: '^[0-9a-f]{64}$' },
    procs: { type: 'integer', minimum: 1 },
    solver: str,
    makespan: numOrNull,
    lowerBound: num,
    publishedOpt: numOrNull,
    publishedLb: numOrNull,
    publishedUb: numOrNull,
    gap: numOrNull,
    status: { enum: ['optimal', 'feasible', 'timeout', 'infeasible', 'invalid'] },
    valid: { type: 'boolean' },
    belowPublished: { type: 'boolean' },
    options: str,
    seconds: num,
  },
};

/** A finished cell (lib/app/pipeline/cells.ts): the fields every table reads. */
const CELL_SCHEMA = {
  type: 'object',
  required: ['network', 'hardware', 'procs', 'method', 'ok', 'period', 'lowerBound', 'gap', 'valid', 'simulatedPeriod', 'crossingBytes', 'totalCommunication', 'staleness', 'peakMemoryBytes', 'solverSeconds', 'notes'],
  properties: {
    network: str,
    hardware: str,
    procs: { type: 'integer', minimum: 1 },
    method: str,
    delayRule: str,
    variant: str,
    ok: { type: 'boolean' },
    error: str,
    period: numOrNull,
    lowerBound: numOrNull,
    gap: numOrNull,
    valid: { type: 'boolean' },
    simulatedPeriod: numOrNull,
    crossingBytes: numOrNull,
    totalCommunication: numOrNull,
    totalTraffic: numOrNull,
    staleness: { type: 'array', items: num },
    peakMemoryBytes: numOrNull,
    solverSeconds: num,
    notes: { type: 'array', items: str },
  },
};

/** A row of `sweep --jsonl`: the point's key and inputs' digest, the point, its cell. */
export const SWEEP_ROW_SCHEMA = {
  type: 'object',
  required: ['key', 'point', 'result'],
  properties: {
    key: str,
    inputs: { type: 'string', pattern: '^[0-9a-f]{64}$' },
    point: { type: 'object', required: ['key', 'network', 'procs', 'method'], properties: { key: str, network: str, procs: { type: 'integer', minimum: 1 }, method: str } },
    result: CELL_SCHEMA,
  },
};

export const checkStgRow = rowCheck(STG_ROW_SCHEMA);
export const checkSweepRow = rowCheck(SWEEP_ROW_SCHEMA);
