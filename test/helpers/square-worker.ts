// A job module for the pool tests: squares a number, fails on negative input.
export function handle(input: { x: number }): { y: number } {
  if (input.x < 0) throw new Error(`negative input ${input.x}`);
  return { y: input.x * input.x };
}
