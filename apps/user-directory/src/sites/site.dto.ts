import { IsIn, IsInt, IsOptional, IsString, Length, Max, Min } from 'class-validator';
import { Type } from 'class-transformer';
import { PageOffset } from '@identity/platform-service';

export class SiteNameDto {
  @IsString()
  @Length(1, 200)
  name!: string;
}

export class ListSitesQuery {
  @PageOffset() offset = 0;

  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(500)
  limit = 50;

  @IsOptional() @IsIn(['name', '-name', 'createdAt', '-createdAt'])
  sort: 'name' | '-name' | 'createdAt' | '-createdAt' = 'name';
}
