import { applyDecorators } from '@nestjs/common';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, Max, Min } from 'class-validator';

/** No list is longer; past it an offset is refused (400) before it reaches PostgreSQL's bigint OFFSET. */
export const MAX_PAGE_OFFSET = 1_000_000_000;

/** The `offset` query parameter of every list: a whole number from 0 to MAX_PAGE_OFFSET, 0 when absent. */
export function PageOffset(): PropertyDecorator {
  return applyDecorators(IsOptional(), Type(() => Number), IsInt(), Min(0), Max(MAX_PAGE_OFFSET));
}

/** The `limit` query parameter of every list: 1 to `max` items a page. */
export function PageLimit(max = 500): PropertyDecorator {
  return applyDecorators(IsOptional(), Type(() => Number), IsInt(), Min(1), Max(max));
}

/** The `sort` query parameter: one of the fields, `-field` for descending. */
export function SortParam(fields: readonly string[]): PropertyDecorator {
  return applyDecorators(IsOptional(), IsIn([...fields, ...fields.map((field) => `-${field}`)]));
}
