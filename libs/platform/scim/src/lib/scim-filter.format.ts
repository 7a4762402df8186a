import type { AttrPath, FilterNode, FilterValue } from './scim-filter.types';

/**
 * Canonical text for a filter: lower-case keywords, JSON-quoted strings, and only the parentheses
 * the precedence rules need, so `parseFilter(formatFilter(ast))` gives back the same AST.
 */
export function formatFilter(node: FilterNode): string {
  switch (node.kind) {
    case 'compare':
      return `${formatAttributePath(node.path)} ${node.op} ${formatValue(node.value)}`;
    case 'present':
      return `${formatAttributePath(node.path)} pr`;
    case 'valuePath':
      return `${formatAttributePath(node.path)}[${formatFilter(node.filter)}]`;
    case 'not':
      return `not (${formatFilter(node.filter)})`;
    case 'and':
      // Both operators parse left-associatively, so a right operand of the same kind needs parentheses.
      return `${group(node.left, node.left.kind === 'or')} and ${group(node.right, node.right.kind === 'or' || node.right.kind === 'and')}`;
    case 'or':
      return `${formatFilter(node.left)} or ${group(node.right, node.right.kind === 'or')}`;
  }
}

export function formatAttributePath(path: AttrPath): string {
  const uri = path.uri !== undefined ? `${path.uri}:` : '';
  const filter = path.valueFilter !== undefined ? `[${formatFilter(path.valueFilter)}]` : '';
  const sub = path.subAttribute !== undefined ? `.${path.subAttribute}` : '';
  return `${uri}${path.attribute}${filter}${sub}`;
}

function formatValue(value: FilterValue): string {
  return typeof value === 'number' ? String(value) : JSON.stringify(value);
}

function group(node: FilterNode, needed: boolean): string {
  return needed ? `(${formatFilter(node)})` : formatFilter(node);
}
