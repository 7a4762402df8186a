import type { TenantCommand } from './tenant.commands';
import { DirectoryRuleViolation } from './tenant.errors';
import type { TenantEvent } from './tenant.events';
import { evolveTenant, initialTenantState, type TenantState } from './tenant.state';

export const TENANT_NAME_MAX = 200;

export function normaliseTenantName(name: string): string {
  return name.trim().replace(/\s+/g, ' ');
}

export function decideTenant(command: TenantCommand, state: TenantState): TenantEvent[] {
  switch (command.type) {
    case 'CreateTenant': {
      if (state.exists) throw new DirectoryRuleViolation('tenant-exists', 'the tenant already exists');
      const name = normaliseTenantName(command.name);
      if (name.length === 0 || name.length > TENANT_NAME_MAX) {
        throw new DirectoryRuleViolation('invalid-name', `a company name has 1 to ${TENANT_NAME_MAX} characters`);
      }
      return [
        { type: 'TenantCreated', data: { tenantId: command.tenantId, name } },
        {
          type: 'TenantAdminTokenIssued',
          data: { tenantId: command.tenantId, tokenId: command.firstToken.tokenId, tokenHash: command.firstToken.tokenHash, label: 'initial' },
        },
      ];
    }
    case 'IssueAdminToken':
      requireTenant(state);
      return [
        {
          type: 'TenantAdminTokenIssued',
          data: { tenantId: command.tenantId, tokenId: command.tokenId, tokenHash: command.tokenHash, label: command.label.slice(0, 100) },
        },
      ];
    case 'RevokeAdminToken':
      requireTenant(state);
      if (!state.activeTokens.has(command.tokenId)) throw new DirectoryRuleViolation('token-not-found', 'no such active token');
      return [{ type: 'TenantAdminTokenRevoked', data: { tenantId: command.tenantId, tokenId: command.tokenId } }];
  }
}

function requireTenant(state: TenantState): void {
  if (!state.exists) throw new DirectoryRuleViolation('tenant-not-found', 'no such tenant');
}

export const tenantDecider = { initialState: initialTenantState, evolve: evolveTenant, decide: decideTenant };
