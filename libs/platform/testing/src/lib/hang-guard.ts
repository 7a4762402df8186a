import { runInNewContext } from 'node:vm';

/**
 * Runs `work` and stops it if it is still running after `limitMs`, even inside one regular
 * expression: for inputs built to make a check backtrack, whose bad version would otherwise block
 * the test for minutes or hours rather than fail it. The limit is a hang guard, far above the
 * milliseconds the work takes, not a performance assertion.
 */
export function withinHangGuard<T>(limitMs: number, work: () => T): T {
  try {
    return runInNewContext('work()', { work }, { timeout: limitMs }) as T;
  } catch (error) {
    if ((error as { code?: string }).code === 'ERR_SCRIPT_EXECUTION_TIMEOUT') throw new Error(`still running after ${limitMs} ms: the work does not end in reasonable time`);
    throw error;
  }
}
