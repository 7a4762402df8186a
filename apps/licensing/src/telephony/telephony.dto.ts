import { Type } from 'class-transformer';
import { IsBoolean, IsInt, IsOptional, IsString, Max, MaxLength, Min, ValidateIf, ValidateNested } from 'class-validator';
import { PageOffset } from '@identity/platform-service';

export class ExtensionPlanDto {
  @IsInt()
  @Min(2)
  @Max(8)
  length!: number;

  @IsInt()
  @Min(0)
  rangeStart!: number;

  @IsInt()
  @Min(0)
  rangeEnd!: number;
}

export class TelephonySettingsDto {
  @IsOptional()
  @ValidateNested()
  @Type(() => ExtensionPlanDto)
  extensionPlan?: ExtensionPlanDto | null;

  @IsBoolean()
  autoAssignExtension!: boolean;

  @IsBoolean()
  autoAssignNumber!: boolean;

  @IsInt()
  @Min(0)
  @Max(3650)
  quarantineDays!: number;
}

/** Without a value, the next free one is assigned. */
export class AssignExtensionDto {
  // Absent picks the next free one; null is no extension at all, refused like any non-string.
  @ValidateIf((_object: unknown, value: unknown) => value !== undefined)
  @IsString()
  @MaxLength(8)
  extension?: string;
}

/** A page of the number pool (a company may hold tens of thousands). */
export class NumbersQuery {
  @PageOffset() offset = 0;
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(1000) limit = 1000;
}

export class AssignNumberDto {
  // Absent picks the next free one; null is no number at all, refused like any non-string.
  @ValidateIf((_object: unknown, value: unknown) => value !== undefined)
  @IsString()
  @MaxLength(32)
  number?: string;
}
