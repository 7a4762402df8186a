import { createHash, randomBytes, randomUUID } from 'node:crypto';

/** A new admin API token: 256 random bits, recognisable by its prefix; only the hash is stored. */
export function newAdminToken(): { token: string; tokenId: string; tokenHash: string } {
  const token = `ipa_${randomBytes(32).toString('base64url')}`;
  return { token, tokenId: randomUUID(), tokenHash: createHash('sha256').update(token).digest('hex') };
}
