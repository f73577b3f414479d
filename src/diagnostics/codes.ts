// The one catalogue of evg's diagnostic codes.
//
// Every diagnostic the compiler reports carries one of these codes. The number ranges follow the
// compiler's phases so that a code says where a problem was found:
//   E00xx syntax, E01xx files and imports, E02xx names, E03xx indices and sets, E04xx types and
//   units, E05xx data files and inline data, E06xx model building (elaboration), E07xx solving and
//   output, E08xx uncertainty (scenarios and treatments), E09xx internal. Warnings use the same numbering with a W.
// `evg explain CODE` prints the summary and the explanation below; docs/diagnostics.md lists them.

export interface CodeInfo {
  readonly summary: string;
  readonly explanation: string;
}

export const CODES = {
  // ---- syntax ----
  E0001: { summary: 'unexpected character', explanation: 'The lexer met a character that cannot start any token of the language (for example `@` or a stray `\\`). Remove it, or put it inside a string.' },
  E0002: { summary: 'syntax error', explanation: 'The parser expected a different token here. The message names what was expected; the parser recovers at the next declaration, so later errors are reported too.' },
  E0003: { summary: 'unterminated string or comment', explanation: 'A string literal must end with `"` on the same line; a block comment `/* ... */` must be closed.' },
  E0004: { summary: 'unknown unit', explanation: 'A unit annotation names a unit evg does not know. Built-in units are listed in docs/language.md (W kW MW GW, var kvar Mvar, VA kVA MVA, Wh kWh MWh GWh, V kV, A kA, ohm, s min h day, $, m km mi ft kft, %, p.u.).' },
  E0005: { summary: 'malformed unit', explanation: 'A unit expression must be a product of units with integer exponents, optionally divided by another product: `$/MWh`, `$/MW^2h`, `MW/h`, `kV^2`.' },

  // ---- files and imports ----
  E0101: { summary: 'cannot read model file', explanation: 'The model file or an imported file does not exist or cannot be read. Paths in `import "..."` are relative to the importing file.' },
  E0102: { summary: 'unknown standard-library module', explanation: '`import stdlib.NAME` loads stdlib/NAME.evg shipped with evg. The message lists the modules that exist.' },

  // ---- names ----
  E0201: { summary: 'unknown name', explanation: 'The name is not declared in this scope (the component, the model, or an imported file). Check the spelling; evg suggests close matches.' },
  E0202: { summary: 'duplicate declaration', explanation: 'Two declarations in the same scope have the same name. Each set, parameter, table, variable, expression, constraint, cost, component and instance needs its own name.' },
  E0203: { summary: 'wrong kind of name', explanation: 'The name refers to a declaration of another kind than the place needs (a set where a number is expected, a variable in a set expression, a table outside a parameter value, ...).' },
  E0204: { summary: 'unknown member', explanation: 'An instance member access `inst.member` names a member that the component does not declare, or a table column access names a column that the table does not have.' },
  E0205: { summary: 'cyclic definition', explanation: 'A set or parameter is defined in terms of itself, directly or through others. Break the cycle.' },
  E0206: { summary: 'misplaced declaration', explanation: 'This kind of declaration is not allowed here (for example an objective or a horizon inside a component, or a second objective).' },

  // ---- indices and sets ----
  E0301: { summary: 'wrong number of indices', explanation: 'A reference gives a different number of indices than the declaration has. `p[g, t]` needs exactly the indices declared in `var p[g in G, t in T]`.' },
  E0302: { summary: 'index outside its set', explanation: 'An index value is not an element of the set the declaration is indexed over, for example `soc[t-1]` when `t` is the first period. Handle boundary periods explicitly: `if t == first(T) then soc0 else soc[t-1]`, or restrict the domain with `where t > first(T)`.' },
  E0303: { summary: 'missing or unexpected indices', explanation: 'An indexed declaration is used without indices, or a scalar one is given indices.' },
  E0304: { summary: 'index of the wrong set', explanation: 'An index variable that runs over one set is used where another, unrelated set is expected (for example indices given in the wrong order).' },
  E0305: { summary: 'empty set', explanation: 'A declared set, a range or a domain turned out to be empty although it was expected to have elements. If an empty set is intended, write it as the literal `{}`.' },
  E0306: { summary: 'bad set expression', explanation: 'A set operation mixes sets of different arity, or a range has non-integer bounds.' },

  // ---- types and units ----
  E0401: { summary: 'unit mismatch', explanation: 'Quantities of different dimensions are added, subtracted or compared (for example kW and kWh). Both units are named in the message. Compatible units such as kW and MW are converted automatically.' },
  E0402: { summary: 'number without a unit', explanation: 'A bare number is added to or compared with a quantity that has a unit. Write the unit: `5 MW` instead of `5`. (Zero needs no unit.)' },
  E0403: { summary: 'declared unit does not match', explanation: 'The value or expression given for a declaration has a different dimension than the declared unit.' },
  E0404: { summary: 'active and reactive power mixed', explanation: 'Active power (W), reactive power (var) and apparent power (VA) have the same physical dimension but are different quantities; adding or comparing them is almost always a modelling mistake.' },
  E0405: { summary: 'nonlinear expression', explanation: 'The expression is not linear in the decision variables in a way evg can lower: a power other than 2 of an expression with variables, a product of three variables, a nonlinear function (exp, log, sqrt, ...) of variables. Squares, products of two affine expressions (in cones), abs, max, min, pwl and norm are lowered; see docs/language.md, "Nonlinear terms".' },
  E0406: { summary: 'division by a variable', explanation: 'The divisor contains a decision variable, which makes the expression non-linear.' },
  E0407: { summary: 'bad exponent or function argument', explanation: 'Exponents must be integer constants; functions such as sqrt, exp and log take dimensionless parameters (or, for sqrt, a quantity whose unit is a square).' },
  E0408: { summary: 'type error', explanation: 'The expression has the wrong type here: a number, an element, a condition or a set was expected. The message says which.' },
  E0409: { summary: 'variables not allowed here', explanation: 'Bounds, conditions (`where`, `if`), set expressions, parameter values and component arguments are evaluated when the model is built; they cannot contain decision variables.' },
  E0411: { summary: 'nested nonlinear term', explanation: 'abs, max, min, pwl, norm, squares and products of variables take affine arguments (sums of variables times parameters). Give the inner term a variable of its own, defined by a constraint, and use that variable.' },
  E0412: { summary: 'nonlinear term that cannot be represented', explanation: 'A nonlinear term appears where evg has no exact or approximate linear form for it: a square or norm in an equality, a product of variables outside a cone `x^2 <= u * v`, a convex term that must be bounded from below (or a concave one from above) without finite variable bounds for the mixed-integer form. The message says which term and why; rewrite the constraint, or give the variables involved finite bounds.' },
  E0413: { summary: 'bad implication', explanation: 'The condition of `if COND then ...` in a constraint is either a condition on parameters (evaluated when the model is built) or a conjunction of binary variables and their negations (`on[t] and not on[t-1]`), which makes the constraint an implication, lowered with a big-M from the variables\' bounds. Other conditions on variables (a continuous variable, `or`, comparisons) cannot be lowered that way; with `else`, the condition must be a single binary literal.' },
  E0410: { summary: 'bad constraint', explanation: 'A constraint must compare two expressions with `==`, `<=` or `>=`, or be a range `lo <= e <= hi` whose outer parts are constants, and contain at least one variable.' },

  // ---- data ----
  E0501: { summary: 'cannot read data file', explanation: 'A `csv(...)` or `json(...)` file does not exist or cannot be read. Paths are relative to the model file that names them.' },
  E0502: { summary: 'missing column', explanation: 'The data file has no column of that name. The message lists the columns that exist.' },
  E0503: { summary: 'not a number', explanation: 'A data cell that should hold a number holds something else (text, an empty cell).' },
  E0504: { summary: 'missing values', explanation: 'A parameter has no value for some index tuples, and no `default`. The message lists the first missing keys. Add the rows, or give a default.' },
  E0505: { summary: 'duplicate key', explanation: 'Two rows of a data table have the same key.' },
  E0506: { summary: 'malformed data file', explanation: 'The CSV or JSON file could not be parsed (unbalanced quotes, rows with a different number of fields, invalid JSON, ...).' },
  E0507: { summary: 'inline data of the wrong shape', explanation: 'An inline list or table has a different number of values than its parameter domain, or keys that are not in the domain.' },
  E0509: { summary: 'cannot import network', explanation: 'The network file given to `network x = opendss("...")` or `matpower("...")` is missing or malformed. The message points at the place in the network file; fix the file, or the path (relative to the model file).' },
  E0510: { summary: 'network unusable', explanation: 'The imported network is not one the formulations can use: its closed branches must form a tree rooted at the substation reaching every bus, a branch must only use phases both its buses have, and impedance matrices must be symmetric. The message names the element and, where known, its line in the network file.' },
  E0508: { summary: 'bad table declaration', explanation: 'A `table` declaration needs `csv("file")` or `json("file")` and key columns that exist.' },

  // ---- model building ----
  E0601: { summary: 'division by zero', explanation: 'A parameter expression divides by zero for the index values shown.' },
  E0602: { summary: 'constraint can never hold', explanation: 'After evaluating parameters, the constraint for the index values shown has no variables left and is violated (for example `0 >= 5`). Usually a data or indexing mistake.' },
  E0603: { summary: 'inconsistent bounds', explanation: 'A variable\'s lower bound exceeds its upper bound for the index values shown.' },
  E0604: { summary: 'not a finite number', explanation: 'A coefficient, bound or right-hand side evaluated to infinity or NaN.' },
  E0605: { summary: 'bad component use', explanation: 'An instance misses a required argument, gives an unknown one, gives one of the wrong kind, or a component instantiates itself.' },
  E0606: { summary: 'bad horizon', explanation: 'A horizon needs a positive whole number of steps and a step with a unit of time: `horizon T = 24 steps of 1 h`.' },
  E0608: { summary: 'model too large', explanation: 'The model has more columns or nonzeros than evg can hold (2^28 columns, 2^30 nonzeros). Check the index sets of the variables and constraints named in the message; a set that is far larger than intended (a range with a misplaced exponent, a product of large sets) is the usual cause.' },

  // ---- solving and output ----
  E0701: { summary: 'solver failed', explanation: 'The solver stopped with an error. Run with --verbose to see its log.' },
  E0702: { summary: 'cannot write output', explanation: 'An output file or directory could not be written.' },
  E0703: { summary: 'bad command-line option', explanation: 'An option has an invalid value (for example a negative time limit) or an unknown solver name.' },
  E0704: { summary: 'solver program not found', explanation: '`--solver cbc`, `--solver glpsol` and `--solver highs-cli` run the programs `cbc`, `glpsol` and `highs`, which must be on PATH. Install the program (Debian and Ubuntu: `apt-get install coinor-cbc` or `glpk-utils`; HiGHS from its releases), or use an in-process solver: `--solver highs` or `--solver glpk`.' },
  E0710: { summary: 'not a compiled bundle', explanation: '`evg run FILE.evgc` reads a compiled bundle, written by `evg compile MODEL.evg -o FILE.evgc`; this file does not start with the bundle\'s magic bytes. LP and MPS files are solved by `evg run FILE.lp` and `evg run FILE.mps`.' },
  E0711: { summary: 'bundle from another evg version', explanation: 'The bundle was written in another version of the bundle format (docs/bundle.md) than this evg reads, by an older or a newer evg. Compile the model again with this evg: `evg compile MODEL.evg -o FILE.evgc`.' },
  E0712: { summary: 'truncated bundle', explanation: 'The bundle is shorter than its header says: it was cut short, usually by an interrupted copy or download. Copy it again, or compile the model again.' },
  E0713: { summary: 'corrupted bundle', explanation: 'The SHA-256 checksum of the bundle\'s contents does not match the one in its header, or its contents are not a valid bundle: the file was changed after evg wrote it. Copy it again, or compile the model again.' },
  E0714: { summary: 'stale bundle', explanation: 'A model, imported or data file that the bundle was compiled from has changed since (its SHA-256 differs from the one recorded in the bundle): the bundle no longer is the model as it is now written. The message names the files. Compile again (`evg compile MODEL.evg -o FILE.evgc`), or add `--ignore-sources` to solve the model as it was compiled. Files that no longer exist are not checked: a bundle can be moved to another machine without its sources.' },
  E0715: { summary: 'cannot read LP or MPS file', explanation: '`evg run FILE.lp` and `evg run FILE.mps` read the file with HiGHS\'s LP and MPS readers, which rejected it (a syntax error, or semi-continuous columns, which evg does not take). Check the file, and that its extension says its format.' },

  // ---- uncertainty ----
  E0801: { summary: 'bad uncertain parameter', explanation: 'An `uncertain` parameter needs a source of values that matches the model\'s scenarios: a distribution (`~ normal(mean = ..., sd = ...)`, truncnormal, beta, weibull, uniform, empirical) when the scenarios are sampled, a column (`= W.column`) when they are read from a file, and/or an uncertainty set (`in box(...)`, `in budget(...)`) for the robust treatment. Distribution and set arguments are known data: they cannot depend on variables or on uncertain parameters.' },
  E0802: { summary: 'bad scenarios declaration', explanation: 'A model has at most one `scenarios` declaration: `scenarios W = sample(n = 1000, seed = 1, copula = gaussian(spearman = 0.5), reduce = backward(10))`, or `scenarios W = csv("file.csv", key = (scenario, t), prob = p)` with the scenario as the first key column. Probabilities must be non-negative, the same on every row of a scenario, and sum to 1.' },
  E0803: { summary: 'bad distribution or copula parameters', explanation: 'A distribution\'s parameters are out of range for some index (a standard deviation or a Beta shape that is not positive, lo >= hi, ...), or a correlation matrix is not symmetric, has a diagonal other than 1, or is not positive semidefinite (after converting Spearman correlations to Pearson ones).' },
  E0804: { summary: 'bad recourse declaration', explanation: '`recourse` names variables (`p_rt`, `bess.p_ch`) or instances (all their variables) whose values are chosen after the uncertainty is revealed: one copy per scenario in the stochastic program.' },
  E0805: { summary: 'bad treatment', explanation: 'The treatment of the uncertainty (`treatment ...` or `--method`) is ev, sp, ro or dro, with options divergence (variation, hellinger, chi2), radius or confidence (not both), and chance (saa, cvar, moment). The message says which option is wrong.' },
  E0806: { summary: 'bad chance or expectation constraint', explanation: 'A constraint `with probability P` or `in expectation` is a single inequality (`<=` or `>=`), not an equality, a range or an implication; P is a number strictly between 0 and 1 (or a percentage).' },
  E0807: { summary: 'uncertain data where the treatment cannot use it', explanation: 'The model uses uncertain data in a way the chosen treatment cannot represent: the bound of a here-and-now (first-stage) variable depends on the scenario (make it a constraint, or declare the variable `recourse`); the rows that exist differ between scenarios under a robust set or a moment-based chance constraint; a row with uncertain data is not affine in it (robust sets), contains nonlinear terms (robust sets, moment-based chance constraints) or recourse variables (moment-based chance constraints).' },
  E0808: { summary: 'treatment impossible for these data', explanation: 'The reformulation has no solution by construction: an equality with uncertain data cannot hold for every value of a robust set; the risk level of a distributionally robust chance constraint, adjusted for the ambiguity radius, is not positive (a smaller radius or a larger risk is needed).' },

  // ---- internal ----
  E0901: { summary: 'internal compiler error', explanation: 'evg itself failed. This is a bug in evg, not in your model; please report it with the model that triggers it.' },

  // ---- warnings ----
  W0201: { summary: 'unit name is also a declared name', explanation: 'A number directly followed by a unit name is a quantity: `2 h` is two hours even when the model also declares something called `h`. To multiply by the declaration, write `2 * h`.' },
  W0202: { summary: 'unused declaration', explanation: 'A variable is declared but appears in no constraint and not in the objective.' },
  W0502: { summary: 'network element not modelled', explanation: 'The network file has elements evg does not model (protection devices, meters, controls, ...). They are listed, with how many there are, and ignored; the network itself is built without them.' },
  W0501: { summary: 'data outside the domain', explanation: 'Some rows of a data table have keys outside the parameter\'s domain and are ignored.' },
  W0601: { summary: 'constraint rows always hold', explanation: 'After evaluating parameters, some rows of the constraint have no variables left (their coefficients are all zero, or a sum ran over an empty set) and hold trivially; they are dropped. The message names the first such row. If a variable was meant to appear there, check the data and the `where` filters.' },
  W0603: { summary: 'large big-M', explanation: 'An implication or an exact (mixed-integer) form of abs, max, min uses a big-M derived from the variables\' bounds that is more than a million times the smallest other coefficient of its row. The LP relaxation is then weak and the solver may accept slightly wrong solutions. Give the variables involved tighter bounds.' },
  W0801: { summary: 'recourse ignored', explanation: 'Under a robust uncertainty set (box or budget) every variable is a here-and-now decision: the robust counterpart has no per-scenario copies. Recourse variables are treated as first-stage ones; write an affine policy explicitly if the decision may adapt.' },
  W0802: { summary: 'chance constraint without slack', explanation: 'With the sample-average approximation a chance constraint may be violated on at most a share eps of the samples; with so few samples that share is less than one sample, so the constraint must hold in every sample (as in the robust treatment).' },
  W0803: { summary: 'treatment without uncertainty', explanation: 'A `treatment` declaration or `--method` was given, but the model declares no uncertain parameter, so there is nothing to treat: the model is solved as written.' },
  W0607: { summary: 'no objective', explanation: 'The model declares no `minimize` or `maximize` objective; evg solves it as a feasibility problem (objective 0) and reports any feasible point.' },
  W0602: { summary: 'large coefficient range', explanation: 'After evg scales each row by a power of ten, the matrix coefficients still span more than six orders of magnitude, which can make solvers slow or inaccurate. The message names the constraints holding the smallest and the largest coefficient; choosing variable units closer to their typical values (MW instead of W, k$ instead of $) usually narrows the range.' },
} as const satisfies Record<string, CodeInfo>;

export type Code = keyof typeof CODES;

export function codeInfo(code: Code): CodeInfo {
  return CODES[code];
}
