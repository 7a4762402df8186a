import { Command } from '@nestjs/cqrs';

export class RenameSiteCommand extends Command<{ siteId: string; name: string }> {
  constructor(
    readonly tenantId: string,
    readonly siteId: string,
    readonly name: string,
    readonly correlationId: string,
  ) {
    super();
  }
}
