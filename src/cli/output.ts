// Where commands write. Tests pass a collecting Output instead of the console.
export interface Output {
  log(line: string): void;
  err(line: string): void;
}

export const consoleOutput: Output = {
  log: (l) => process.stdout.write(l + '\n'),
  err: (l) => process.stderr.write(l + '\n'),
};
