/** Worker thread entry: runs tasks sent by the pool (see `tasks.ts`). */
import * as threads from 'node:worker_threads';
import { Piscina } from 'piscina';
import { runTask, type Task, type TaskOut } from './tasks.js';

/** Whether Node refuses to move `buffer` (Node 21+ can tell; Node 20 copies such a buffer instead of moving it). */
const untransferable = (buffer: ArrayBufferLike): boolean =>
  (threads as { isMarkedAsUntransferable?: (o: unknown) => boolean }).isMarkedAsUntransferable?.(buffer) ?? false;

/**
 * Runs `task`; a batch's output bytes are moved to the pool's thread, not
 * copied. The buffer is this batch's own (never Node's shared Buffer pool,
 * which Node 21 and later refuse to move: see `createBodyBuilder`) and is not
 * touched again here.
 */
export default async function work(task: Task): Promise<TaskOut> {
  const out = await runTask(task);
  if (out.kind === 'evaluate' && out.output && 'bytes' in out.output && out.output.bytes.byteLength && !untransferable(out.output.bytes.buffer)) {
    const movable = { [Piscina.transferableSymbol]: out.output.bytes.buffer, [Piscina.valueSymbol]: out };
    return Piscina.move(movable as unknown as Parameters<typeof Piscina.move>[0]) as unknown as TaskOut;
  }
  return out;
}
