/** Reads a JSON file for a command: FILE_UNREADABLE or JSON_INVALID (exit 1) naming the file. */
import { readFileSync } from 'node:fs';
import { CliError } from './io.ts';

export function readJsonFile(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new CliError('FILE_UNREADABLE', `${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new CliError('JSON_INVALID', `${file}: ${(error as Error).message}`);
  }
}
