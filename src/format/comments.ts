// Corrections to Prettier's generic comment attachment, for the places where the nearest node is
// not where the comment belongs: the end of a component's parameter list (the next node is the
// first declaration of the body), empty bodies and argument lists, and empty calls.
import { util } from 'prettier';
import type * as A from '../syntax/ast.js';
import { tagOf, type PComment, type PNode, type Root } from './tree.js';

interface Decorated extends PComment {
  enclosingNode?: PNode;
  precedingNode?: PNode;
  followingNode?: PNode;
}

const OPERATOR = /==|!=|<=|>=|<|>|\+|-|\*|\/|\^|\.\.|\b(?:and|or|not|in|union|inter|diff|then|else|where|default|steps|of)\b/;

function handle(comment: Decorated, root: Root, placement: 'ownLine' | 'endOfLine' | 'remaining'): boolean {
  const enc = comment.enclosingNode;
  if (!enc) return false;
  const start = comment.span.start;
  const tag = tagOf(enc);
  const prec = comment.precedingNode, fol = comment.followingNode;
  const code = (from: number, to: number) => root.text.slice(from, to).replace(/\/\*[\s\S]*?\*\//g, ' ').replace(/\/\/[^\n]*/g, ' ').trim();
  const spanOf = (n: PNode) => (n as { span: { start: number; end: number } }).span;
  if (specific(comment, root, enc, tag, start)) return true;
  if (placement === 'ownLine' && prec && fol && OPERATOR.test(code(comment.span.end, spanOf(fol).start))) {
    // On its own line before an operator (`a` / `// c` / `+ b`): it stays after `a`.
    util.addTrailingComment(prec as never, comment as never);
    return true;
  }
  if (placement === 'endOfLine' && prec && fol
      && ((prec as { comments?: PComment[] }).comments ?? []).some((c) => c.trailing && !c.text.startsWith('/*'))) {
    // A second line comment after the same node would be printed on a line of its own, where
    // it belongs to what follows.
    util.addLeadingComment(fol as never, comment as never);
    return true;
  }
  if (placement === 'endOfLine' && prec && fol) {
    // After an operator (`a + // c`): operators begin continuation lines, so the comment goes
    // with what follows the operator (`+ // c` newline `b`), not with what precedes it.
    if (OPERATOR.test(code(spanOf(prec).end, start))) {
      util.addLeadingComment(fol as never, comment as never);
      return true;
    }
    // After a declaration's domain (`constraint c[t in T]: // c`): with the declaration's name,
    // so that the domain stays on one line.
    if (tagOf(prec) === 'domain' && tag === 'decl' && 'name' in enc && /^\]\s*:?$/.test(code(spanOf(prec).end, start))) {
      util.addTrailingComment((enc as { name: A.Ident }).name as never, comment as never);
      return true;
    }
  }
  if (placement !== 'ownLine' && prec && fol && /[\])}]/.test(code(spanOf(prec).end, start))
      && !(tagOf(prec) === 'unit' && /^\)+$/.test(code(spanOf(prec).end, start).replace(/\s/g, '')))) {
    // After a bracket that the parent prints (`[t in T] /* c */ =`, `(a + b) /* c */ * d`): a
    // trailing comment of the node inside would be printed inside the bracket.
    util.addLeadingComment(fol as never, comment as never);
    return true;
  }
  return false;
}

/** Components, instances and calls: where the comment is relative to their brackets. */
function specific(comment: Decorated, root: Root, enc: PNode, tag: string | undefined, start: number): boolean {
  const prec = comment.precedingNode;
  const fol = comment.followingNode;
  if (tag === 'decl' && (enc as A.Decl).kind === 'component') {
    const c = enc as A.ComponentDecl;
    const br = root.info.componentBrackets.get(c);
    if (!br || start < c.name.span.end) return false;
    if (start < br.lbrace) {
      // In the parameter list, or between `)` and `{`.
      if (c.params.length === 0) {
        util.addDanglingComment(c as never, comment as never, 'params');
        return true;
      }
      if (!fol || tagOf(fol) !== 'cparam') {
        util.addTrailingComment(c.params[c.params.length - 1]! as never, comment as never);
        return true;
      }
      return false;
    }
    // In the body.
    if (c.body.length === 0) {
      util.addDanglingComment(c as never, comment as never, 'body');
      return true;
    }
    if (prec && tagOf(prec) !== 'decl') {
      util.addLeadingComment(c.body[0]! as never, comment as never);
      return true;
    }
    return false;
  }
  if (tag === 'decl' && (enc as A.Decl).kind === 'instance') {
    const inst = enc as A.InstanceDecl;
    const open = root.info.argsOpen.get(inst);
    if (inst.args.length === 0 && open !== undefined && start > open) {
      util.addDanglingComment(inst as never, comment as never, undefined as never);
      return true;
    }
    return false;
  }
  if (tag === 'expr' && (enc as A.Expr).kind === 'call') {
    const call = enc as Extract<A.Expr, { kind: 'call' }>;
    const open = root.info.argsOpen.get(call);
    if (call.args.length === 0 && call.named.length === 0 && open !== undefined && start > open) {
      util.addDanglingComment(call as never, comment as never, undefined as never);
      return true;
    }
  }
  return false;
}

type Handler = (comment: PNode, text: string, options: unknown, ast: PNode, isLast: boolean) => boolean;

const handler = (placement: 'ownLine' | 'endOfLine' | 'remaining'): Handler =>
  (comment, _text, _options, ast) => handle(comment as Decorated, ast as Root, placement);

export const handleComments = { ownLine: handler('ownLine'), endOfLine: handler('endOfLine'), remaining: handler('remaining') };
