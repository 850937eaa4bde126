/** Worker thread entry: runs tasks sent by the pool (see `tasks.ts`). */
import * as threads from 'node:worker_threads';
import { Piscina } from 'piscina';
import { runTask, type Task, type TaskOut } from './tasks.js';

/** Whether Node refuses to move `buffer` (Node 21+ can tell; Node 20 copies such a buffer instead of moving it). */
const untransferable = (buffer: ArrayBufferLike): boolean =>
  (threads as { isMarkedAsUntransferable?: (o: unknown) => boolean }).isMarkedAsUntransferable?.(buffer) ?? false;

/** A task's output bytes (`{ output: { bytes } }`, as the evaluate task gives), if it has any. */
function movableBytes(out: TaskOut): Uint8Array | undefined {
  const output = (out as { output?: { bytes?: unknown } }).output;
  return output?.bytes instanceof Uint8Array ? output.bytes : undefined;
}

/**
 * Runs `task`; a batch's output bytes are moved to the pool's thread, not
 * copied. The buffer is this batch's own (never Node's shared Buffer pool,
 * which Node 21 and later refuse to move: see `createBodyBuilder`) and is not
 * touched again here.
 */
export default async function work(task: Task): Promise<TaskOut> {
  const out = await runTask(task);
  const bytes = movableBytes(out);
  if (bytes && bytes.byteLength && !untransferable(bytes.buffer)) {
    const movable = { [Piscina.transferableSymbol]: bytes.buffer, [Piscina.valueSymbol]: out };
    return Piscina.move(movable as unknown as Parameters<typeof Piscina.move>[0]) as unknown as TaskOut;
  }
  return out;
}
