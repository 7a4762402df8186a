import { Command } from '@nestjs/cqrs';

export interface CreatedTenant {
  tenantId: string;
  name: string;
  /** Shown once: only its hash is kept. */
  adminToken: string;
  tokenId: string;
}

export class CreateTenantCommand extends Command<CreatedTenant> {
  constructor(
    readonly name: string,
    readonly correlationId: string,
  ) {
    super();
  }
}
