import { Command } from '@nestjs/cqrs';

export class CreateSiteCommand extends Command<{ siteId: string; name: string }> {
  constructor(
    readonly tenantId: string,
    readonly name: string,
    readonly correlationId: string,
  ) {
    super();
  }
}
