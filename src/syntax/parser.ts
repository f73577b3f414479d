// The evg parser: Chevrotain, embedded actions, error recovery on.
//
// Precedence, loosest first: or, and, not, comparison, set operators (union inter diff), range
// (a..b), + -, * /, unary -, ^, postfix ([...] indexing and .member). `sum(i in I) body` binds its
// body at the level of * and / (as AMPL does): `sum(i in I) c[i] * x[i] + y` adds y once.
// `if c then a else b` takes additive expressions in both branches.
import { EmbeddedActionsParser, type IRecognitionException, type IToken, type ParserMethod, type TokenType, EOF, tokenMatcher } from './chevrotain.js';
import * as L from './lexer.js';
import type * as A from './ast.js';
import type { Span } from '../diagnostics/diagnostic.js';
import { isUnitName } from '../check/unit-names.js';

const K = L.Keywords;

class EvgParser extends EmbeddedActionsParser {
  file = '';

  constructor() {
    super(L.allTokens, { recoveryEnabled: true, maxLookahead: 2, skipValidations: process.env['EVG_VALIDATE_GRAMMAR'] !== '1' });
    this.performSelfAnalysis();
  }

  // ------------------------------------------------------------ helpers

  // With error recovery on, a sub-rule that fails and re-synchronises returns its rule's
  // recovery value to the caller's embedded actions. Every rule whose result an action uses
  // therefore has one: an `error` node (expressions), a `unitOne` node (units) or an empty domain,
  // spanning the token where the error was found. The syntax error itself is already recorded.
  private exprRule(name: string, impl: () => A.Expr): ParserMethod<[], A.Expr> {
    return this.RULE(name, impl, { recoveryValueFunc: (e: IRecognitionException) => ({ kind: 'error', span: this.span(e.token, e.token) }) as A.Expr });
  }

  private emptyDomain(e: IRecognitionException): A.Domain {
    return { bindings: [], span: this.span(e.token, e.token) };
  }

  private unitRule(name: string, impl: () => A.UnitExpr): ParserMethod<[], A.UnitExpr> {
    return this.RULE(name, impl, { recoveryValueFunc: (e: IRecognitionException) => ({ kind: 'unitOne', span: this.span(e.token, e.token) }) as A.UnitExpr });
  }

  private span(first: IToken, last: IToken = this.LA(0)): Span {
    if (!isReal(first) && !isReal(last)) return { file: this.file, start: 0, end: 0, line: 1, col: 1 };
    const f = isReal(first) ? first : last;
    const l = isReal(last) && last.startOffset >= f.startOffset ? last : f;
    return {
      file: this.file,
      start: f.startOffset,
      end: (l.endOffset ?? l.startOffset) + 1,
      line: f.startLine ?? 1,
      col: f.startColumn ?? 1,
    };
  }

  private joinSpan(a: Span, b: Span): Span {
    return { file: a.file, start: a.start, end: Math.max(a.end, b.end), line: a.line, col: a.col };
  }

  private ident(tok: IToken): A.Ident {
    return { name: tok.image, span: this.span(tok, tok) };
  }

  /** Is the token at LA(k) the start of a unit inside a quantity literal (`5 MW`, `0.2 $/kWh`)? */
  private unitAtomAt(k: number): boolean {
    const t = this.LA(k);
    if (tokenMatcher(t, L.Dollar) || tokenMatcher(t, L.KiloDollar) || tokenMatcher(t, L.Percent) || tokenMatcher(t, L.PerUnit) || tokenMatcher(t, L.Ohm)) return true;
    if (!tokenMatcher(t, L.Identifier) || !isUnitName(t.image)) return false;
    const next = this.LA(k + 1);
    // `min(a, b)` is a call and `h[t]` / `m.x` are references, not units.
    return !(tokenMatcher(next, L.LParen) || tokenMatcher(next, L.LBracket) || tokenMatcher(next, L.Dot));
  }

  /** Looks past a parenthesised list of identifiers: `(a, b) in` starts a tuple binding. */
  private tupleBindingAhead(start: number): boolean {
    if (!tokenMatcher(this.LA(start), L.LParen)) return false;
    let k = start + 1;
    for (;;) {
      if (!tokenMatcher(this.LA(k), L.Identifier)) return false;
      k++;
      if (tokenMatcher(this.LA(k), L.Comma)) { k++; continue; }
      if (!tokenMatcher(this.LA(k), L.RParen)) return false;
      return tokenMatcher(this.LA(k + 1), K.in);
    }
  }

  private bindingAhead(start: number): boolean {
    return (tokenMatcher(this.LA(start), L.Identifier) && tokenMatcher(this.LA(start + 1), K.in)) || this.tupleBindingAhead(start);
  }

  // ------------------------------------------------------------ file and declarations

  public modelFile = this.RULE('modelFile', (): A.Decl[] => {
    const decls: A.Decl[] = [];
    this.MANY(() => {
      this.OR([
        { ALT: () => { const d = this.SUBRULE(this.declaration); this.ACTION(() => { if (d) decls.push(d); }); } },
        { ALT: () => { this.CONSUME(L.Semicolon); } },
      ]);
    });
    return decls;
  });

  public declaration = this.RULE('declaration', (): A.Decl => {
    return this.OR([
      { ALT: () => this.SUBRULE(this.importDecl) },
      { ALT: () => this.SUBRULE(this.horizonDecl) },
      { ALT: () => this.SUBRULE(this.setDecl) },
      { ALT: () => this.SUBRULE(this.paramDecl) },
      { ALT: () => this.SUBRULE(this.tableDecl) },
      { ALT: () => this.SUBRULE(this.varDecl) },
      { ALT: () => this.SUBRULE(this.constraintDecl) },
      { ALT: () => this.SUBRULE(this.exprDecl) },
      { ALT: () => this.SUBRULE(this.costDecl) },
      { ALT: () => this.SUBRULE(this.objectiveDecl) },
      { ALT: () => this.SUBRULE(this.componentDecl) },
      { ALT: () => this.SUBRULE(this.instanceDecl) },
      { ALT: () => this.SUBRULE(this.networkDecl) },
      { ALT: () => this.SUBRULE(this.uncertainDecl) },
      { ALT: () => this.SUBRULE(this.scenariosDecl) },
      { ALT: () => this.SUBRULE(this.recourseDecl) },
      { ALT: () => this.SUBRULE(this.treatmentDecl) },
    ]);
  }, { recoveryValueFunc: () => undefined as unknown as A.Decl });

  private networkDecl = this.RULE('networkDecl', (): A.NetworkDecl => {
    const kw = this.CONSUME(K.network);
    const name = this.CONSUME(L.Identifier);
    this.CONSUME(L.Equals);
    const source = this.SUBRULE(this.expression);
    return { kind: 'network', name: this.ident(name), source, span: this.span(kw) };
  });

  private uncertainDecl = this.RULE('uncertainDecl', (): A.UncertainDecl => {
    const kw = this.CONSUME(K.uncertain);
    const name = this.CONSUME(L.Identifier);
    const domain = this.OPTION(() => this.SUBRULE(this.bracketDomain));
    const unit = this.OPTION2(() => { this.CONSUME(L.Colon); return this.SUBRULE(this.declUnit); });
    const distribution = this.OPTION3(() => { this.CONSUME(L.Tilde); return this.SUBRULE(this.addExpr); });
    const value = this.OPTION4(() => { this.CONSUME(L.Equals); return this.SUBRULE2(this.addExpr); });
    const set = this.OPTION5(() => { this.CONSUME(K.in); return this.SUBRULE3(this.addExpr); });
    return { kind: 'uncertain', name: this.ident(name), domain, unit, distribution, value, set, span: this.span(kw) };
  });

  private scenariosDecl = this.RULE('scenariosDecl', (): A.ScenariosDecl => {
    const kw = this.CONSUME(K.scenarios);
    const name = this.CONSUME(L.Identifier);
    this.CONSUME(L.Equals);
    const source = this.SUBRULE(this.expression);
    return { kind: 'scenarios', name: this.ident(name), source, span: this.span(kw) };
  });

  private recourseDecl = this.RULE('recourseDecl', (): A.RecourseDecl => {
    const kw = this.CONSUME(K.recourse);
    const targets: A.Expr[] = [];
    this.AT_LEAST_ONE_SEP({ SEP: L.Comma, DEF: () => { const t = this.SUBRULE(this.addExpr); this.ACTION(() => targets.push(t)); } });
    return { kind: 'recourse', targets, span: this.span(kw) };
  });

  private treatmentDecl = this.RULE('treatmentDecl', (): A.TreatmentDecl => {
    const kw = this.CONSUME(K.treatment);
    const method = this.SUBRULE(this.addExpr);
    return { kind: 'treatment', method, span: this.span(kw) };
  });

  private importDecl = this.RULE('importDecl', (): A.ImportDecl => {
    const kw = this.CONSUME(K.import);
    let path: string | undefined;
    const module: A.Ident[] = [];
    this.OR([
      { ALT: () => { const s = this.CONSUME(L.StringLit); path = this.ACTION(() => unquote(s.image)); } },
      {
        ALT: () => {
          const first = this.CONSUME(L.Identifier);
          this.ACTION(() => module.push(this.ident(first)));
          this.MANY(() => {
            this.CONSUME(L.Dot);
            const part = this.CONSUME2(L.Identifier);
            this.ACTION(() => module.push(this.ident(part)));
          });
        },
      },
    ]);
    return { kind: 'import', path, module: path === undefined ? module : undefined, span: this.span(kw) };
  });

  private horizonDecl = this.RULE('horizonDecl', (): A.HorizonDecl => {
    const kw = this.CONSUME(K.horizon);
    const name = this.CONSUME(L.Identifier);
    this.CONSUME(L.Equals);
    const steps = this.SUBRULE(this.addExpr);
    this.CONSUME(K.steps);
    this.CONSUME(K.of);
    const step = this.SUBRULE2(this.addExpr);
    return { kind: 'horizon', name: this.ident(name), steps, step, span: this.span(kw) };
  });

  private setDecl = this.RULE('setDecl', (): A.SetDecl => {
    const kw = this.CONSUME(K.set);
    const name = this.CONSUME(L.Identifier);
    this.CONSUME(L.Equals);
    const value = this.SUBRULE(this.expression);
    return { kind: 'set', name: this.ident(name), value, span: this.span(kw) };
  });

  private paramDecl = this.RULE('paramDecl', (): A.ParamDecl => {
    const kw = this.CONSUME(K.param);
    const name = this.CONSUME(L.Identifier);
    const domain = this.OPTION(() => this.SUBRULE(this.bracketDomain));
    const unit = this.OPTION2(() => { this.CONSUME(L.Colon); return this.SUBRULE(this.declUnit); });
    const elementOf = this.OPTION3(() => { this.CONSUME(K.in); return this.SUBRULE(this.setOpExpr); });
    const value = this.OPTION4(() => { this.CONSUME(L.Equals); return this.SUBRULE(this.paramValue); });
    const dflt = this.OPTION5(() => { this.CONSUME(K.default); return this.SUBRULE2(this.addExpr); });
    return { kind: 'param', name: this.ident(name), domain, unit, elementOf, value, default: dflt, span: this.span(kw) };
  });

  private tableDecl = this.RULE('tableDecl', (): A.TableDecl => {
    const kw = this.CONSUME(K.table);
    const name = this.CONSUME(L.Identifier);
    this.CONSUME(L.Equals);
    const source = this.SUBRULE(this.expression);
    return { kind: 'table', name: this.ident(name), source, span: this.span(kw) };
  });

  private varDecl = this.RULE('varDecl', (): A.VarDecl => {
    const kw = this.CONSUME(K.var);
    const name = this.CONSUME(L.Identifier);
    const domain = this.OPTION(() => this.SUBRULE(this.bracketDomain));
    const unit = this.OPTION2(() => { this.CONSUME(L.Colon); return this.SUBRULE(this.declUnit); });
    let type: A.VarType = 'continuous';
    this.OPTION3(() => {
      this.OR([
        { ALT: () => { this.CONSUME(K.integer); type = 'integer'; } },
        { ALT: () => { this.CONSUME(K.binary); type = 'binary'; } },
        { ALT: () => { this.CONSUME(K.continuous); type = 'continuous'; } },
      ]);
    });
    let lower: A.Expr | undefined, upper: A.Expr | undefined;
    this.OPTION4(() => {
      this.OR2([
        {
          ALT: () => {
            this.CONSUME2(K.in);
            this.CONSUME(L.LBracket);
            lower = this.SUBRULE(this.addExpr);
            this.CONSUME(L.Comma);
            upper = this.SUBRULE2(this.addExpr);
            this.CONSUME(L.RBracket);
          },
        },
        {
          ALT: () => {
            this.CONSUME(L.GreaterEq);
            lower = this.SUBRULE3(this.addExpr);
            this.OPTION5(() => { this.CONSUME(L.LessEq); upper = this.SUBRULE4(this.addExpr); });
          },
        },
        {
          ALT: () => {
            this.CONSUME2(L.LessEq);
            upper = this.SUBRULE5(this.addExpr);
            this.OPTION6(() => { this.CONSUME2(L.GreaterEq); lower = this.SUBRULE6(this.addExpr); });
          },
        },
      ]);
    });
    return { kind: 'var', name: this.ident(name), domain, unit, type, lower, upper, span: this.span(kw) };
  });

  private constraintDecl = this.RULE('constraintDecl', (): A.ConstraintDecl => {
    const kw = this.CONSUME(K.constraint);
    const name = this.CONSUME(L.Identifier);
    const domain = this.OPTION(() => this.SUBRULE(this.bracketDomain));
    // `in expectation` or `with probability P`: how the row treats the uncertain data.
    let probability: A.Expr | undefined, expectation: Span | undefined;
    this.OPTION3(() => this.OR3([
      {
        ALT: () => {
          const a = this.CONSUME2(K.in);
          const b = this.CONSUME(K.expectation);
          this.ACTION(() => { expectation = this.span(a, b); });
        },
      },
      {
        ALT: () => {
          this.CONSUME(K.with);
          this.CONSUME(K.probability);
          probability = this.SUBRULE3(this.addExpr);
        },
      },
    ]));
    this.CONSUME(L.Colon);
    const base = { kind: 'constraint' as const, name: this.ident(name), domain, probability, expectation };
    return this.OR({
      IGNORE_AMBIGUITIES: true,
      DEF: [
        {
          // `if COND then REL [else REL]` (an implication or a conditional constraint), or a
          // relation whose first part is the expression `if c then a else b`.
          GATE: () => tokenMatcher(this.LA(1), K.if),
          ALT: () => {
            const ifTok = this.CONSUME(K.if);
            const test = this.SUBRULE(this.orExpr);
            this.CONSUME(K.then);
            const a = this.SUBRULE(this.setOpExpr);
            return this.OR2([
              {
                ALT: () => {
                  const tail = this.SUBRULE(this.relationTail);
                  const otherwise = this.OPTION2(() => { this.CONSUME(K.else); return this.SUBRULE(this.relationChain); });
                  return this.ACTION(() => ({ ...base, parts: [a, ...tail.parts], rels: tail.rels, when: test, otherwise, span: this.span(kw) }));
                },
              },
              {
                ALT: () => {
                  this.CONSUME2(K.else);
                  const b = this.SUBRULE(this.addExpr);
                  const tail = this.SUBRULE2(this.relationTail);
                  return this.ACTION(() => {
                    const first: A.Expr = { kind: 'cond', test, then: a, else: b, span: this.joinSpan(this.span(ifTok, ifTok), b.span) };
                    return { ...base, parts: [first, ...tail.parts], rels: tail.rels, span: this.span(kw) };
                  });
                },
              },
            ]);
          },
        },
        {
          ALT: () => {
            const chain = this.SUBRULE2(this.relationChain);
            return this.ACTION(() => ({ ...base, parts: chain.parts, rels: chain.rels, span: this.span(kw) }));
          },
        },
      ],
    });
  });

  /** `e0 rel e1 [rel e2]`. */
  private relationChain = this.RULE('relationChain', (): { parts: A.Expr[]; rels: A.Relation[] } => {
    const first = this.SUBRULE(this.setOpExpr);
    const tail = this.SUBRULE(this.relationTail);
    return this.ACTION(() => ({ parts: [first, ...tail.parts], rels: tail.rels }));
  }, { recoveryValueFunc: () => ({ parts: [], rels: [] }) });

  /** `rel e1 [rel e2]` after the first part. */
  private relationTail = this.RULE('relationTail', (): { parts: A.Expr[]; rels: A.Relation[] } => {
    const parts: A.Expr[] = [];
    const rels: A.Relation[] = [];
    this.AT_LEAST_ONE(() => {
      const r = this.SUBRULE(this.relation);
      const e = this.SUBRULE(this.setOpExpr);
      this.ACTION(() => { rels.push(r); parts.push(e); });
    });
    return { parts, rels };
  }, { recoveryValueFunc: () => ({ parts: [], rels: [] }) });

  private relation = this.RULE('relation', (): A.Relation => {
    return this.OR([
      { ALT: () => { this.CONSUME(L.EqEq); return '==' as const; } },
      { ALT: () => { this.CONSUME(L.LessEq); return '<=' as const; } },
      { ALT: () => { this.CONSUME(L.GreaterEq); return '>=' as const; } },
    ]);
  }, { recoveryValueFunc: () => '==' as const });

  private exprDecl = this.RULE('exprDecl', (): A.ExprDecl => {
    const kw = this.CONSUME(K.expr);
    const name = this.CONSUME(L.Identifier);
    const domain = this.OPTION(() => this.SUBRULE(this.bracketDomain));
    const unit = this.OPTION2(() => { this.CONSUME(L.Colon); return this.SUBRULE(this.declUnit); });
    this.CONSUME(L.Equals);
    const value = this.SUBRULE(this.expression);
    return { kind: 'expr', name: this.ident(name), domain, unit, value, span: this.span(kw) };
  });

  private costDecl = this.RULE('costDecl', (): A.CostDecl => {
    const kw = this.CONSUME(K.cost);
    const name = this.CONSUME(L.Identifier);
    const unit = this.OPTION(() => { this.CONSUME(L.Colon); return this.SUBRULE(this.declUnit); });
    this.CONSUME(L.Equals);
    const value = this.SUBRULE(this.expression);
    return { kind: 'cost', name: this.ident(name), unit, value, span: this.span(kw) };
  });

  private objectiveDecl = this.RULE('objectiveDecl', (): A.ObjectiveDecl => {
    let sense: 'minimize' | 'maximize' = 'minimize';
    const kw = this.OR([
      { ALT: () => this.CONSUME(K.minimize) },
      { ALT: () => { const t = this.CONSUME(K.maximize); sense = 'maximize'; return t; } },
    ]);
    const name = this.CONSUME(L.Identifier);
    const unit = this.OPTION(() => { this.CONSUME(L.Colon); return this.SUBRULE(this.declUnit); });
    this.CONSUME(L.Equals);
    const value = this.SUBRULE(this.expression);
    return { kind: 'objective', sense, name: this.ident(name), unit, value, span: this.span(kw) };
  });

  private componentDecl = this.RULE('componentDecl', (): A.ComponentDecl => {
    const kw = this.CONSUME(K.component);
    const name = this.CONSUME(L.Identifier);
    const params: A.ComponentParam[] = [];
    this.CONSUME(L.LParen);
    // Parameters are separated by commas; a trailing comma is allowed.
    this.OPTION(() => {
      const p = this.SUBRULE(this.componentParam);
      this.ACTION(() => { if (p) params.push(p); });
      this.MANY2({
        GATE: () => tokenMatcher(this.LA(2), L.Identifier),
        DEF: () => {
          this.CONSUME(L.Comma);
          const q = this.SUBRULE2(this.componentParam);
          this.ACTION(() => { if (q) params.push(q); });
        },
      });
      this.OPTION2(() => this.CONSUME2(L.Comma));
    });
    this.CONSUME(L.RParen);
    this.CONSUME(L.LBrace);
    const body: A.Decl[] = [];
    this.MANY(() => {
      this.OR2([
        { ALT: () => { const d = this.SUBRULE(this.declaration); this.ACTION(() => { if (d) body.push(d); }); } },
        { ALT: () => { this.CONSUME(L.Semicolon); } },
      ]);
    });
    this.CONSUME(L.RBrace);
    return { kind: 'component', name: this.ident(name), params, body, span: this.span(kw) };
  });

  private componentParam = this.RULE('componentParam', (): A.ComponentParam => {
    const name = this.CONSUME(L.Identifier);
    const indexSets = this.OPTION(() => {
      const sets: A.Expr[] = [];
      this.CONSUME(L.LBracket);
      this.AT_LEAST_ONE_SEP({ SEP: L.Comma, DEF: () => { const s = this.SUBRULE(this.setOpExpr); this.ACTION(() => sets.push(s)); } });
      this.CONSUME(L.RBracket);
      return sets;
    });
    let setArity: number | undefined;
    let unit: A.UnitExpr | undefined;
    this.OPTION2(() => {
      this.CONSUME(L.Colon);
      this.OR([
        {
          ALT: () => {
            this.CONSUME(K.set);
            setArity = 1;
            this.OPTION3(() => {
              this.CONSUME2(L.LParen);
              const n = this.CONSUME(L.NumberLit);
              this.CONSUME2(L.RParen);
              this.ACTION(() => { setArity = Number(n.image); });
            });
          },
        },
        { ALT: () => { unit = this.SUBRULE(this.declUnit); } },
      ]);
    });
    const elementOf = this.OPTION4(() => { this.CONSUME(K.in); return this.SUBRULE2(this.setOpExpr); });
    const dflt = this.OPTION5(() => { this.CONSUME(L.Equals); return this.SUBRULE(this.expression); });
    return { name: this.ident(name), indexSets, setArity, unit, elementOf, default: dflt, span: this.span(name) };
  });

  private instanceDecl = this.RULE('instanceDecl', (): A.InstanceDecl => {
    const kw = this.CONSUME(K.instance);
    const name = this.CONSUME(L.Identifier);
    const domain = this.OPTION(() => this.SUBRULE(this.bracketDomain));
    this.CONSUME(L.Equals);
    const comp = this.CONSUME2(L.Identifier);
    this.CONSUME(L.LParen);
    const args: A.NamedArg[] = [];
    // Arguments are separated by commas; a trailing comma is allowed.
    this.OPTION2(() => {
      const a = this.SUBRULE(this.namedArg);
      this.ACTION(() => { if (a) args.push(a); });
      this.MANY({
        GATE: () => tokenMatcher(this.LA(2), L.Identifier),
        DEF: () => {
          this.CONSUME(L.Comma);
          const b = this.SUBRULE2(this.namedArg);
          this.ACTION(() => { if (b) args.push(b); });
        },
      });
      this.OPTION3(() => this.CONSUME2(L.Comma));
    });
    this.CONSUME(L.RParen);
    return { kind: 'instance', name: this.ident(name), domain, component: this.ident(comp), args, span: this.span(kw) };
  });

  private namedArg = this.RULE('namedArg', (): A.NamedArg => {
    const name = this.CONSUME(L.Identifier);
    const indexNames = this.OPTION(() => {
      const names: A.Ident[] = [];
      this.CONSUME(L.LBracket);
      this.AT_LEAST_ONE_SEP({ SEP: L.Comma, DEF: () => { const t = this.CONSUME2(L.Identifier); this.ACTION(() => names.push(this.ident(t))); } });
      this.CONSUME(L.RBracket);
      return names;
    });
    this.CONSUME(L.Equals);
    const value = this.SUBRULE(this.expression);
    return { name: this.ident(name), indexNames, value, span: this.span(name) };
  });

  // ------------------------------------------------------------ domains

  private bracketDomain = this.RULE('bracketDomain', (): A.Domain => {
    this.CONSUME(L.LBracket);
    const d = this.SUBRULE(this.domain);
    this.CONSUME(L.RBracket);
    return d;
  }, { recoveryValueFunc: (e: IRecognitionException) => this.emptyDomain(e) });

  private domain = this.RULE('domain', (): A.Domain => {
    const first = this.LA(1);
    const bindings: A.Binding[] = [];
    this.AT_LEAST_ONE_SEP({ SEP: L.Comma, DEF: () => { const b = this.SUBRULE(this.binding); this.ACTION(() => { if (b) bindings.push(b); }); } });
    const where = this.OPTION(() => { this.CONSUME(K.where); return this.SUBRULE(this.expression); });
    return { bindings, where, span: this.span(first) };
  }, { recoveryValueFunc: (e: IRecognitionException) => this.emptyDomain(e) });

  private binding = this.RULE('binding', (): A.Binding => {
    const first = this.LA(1);
    const names: A.Ident[] = [];
    this.OPTION({
      GATE: () => this.bindingAhead(1),
      DEF: () => {
        this.OR([
          { ALT: () => { const t = this.CONSUME(L.Identifier); this.ACTION(() => names.push(this.ident(t))); } },
          {
            ALT: () => {
              this.CONSUME(L.LParen);
              this.AT_LEAST_ONE_SEP({ SEP: L.Comma, DEF: () => { const t = this.CONSUME2(L.Identifier); this.ACTION(() => names.push(this.ident(t))); } });
              this.CONSUME(L.RParen);
            },
          },
        ]);
        this.CONSUME(K.in);
      },
    });
    const set = this.SUBRULE(this.setOpExpr);
    return { names, set, span: this.span(first) };
  });

  // ------------------------------------------------------------ units

  /** A unit after `:` in a declaration: every identifier up to the next other token belongs to it. */
  private declUnit = this.unitRule('declUnit', (): A.UnitExpr => {
    let left = this.SUBRULE(this.unitProduct);
    this.MANY(() => {
      this.CONSUME(L.Slash);
      const right = this.SUBRULE2(this.unitProduct);
      this.ACTION(() => { left = { kind: 'unitDiv', left, right, span: this.joinSpan(left.span, right.span) }; });
    });
    return left;
  });

  private unitProduct = this.unitRule('unitProduct', (): A.UnitExpr => {
    let left = this.SUBRULE(this.unitPower);
    // A soft keyword (`cost`, `table`, ...) after a unit starts the next declaration.
    this.MANY({ GATE: () => !L.softKeywords.has(this.LA(1).image) || !this.LA(1).tokenType.name.startsWith('Kw_'), DEF: () => {
      this.OPTION(() => this.CONSUME(L.Star));
      const right = this.SUBRULE2(this.unitPower);
      this.ACTION(() => { left = { kind: 'unitMul', left, right, span: this.joinSpan(left.span, right.span) }; });
    } });
    return left;
  });

  private unitPower = this.unitRule('unitPower', (): A.UnitExpr => {
    const base = this.SUBRULE(this.unitAtom);
    let result = base;
    this.OPTION(() => {
      this.CONSUME(L.Caret);
      const neg = this.OPTION2(() => this.CONSUME(L.Minus));
      const n = this.CONSUME(L.NumberLit);
      this.ACTION(() => { result = { kind: 'unitPow', base, exp: (neg ? -1 : 1) * Number(n.image), span: this.joinSpan(base.span, this.span(n, n)) }; });
    });
    return result;
  });

  private unitAtom = this.unitRule('unitAtom', (): A.UnitExpr => {
    return this.OR([
      { ALT: () => { const t = this.CONSUME(L.Identifier); return { kind: 'unitName', name: t.image, span: this.span(t, t) } as const; } },
      { ALT: () => { const t = this.CONSUME(L.Dollar); return { kind: 'unitName', name: '$', span: this.span(t, t) } as const; } },
      { ALT: () => { const t = this.CONSUME(L.KiloDollar); return { kind: 'unitName', name: 'k$', span: this.span(t, t) } as const; } },
      { ALT: () => { const t = this.CONSUME(L.Percent); return { kind: 'unitName', name: '%', span: this.span(t, t) } as const; } },
      { ALT: () => { const t = this.CONSUME(L.PerUnit); return { kind: 'unitName', name: 'p.u.', span: this.span(t, t) } as const; } },
      { ALT: () => { const t = this.CONSUME(L.Ohm); return { kind: 'unitName', name: 'Ω', span: this.span(t, t) } as const; } },
      { ALT: () => { const t = this.CONSUME(L.NumberLit); return { kind: 'unitOne', span: this.span(t, t) } as const; } },
      {
        ALT: () => {
          this.CONSUME(L.LParen);
          const u = this.SUBRULE(this.declUnit);
          this.CONSUME(L.RParen);
          return u;
        },
      },
    ]);
  });

  /** A unit right after a number in an expression: only known unit names are taken, and `*` ends it. */
  private literalUnit = this.unitRule('literalUnit', (): A.UnitExpr => {
    let left = this.SUBRULE(this.literalUnitProduct);
    this.MANY({
      GATE: () => tokenMatcher(this.LA(1), L.Slash) && this.unitAtomAt(2),
      DEF: () => {
        this.CONSUME(L.Slash);
        const right = this.SUBRULE2(this.literalUnitProduct);
        this.ACTION(() => { left = { kind: 'unitDiv', left, right, span: this.joinSpan(left.span, right.span) }; });
      },
    });
    return left;
  });

  private literalUnitProduct = this.unitRule('literalUnitProduct', (): A.UnitExpr => {
    let left = this.SUBRULE(this.literalUnitPower);
    this.MANY({
      GATE: () => this.unitAtomAt(1),
      DEF: () => {
        const right = this.SUBRULE2(this.literalUnitPower);
        this.ACTION(() => { left = { kind: 'unitMul', left, right, span: this.joinSpan(left.span, right.span) }; });
      },
    });
    return left;
  });

  private literalUnitPower = this.unitRule('literalUnitPower', (): A.UnitExpr => {
    const base = this.OR([
      { ALT: () => { const t = this.CONSUME(L.Identifier); return { kind: 'unitName', name: t.image, span: this.span(t, t) } as A.UnitExpr; } },
      { ALT: () => { const t = this.CONSUME(L.Dollar); return { kind: 'unitName', name: '$', span: this.span(t, t) } as A.UnitExpr; } },
      { ALT: () => { const t = this.CONSUME(L.KiloDollar); return { kind: 'unitName', name: 'k$', span: this.span(t, t) } as A.UnitExpr; } },
      { ALT: () => { const t = this.CONSUME(L.Percent); return { kind: 'unitName', name: '%', span: this.span(t, t) } as A.UnitExpr; } },
      { ALT: () => { const t = this.CONSUME(L.PerUnit); return { kind: 'unitName', name: 'p.u.', span: this.span(t, t) } as A.UnitExpr; } },
      { ALT: () => { const t = this.CONSUME(L.Ohm); return { kind: 'unitName', name: 'Ω', span: this.span(t, t) } as A.UnitExpr; } },
    ]);
    let result = base;
    this.OPTION({
      GATE: () => tokenMatcher(this.LA(1), L.Caret) && (tokenMatcher(this.LA(2), L.NumberLit) || (tokenMatcher(this.LA(2), L.Minus) && tokenMatcher(this.LA(3), L.NumberLit))),
      DEF: () => {
        this.CONSUME(L.Caret);
        const neg = this.OPTION2(() => this.CONSUME(L.Minus));
        const n = this.CONSUME(L.NumberLit);
        this.ACTION(() => { result = { kind: 'unitPow', base, exp: (neg ? -1 : 1) * Number(n.image), span: this.joinSpan(base.span, this.span(n, n)) }; });
      },
    });
    return result;
  });

  // ------------------------------------------------------------ expressions

  public expression = this.exprRule('expression', (): A.Expr => this.SUBRULE(this.orExpr));

  private orExpr = this.exprRule('orExpr', (): A.Expr => {
    let left = this.SUBRULE(this.andExpr);
    this.MANY(() => {
      this.CONSUME(K.or);
      const right = this.SUBRULE2(this.andExpr);
      this.ACTION(() => { left = this.bin('or', left, right); });
    });
    return left;
  });

  private andExpr = this.exprRule('andExpr', (): A.Expr => {
    let left = this.SUBRULE(this.notExpr);
    this.MANY(() => {
      this.CONSUME(K.and);
      const right = this.SUBRULE2(this.notExpr);
      this.ACTION(() => { left = this.bin('and', left, right); });
    });
    return left;
  });

  private notExpr = this.exprRule('notExpr', (): A.Expr => {
    return this.OR([
      {
        ALT: () => {
          const kw = this.CONSUME(K.not);
          const operand = this.SUBRULE(this.notExpr);
          return { kind: 'unary', op: 'not', operand, span: this.span(kw) } as A.Expr;
        },
      },
      { ALT: () => this.SUBRULE(this.cmpExpr) },
    ]);
  });

  private cmpExpr = this.exprRule('cmpExpr', (): A.Expr => {
    let left = this.SUBRULE(this.setOpExpr);
    this.OPTION(() => {
      const op = this.OR([
        { ALT: () => { this.CONSUME(L.EqEq); return '==' as const; } },
        { ALT: () => { this.CONSUME(L.NotEq); return '!=' as const; } },
        { ALT: () => { this.CONSUME(L.LessEq); return '<=' as const; } },
        { ALT: () => { this.CONSUME(L.GreaterEq); return '>=' as const; } },
        { ALT: () => { this.CONSUME(L.Less); return '<' as const; } },
        { ALT: () => { this.CONSUME(L.Greater); return '>' as const; } },
        { ALT: () => { this.CONSUME(K.in); return 'in' as const; } },
      ]);
      const right = this.SUBRULE2(this.setOpExpr);
      this.ACTION(() => {
        left = op === 'in'
          ? { kind: 'call', callee: { name: 'in', span: left.span }, args: [left, right], named: [], span: this.joinSpan(left.span, right.span) }
          : this.bin(op, left, right);
      });
    });
    return left;
  });

  public setOpExpr = this.exprRule('setOpExpr', (): A.Expr => {
    let left = this.SUBRULE(this.rangeExpr);
    this.MANY(() => {
      const op = this.OR([
        { ALT: () => { this.CONSUME(K.union); return 'union' as const; } },
        { ALT: () => { this.CONSUME(K.inter); return 'inter' as const; } },
        { ALT: () => { this.CONSUME(K.diff); return 'diff' as const; } },
      ]);
      const right = this.SUBRULE2(this.rangeExpr);
      this.ACTION(() => { left = this.bin(op, left, right); });
    });
    return left;
  });

  private rangeExpr = this.exprRule('rangeExpr', (): A.Expr => {
    let left = this.SUBRULE(this.addExpr);
    this.OPTION(() => {
      this.CONSUME(L.DotDot);
      const hi = this.SUBRULE2(this.addExpr);
      this.ACTION(() => { left = { kind: 'range', lo: left, hi, span: this.joinSpan(left.span, hi.span) }; });
    });
    return left;
  });

  public addExpr = this.exprRule('addExpr', (): A.Expr => {
    let left = this.SUBRULE(this.mulExpr);
    this.MANY(() => {
      const op = this.OR([
        { ALT: () => { this.CONSUME(L.Plus); return '+' as const; } },
        { ALT: () => { this.CONSUME(L.Minus); return '-' as const; } },
      ]);
      const right = this.SUBRULE2(this.mulExpr);
      this.ACTION(() => { left = this.bin(op, left, right); });
    });
    return left;
  });

  private mulExpr = this.exprRule('mulExpr', (): A.Expr => {
    let left = this.SUBRULE(this.unaryExpr);
    this.MANY(() => {
      const op = this.OR([
        { ALT: () => { this.CONSUME(L.Star); return '*' as const; } },
        { ALT: () => { this.CONSUME(L.Slash); return '/' as const; } },
      ]);
      const right = this.SUBRULE2(this.unaryExpr);
      this.ACTION(() => { left = this.bin(op, left, right); });
    });
    return left;
  });

  private unaryExpr = this.exprRule('unaryExpr', (): A.Expr => {
    return this.OR([
      {
        ALT: () => {
          const t = this.CONSUME(L.Minus);
          const operand = this.SUBRULE(this.unaryExpr);
          return { kind: 'unary', op: '-', operand, span: this.span(t) } as A.Expr;
        },
      },
      {
        ALT: () => {
          const t = this.CONSUME(L.Plus);
          const operand = this.SUBRULE2(this.unaryExpr);
          return { kind: 'unary', op: '+', operand, span: this.span(t) } as A.Expr;
        },
      },
      { ALT: () => this.SUBRULE(this.powExpr) },
    ]);
  });

  private powExpr = this.exprRule('powExpr', (): A.Expr => {
    let left = this.SUBRULE(this.postfixExpr);
    this.OPTION(() => {
      this.CONSUME(L.Caret);
      const right = this.SUBRULE(this.unaryExpr);
      this.ACTION(() => { left = this.bin('^', left, right); });
    });
    return left;
  });

  private postfixExpr = this.exprRule('postfixExpr', (): A.Expr => {
    let e = this.SUBRULE(this.primary);
    this.MANY(() => {
      this.OR([
        {
          ALT: () => {
            this.CONSUME(L.LBracket);
            const indices: A.Expr[] = [];
            this.AT_LEAST_ONE_SEP({ SEP: L.Comma, DEF: () => { const i = this.SUBRULE(this.addExpr); this.ACTION(() => indices.push(i)); } });
            const close = this.CONSUME(L.RBracket);
            this.ACTION(() => { e = { kind: 'index', target: e, indices, span: this.joinSpan(e.span, this.span(close, close)) }; });
          },
        },
        {
          ALT: () => {
            this.CONSUME(L.Dot);
            const m = this.CONSUME(L.Identifier);
            this.ACTION(() => { e = { kind: 'member', target: e, member: this.ident(m), span: this.joinSpan(e.span, this.span(m, m)) }; });
          },
        },
      ]);
    });
    return e;
  });

  private primary = this.exprRule('primary', (): A.Expr => {
    return this.OR([
      { ALT: () => this.SUBRULE(this.numberLiteral) },
      { ALT: () => { const t = this.CONSUME(L.StringLit); return { kind: 'str', value: unquote(t.image), span: this.span(t, t) } as A.Expr; } },
      { ALT: () => { const t = this.CONSUME(K.true); return { kind: 'bool', value: true, span: this.span(t, t) } as A.Expr; } },
      { ALT: () => { const t = this.CONSUME(K.false); return { kind: 'bool', value: false, span: this.span(t, t) } as A.Expr; } },
      { ALT: () => { const t = this.CONSUME(K.horizon); return { kind: 'name', name: 'horizon', span: this.span(t, t) } as A.Expr; } },
      { ALT: () => this.SUBRULE(this.sumExpr) },
      { ALT: () => this.SUBRULE(this.condExpr) },
      { ALT: () => this.SUBRULE(this.nameOrCall) },
      { ALT: () => this.SUBRULE(this.parenExpr) },
      { ALT: () => this.SUBRULE(this.braceExpr) },
      { ALT: () => this.SUBRULE(this.bracketExpr) },
    ]);
  });

  private numberLiteral = this.exprRule('numberLiteral', (): A.Expr => {
    const t = this.CONSUME(L.NumberLit);
    const unit = this.OPTION({ GATE: () => this.unitAtomAt(1), DEF: () => this.SUBRULE(this.literalUnit) });
    return { kind: 'num', value: Number(t.image), text: t.image, unit, span: this.span(t) };
  });

  private sumExpr = this.exprRule('sumExpr', (): A.Expr => {
    const kw = this.CONSUME(K.sum);
    this.CONSUME(L.LParen);
    const domain = this.SUBRULE(this.domain);
    this.CONSUME(L.RParen);
    const body = this.SUBRULE(this.mulExpr);
    return { kind: 'sum', op: 'sum', domain, body, span: this.span(kw) };
  });

  private condExpr = this.exprRule('condExpr', (): A.Expr => {
    const kw = this.CONSUME(K.if);
    const test = this.SUBRULE(this.orExpr);
    this.CONSUME(K.then);
    const thenE = this.SUBRULE(this.addExpr);
    this.CONSUME(K.else);
    const elseE = this.SUBRULE2(this.addExpr);
    return { kind: 'cond', test, then: thenE, else: elseE, span: this.span(kw) };
  });

  /** `x`, `f(a, b, key = v)`, and the reductions `min(i in I) e` / `max(i in I) e`. */
  private nameOrCall = this.exprRule('nameOrCall', (): A.Expr => {
    const t = this.CONSUME(L.Identifier);
    let result: A.Expr = { kind: 'name', name: t.image, span: this.span(t, t) };
    this.OPTION(() => {
      this.CONSUME(L.LParen);
      this.OR([
        {
          GATE: () => (t.image === 'min' || t.image === 'max') && this.bindingAhead(1),
          ALT: () => {
            const domain = this.SUBRULE(this.domain);
            this.CONSUME(L.RParen);
            const body = this.SUBRULE(this.mulExpr);
            this.ACTION(() => { result = { kind: 'sum', op: t.image as 'min' | 'max', domain, body, span: this.span(t) }; });
          },
        },
        {
          ALT: () => {
            const args: A.Expr[] = [];
            const named: A.NamedArg[] = [];
            this.MANY_SEP({
              SEP: L.Comma,
              DEF: () => {
                this.OR2([
                  {
                    GATE: () => tokenMatcher(this.LA(1), L.Identifier) && tokenMatcher(this.LA(2), L.Equals),
                    ALT: () => {
                      const n = this.CONSUME2(L.Identifier);
                      this.CONSUME(L.Equals);
                      const v = this.SUBRULE(this.expression);
                      this.ACTION(() => named.push({ name: this.ident(n), value: v, span: this.span(n) }));
                    },
                  },
                  { ALT: () => { const a = this.SUBRULE2(this.expression); this.ACTION(() => args.push(a)); } },
                ]);
              },
            });
            this.CONSUME2(L.RParen);
            this.ACTION(() => { result = { kind: 'call', callee: this.ident(t), args, named, span: this.span(t) }; });
          },
        },
      ]);
    });
    return result;
  });

  /** `( e )` or a tuple `(a, b)`. */
  private parenExpr = this.exprRule('parenExpr', (): A.Expr => {
    const open = this.CONSUME(L.LParen);
    const elems: A.Expr[] = [];
    this.AT_LEAST_ONE_SEP({ SEP: L.Comma, DEF: () => { const e = this.SUBRULE(this.expression); this.ACTION(() => elems.push(e)); } });
    this.CONSUME(L.RParen);
    return this.ACTION(() => (elems.length === 1 ? elems[0]! : { kind: 'tuple', elems, span: this.span(open) }));
  });

  /** `{}`, `{a, b, (1, 2)}`, `{g in G where ...}`, `{g1: 0.5, (a, 1): 2}`. */
  private braceExpr = this.exprRule('braceExpr', (): A.Expr => {
    const open = this.CONSUME(L.LBrace);
    let result: A.Expr | undefined;
    this.OR([
      {
        GATE: () => this.bindingAhead(1),
        ALT: () => {
          const domain = this.SUBRULE(this.domain);
          this.CONSUME(L.RBrace);
          this.ACTION(() => { result = { kind: 'compr', domain, span: this.span(open) }; });
        },
      },
      {
        ALT: () => {
          const items: { key: A.Expr; value?: A.Expr }[] = [];
          this.MANY_SEP({
            SEP: L.Comma,
            DEF: () => {
              const key = this.SUBRULE(this.setElement);
              const value = this.OPTION(() => {
                this.CONSUME(L.Colon);
                return this.SUBRULE(this.addExpr);
              });
              this.ACTION(() => items.push({ key, value }));
            },
          });
          this.CONSUME2(L.RBrace);
          this.ACTION(() => { result = braceLiteral(items, this.span(open)); });
        },
      },
    ]);
    return result as A.Expr;
  });

  /** An element in a set or map literal: a number, a bare name (a symbol), a string, or a tuple of those. */
  private setElement = this.exprRule('setElement', (): A.Expr => {
    return this.OR([
      {
        ALT: () => {
          const neg = this.OPTION(() => this.CONSUME(L.Minus));
          const t = this.CONSUME(L.NumberLit);
          return { kind: 'num', value: (neg ? -1 : 1) * Number(t.image), text: (neg ? '-' : '') + t.image, span: this.span(neg ?? t, t) } as A.Expr;
        },
      },
      { ALT: () => { const t = this.CONSUME(L.Identifier); return { kind: 'symbol', name: t.image, span: this.span(t, t) } as A.Expr; } },
      { ALT: () => { const t = this.CONSUME(L.StringLit); return { kind: 'str', value: unquote(t.image), span: this.span(t, t) } as A.Expr; } },
      {
        ALT: () => {
          const open = this.CONSUME(L.LParen);
          const elems: A.Expr[] = [];
          this.AT_LEAST_ONE_SEP({ SEP: L.Comma, DEF: () => { const e = this.SUBRULE(this.setElement); this.ACTION(() => elems.push(e)); } });
          this.CONSUME(L.RParen);
          return { kind: 'tuple', elems, span: this.span(open) } as A.Expr;
        },
      },
    ]);
  });

  /** `[1, 2, 3]` (a list in the domain's order) or `[: c1 c2 := r1 v v  r2 v v]` (a two-dimensional table). */
  private bracketExpr = this.exprRule('bracketExpr', (): A.Expr => {
    const open = this.CONSUME(L.LBracket);
    let result: A.Expr | undefined;
    this.OR([
      {
        ALT: () => {
          this.CONSUME(L.Colon);
          const columns: A.Expr[] = [];
          this.AT_LEAST_ONE(() => { const c = this.SUBRULE(this.setElement); this.ACTION(() => columns.push(c)); });
          this.CONSUME(L.Assign);
          const cells: A.Expr[] = [];
          this.MANY(() => { const c = this.SUBRULE(this.tableCell); this.ACTION(() => cells.push(c)); });
          this.CONSUME(L.RBracket);
          this.ACTION(() => { result = tableLiteral(columns, cells, this.span(open)); });
        },
      },
      {
        ALT: () => {
          const items: A.Expr[] = [];
          this.MANY_SEP({ SEP: L.Comma, DEF: () => { const e = this.SUBRULE(this.addExpr); this.ACTION(() => items.push(e)); } });
          this.CONSUME2(L.RBracket);
          this.ACTION(() => { result = { kind: 'listLit', items, span: this.span(open) }; });
        },
      },
    ]);
    return result as A.Expr;
  });

  /** A cell of an inline table: a row key or a value (a number, possibly negative), or `.` for "no value". */
  private tableCell = this.exprRule('tableCell', (): A.Expr => {
    return this.OR([
      { ALT: () => this.SUBRULE(this.setElement) },
      { ALT: () => { const t = this.CONSUME(L.Dot); return { kind: 'error', span: this.span(t, t) } as A.Expr; } },
    ]);
  });

  /** Parameter values: inline data or an expression. */
  private paramValue = this.exprRule('paramValue', (): A.Expr => this.SUBRULE(this.expression));

  // ------------------------------------------------------------ node helpers

  private bin(op: A.BinaryOp, left: A.Expr, right: A.Expr): A.Expr {
    return { kind: 'binary', op, left, right, span: this.joinSpan(left.span, right.span) };
  }
}

/** Builds a set literal or, when entries have `key: value`, a map literal. Mixed forms become an error node. */
function braceLiteral(items: { key: A.Expr; value?: A.Expr }[], span: Span): A.Expr {
  const withValue = items.filter((i) => i.value !== undefined).length;
  if (withValue === 0) return { kind: 'setLit', elems: items.map((i) => i.key), span };
  if (withValue === items.length) {
    return {
      kind: 'mapLit',
      entries: items.map((i) => ({ key: i.key.kind === 'tuple' ? i.key.elems : [i.key], value: i.value!, span: i.key.span })),
      span,
    };
  }
  return { kind: 'error', span };
}

/** Cuts the flat cells of `[: c1 c2 := k v v k v v]` into rows of one key and one value per column. */
function tableLiteral(columns: A.Expr[], cells: A.Expr[], span: Span): A.Expr {
  const width = columns.length + 1;
  const rows: A.TableRow[] = [];
  for (let i = 0; i < cells.length; i += width) {
    const key = cells[i]!;
    const values = cells.slice(i + 1, i + width);
    rows.push({ key, values, span: values.length ? { ...key.span, end: values[values.length - 1]!.span.end } : key.span });
  }
  return { kind: 'tableLit', columns, rows, span };
}

function isReal(t: IToken | undefined): t is IToken {
  return !!t && t.tokenType !== EOF && !Number.isNaN(t.startOffset) && t.startOffset !== undefined;
}

function unquote(s: string): string {
  const body = s.startsWith('"') ? s.slice(1, s.endsWith('"') && s.length > 1 ? -1 : undefined) : s;
  return body.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c === 't' ? '\t' : c));
}

let shared: EvgParser | undefined;

/** The parser is expensive to construct (grammar analysis); one instance is reused. */
export function getParser(): EvgParser {
  shared ??= new EvgParser();
  return shared;
}

export type { EvgParser };
export const tokenTypes: readonly TokenType[] = L.allTokens;
