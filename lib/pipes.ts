/**
 * A reader that stops early (`npm run exp -- list | head`) closes the pipe: the CLI then ends
 * quietly, as Unix tools do, instead of an unhandled EPIPE error.
 */
export function exitQuietlyOnClosedPipe(): void {
  for (const s of [process.stdout, process.stderr])
    s.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EPIPE') process.exit(0);
      throw e;
    });
}
