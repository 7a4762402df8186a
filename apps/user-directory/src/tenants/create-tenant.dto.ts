import { IsString, Length } from 'class-validator';

export class CreateTenantDto {
  @IsString()
  @Length(1, 200)
  name!: string;
}
