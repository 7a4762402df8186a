import { Batcher, type BatchOutcome } from '@identity/platform-batching';
import type { BatchCommand, BatchShape, CommandContext, CommandOutcome, CommandRunner } from './command-runner';
import type { NewEvent } from './event-store.types';

type GroupedCommand<Command> = BatchCommand<Command> & { context: CommandContext };

/**
 * Group commit for one kind of command: commands that arrive while others are being written go
 * together, as one transaction (`CommandRunner.runBatch`), so under concurrency a write costs a
 * share of a few round trips instead of a dozen of its own. A command that arrives alone runs at
 * once, exactly as `run` would. When a batch fails as a whole (a username another command of it
 * took, a concurrent writer), each of its commands runs again on its own, and every caller gets the
 * outcome it would have had alone. Two commands on one stream never share a batch.
 */
export class GroupCommit<State, Command, Event extends NewEvent> {
  private readonly batcher: Batcher<GroupedCommand<Command>, CommandOutcome<State>>;

  constructor(
    private readonly runner: CommandRunner,
    private readonly shape: BatchShape<State, Command, Event>,
  ) {
    this.batcher = new Batcher((commands) => this.write(commands), {
      canJoin: (batch, command) => !batch.some((other) => other.streamId === command.streamId),
    });
  }

  run(command: GroupedCommand<Command>): Promise<CommandOutcome<State>> {
    return this.batcher.submit(command);
  }

  private async write(commands: GroupedCommand<Command>[]): Promise<BatchOutcome<CommandOutcome<State>>[]> {
    if (commands.length > 1) {
      try {
        const results = await this.runner.runBatch<State, Command, Event>({ ...this.shape, context: commands[0].context, commands });
        return results.map((result) => ('outcome' in result ? { value: result.outcome } : { error: result.refused }));
      } catch {
        // Fall through: each command on its own.
      }
    }
    return Promise.all(commands.map((command) => this.alone(command)));
  }

  private async alone(command: GroupedCommand<Command>): Promise<BatchOutcome<CommandOutcome<State>>> {
    try {
      return { value: await this.runner.run<State, Command, Event>({ ...this.shape, ...command }) };
    } catch (error) {
      return { error };
    }
  }
}
