/** Worker thread entry: runs tasks sent by the pool (see `tasks.ts`). */
import { runTask, type Task, type TaskOut } from './tasks.js';

export default function work(task: Task): Promise<TaskOut> {
  return runTask(task);
}
