// A pool job module whose every job is a bad input: the pool must hand the InputError back as one.
import { fail } from '../../lib/model/errors';

export function handle(input: { file: string }): never {
  fail(`${input.file}: /layers/0`, 'bad layer');
}
