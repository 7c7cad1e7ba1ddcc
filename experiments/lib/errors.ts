/** A user-facing error (bad input): the CLI prints the message alone and exits with code 2. */
export class ExpError extends Error {
  readonly exitCode = 2;
}
