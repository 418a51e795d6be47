/** Where the story's progress goes: the terminal (`process.stdout`) or a test's collector. */
export interface ProgressOutput {
  write(text: string): unknown;
  readonly isTTY?: boolean;
}

export interface ProgressDisplay {
  /** A live status: on a terminal it overwrites the previous one; elsewhere it is dropped. */
  live(text: string): void;
  /** A line that stays: ends a phase (and replaces the live status on a terminal). */
  line(text: string): void;
}

const TTY_REFRESH_MS = 80;

/**
 * Readable progress without a dependency: on a terminal one live line of counters rewritten in
 * place with `\r` (at most every 80 ms), and a line that stays at the end of each phase; when the
 * output is not a terminal (a pipe, a file, CI), only the lines that stay, so logs stay clean.
 */
export function createProgressDisplay(output: ProgressOutput): ProgressDisplay {
  if (!output.isTTY) return { live() {}, line: (text) => void output.write(`${text}\n`) };
  let shownAt = 0;
  let pending = false;
  return {
    live(text) {
      const now = Date.now();
      if (now - shownAt < TTY_REFRESH_MS) return;
      shownAt = now;
      pending = true;
      output.write(`\r\x1b[2K${text}`);
    },
    line(text) {
      output.write(`${pending ? '\r\x1b[2K' : ''}${text}\n`);
      pending = false;
      shownAt = 0;
    },
  };
}
