import { Module } from '@nestjs/common';

/** The SAML service provider arrives with the SAML issue. */
@Module({})
export class SamlAuthModule {}
