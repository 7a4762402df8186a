import { applyDecorators } from '@nestjs/common';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';

/** No list is longer; past it an offset is refused (400) before it reaches PostgreSQL's bigint OFFSET. */
export const MAX_PAGE_OFFSET = 1_000_000_000;

/** The `offset` query parameter of every list: a whole number from 0 to MAX_PAGE_OFFSET, 0 when absent. */
export function PageOffset(): PropertyDecorator {
  return applyDecorators(IsOptional(), Type(() => Number), IsInt(), Min(0), Max(MAX_PAGE_OFFSET));
}
