// The entry point of the down-level bundle (cmake/make_downlevel_bundle.js puts it after Debian's
// Bublé bundle, in the same function scope, so that it reaches Bublé's internals: Parser, Program,
// MagicString, target). Called by pac_downlevel.cpp as __wpadkit_downlevel(source) →
//   {code: "<ES5 text, every user line on its own line number>"}
//   or {message, line, column (1-based), construct}: the user's text cannot be down-levelled.
//
// Why Bublé: it is a maintained (Debian-packaged) ES2015 compiler that edits the source text in place
// (magic-string) instead of printing a new program from the AST, so the output keeps the user's
// lines and most of the columns; its single-file bundle, down-levelled, runs in Duktape within the
// load budget (bench/README.md, pac_modern). Babel (Debian's node-babel7) prints a new program from
// the AST (the user's lines are lost) and has no single-file bundle in Debian.
//
// What is added to Bublé here, on the same parse (acorn 8, ES2021) and the same magic-string:
//   - ES2018+ syntax Bublé 0.20 does not transform: optional catch binding (`catch {`), `??`, `?.`,
//     `||=`/`&&=`/`??=` (with temporaries declared through Bublé's own scopes), numeric separators
//     (`1_000`);
//   - for-of and spread over any iterable (Bublé's "dangerousForOf" assumes arrays): the iterated
//     value goes through __wpadkit_iter (pac_polyfills.js), which returns arrays as they are and
//     collects Maps, Sets, strings and iterators;
//   - a rendering that keeps every original line on its line (Bublé inserts line breaks in the code
//     it generates and folds multi-line template literals into one string): error lines reported by
//     Duktape for the down-levelled text are the user's lines.
var __wpadkit_downlevel = (function () {
  var transforms = target({});
  // Script goal, not module: PAC files are scripts (sloppy mode, `this` at top level is the global).
  transforms.moduleImport = false;
  transforms.moduleExport = false;
  transforms.dangerousForOf = true;
  transforms.dangerousTaggedTemplateString = true;
  // Duktape reads `a.default` and `{default: 1}` (ES5 allows reserved words as property names).
  transforms.reservedProperties = false;
  // Regular expression flags u and y have no faithful translation here (cmake/make_downlevel_
  // bundle.js, 2b): the literal is left as written and Duktape reports it, with a hint.
  transforms.unicodeRegExp = false;
  transforms.stickyRegExp = false;
  var plainParser = Parser;  // acorn without the JSX and dynamic-import plugins Bublé adds

  var ITER = '__wpadkit_iter';

  // No source map is ever made (render() keeps the lines instead): the two locations Bublé records
  // per node for one are skipped (-2 % of a transpile).
  MagicString.prototype.addSourcemapLocation = function () {};

  // Bublé reads `super.x` as `Parent.prototype.x`, which runs a getter with the prototype as `this`;
  // ES2015 runs it with the instance (§13.3.7.3 MakeSuperPropertyReference keeps `this`):
  // __wpadkit_super_get (pac_polyfills.js) finds the property and calls its getter on `this`.
  var superTranspile = Super.prototype.transpile;
  Super.prototype.transpile = function (code, transforms) {
    var member = this.parent;
    if (transforms.classes && this.isMember && !member.computed) {
      var up = member.parent;
      var called = up.type === 'CallExpression' && up.callee === member;
      var written = (up.type === 'AssignmentExpression' && up.left === member) || up.type === 'UpdateExpression';
      if (!called && !written) {
        var target = this.method['static'] ? this.superClassName : this.superClassName + '.prototype';
        code.overwrite(this.start, member.end, '__wpadkit_super_get(' + target + ', ' +
                       JSON.stringify(member.property.name) + ', ' + (this.thisAlias || 'this') + ')');
        return;
      }
    }
    superTranspile.call(this, code, transforms);
  };

  // Bublé's tagged templates pass the cooked strings only; the tag also gets `strings.raw` in every
  // engine (§13.2.8.3 GetTemplateObject), which tags such as String.raw read.
  TaggedTemplateExpression.prototype.transpile = function (code, transforms) {
    var ordered = this.quasi.expressions.concat(this.quasi.quasis).sort(function (a, b) { return a.start - b.start; });
    var program = this.program;
    var cooked = this.quasi.quasis.map(function (q) { return JSON.stringify(q.value.cooked); }).join(', ');
    var raw = this.quasi.quasis.map(function (q) { return JSON.stringify(q.value.raw); }).join(', ');
    var key = cooked + '|' + raw;
    var templateObject = program.templateLiteralQuasis[key];
    if (!templateObject) {
      templateObject = program.body.scope.createIdentifier('templateObject');
      code.prependLeft(program.prependAt, 'var ' + templateObject + ' = Object.freeze(Object.defineProperty([' +
                       cooked + '], "raw", {value: Object.freeze([' + raw + '])})); ');
      program.templateLiteralQuasis[key] = templateObject;
    }
    code.overwrite(this.tag.end, ordered[0].start, '(' + templateObject);
    var lastIndex = ordered[0].start;
    ordered.forEach(function (node) {
      if (node.type === 'TemplateElement') {
        code.remove(lastIndex, node.end);
      } else {
        code.overwrite(lastIndex, node.start, ', ');
      }
      lastIndex = node.end;
    });
    code.overwrite(lastIndex, this.end, ')');
    Node.prototype.transpile.call(this, code, transforms);
  };

  // The child nodes of a wrapped node, appended to `out` (no closure per node: creating a function
  // is one of the dearest operations in Duktape).
  function pushKids(node, out) {
    var keys = node.keys;
    for (var k = 0; k < keys.length; k++) {
      var v = node[keys[k]];
      if (v === null || typeof v !== 'object') continue;
      if (v.length !== undefined) {
        for (var i = 0; i < v.length; i++) if (v[i] && typeof v[i].type === 'string') out.push(v[i]);
      } else if (typeof v.type === 'string') {
        out.push(v);
      }
    }
  }

  // Raw AST, before Bublé wraps it: a catch clause without binding gets one (Bublé's CatchClause
  // declares its parameter), written into the text as `(name)`; a for-of whose body is a single
  // statement making a closure is listed in `unbraced` (Bublé moves such a body out of its loop).
  function prepareRaw(node, found, unbraced) {
    if (node === null || typeof node !== 'object') return false;
    if (node.length !== undefined) {
      var any = false;
      for (var i = 0; i < node.length; i++) any = prepareRaw(node[i], found, unbraced) || any;
      return any;
    }
    if (typeof node.type !== 'string') return false;
    if (node.type === 'CatchClause' && node.param === null) {
      node.param = {type: 'Identifier', name: 'wpadkit_ignored$', start: node.body.start, end: node.body.start};
      found.push(node.body.start);
    }
    var closure = node.type === 'FunctionExpression' || node.type === 'ArrowFunctionExpression' ||
                  node.type === 'FunctionDeclaration' || node.type === 'ClassExpression';
    for (var key in node) {
      if (key !== 'type' && node[key] !== null && typeof node[key] === 'object') {
        var inner = prepareRaw(node[key], found, unbraced);
        closure = closure || inner;
        if (inner && node.type === 'ForOfStatement' && key === 'body' && node.body.type !== 'BlockStatement') {
          unbraced.push(node.body);
        }
      }
    }
    return closure;
  }

  function parse(source) {
    return plainParser.parse(source, {
      ecmaVersion: 2021,
      preserveParens: true,
      sourceType: 'script',
      allowHashBang: true
    });
  }

  function questionDot(source, from) {
    var at = source.indexOf('?.', from);
    return at;
  }
  function nextNonSpace(source, from) {
    while (from < source.length && /\s/.test(source.charAt(from))) from++;
    return from;
  }

  // `a ?? b` → `((ref = a) != null ? ref : b)`.
  function nullish(node, code) {
    var ref = node.findScope(true).createDeclaration('ref');
    code.prependRight(node.left.start, '((' + ref + ' = ');
    code.overwrite(node.left.end, node.right.start, ') != null ? ' + ref + ' : ');
    code.appendLeft(node.right.end, ')');
  }

  // `a?.b.c?.[d]` → `((r1 = a) == null ? void 0 : (r2 = r1.b.c) == null ? void 0 : r2[d])`; a call
  // through a member `o.m?.()` keeps `this`: `(r = (s = o).m) == null ? void 0 : r.call(s)`.
  function optionalChain(chain, code, source) {
    var links = [];
    for (var n = chain.expression; n && (n.type === 'MemberExpression' || n.type === 'CallExpression');
         n = n.type === 'MemberExpression' ? n.object : n.callee) {
      if (n.optional) links.unshift(n);
    }
    if (links.length === 0) return;
    var scope = chain.findScope(true);
    var refs = [];
    var thisRefs = [];  // a temporary holding `this` for a call through a member, to capture
    var thisNames = [];  // the name `this` is read from in such a call (null: a plain call)
    for (var i = 0; i < links.length; i++) {
      refs.push(scope.createDeclaration('ref'));
      var base = links[i].type === 'MemberExpression' ? links[i].object : links[i].callee;
      var keepThis = links[i].type === 'CallExpression' && base.type === 'MemberExpression';
      if (keepThis && i > 0 && base === links[i - 1]) {
        // `a?.m?.()`: the callee is the previous link, whose object (`this` here) is refs[i - 1].
        thisRefs.push(null);
        thisNames.push(refs[i - 1]);
      } else {
        var t = keepThis ? scope.createDeclaration('ref') : null;
        thisRefs.push(t);
        thisNames.push(t);
      }
    }
    function prefix(i) {
      return '(' + refs[i] + ' = ' + (thisRefs[i] ? '(' + thisRefs[i] + ' = ' : '');
    }
    code.prependRight(chain.start, '(' + prefix(0));
    for (i = 0; i < links.length; i++) {
      var link = links[i];
      var b = link.type === 'MemberExpression' ? link.object : link.callee;
      if (thisRefs[i]) code.appendLeft(b.object.end, ')');
      var q = questionDot(source, b.end);
      var after = ') == null ? void 0 : ' + (i + 1 < links.length ? prefix(i + 1) : '') + refs[i];
      if (link.type === 'MemberExpression' && !link.computed) {
        code.overwrite(q, q + 2, after + '.');
      } else if (link.type === 'CallExpression' && thisNames[i]) {
        var paren = nextNonSpace(source, q + 2);  // the call's `(`
        code.overwrite(q, paren + 1, after + '.call(' + thisNames[i] + (link.arguments.length ? ', ' : ''));
      } else {
        code.overwrite(q, q + 2, after);
      }
    }
    code.appendLeft(chain.end, ')');
  }

  // `a ||= b` → `(a || (a = b))`, `o.p ??= b` → `((ref = o).p != null ? ref.p : (ref.p = b))`:
  // the target is read once and written only when the operator says so (§13.15.2). A computed
  // member target is left as it is (Duktape then reports it).
  function logicalAssignment(node, code, source) {
    var op = node.operator.slice(0, 2);
    var left = node.left;
    var target;
    if (left.type === 'Identifier') {
      target = left.name;
    } else if (left.type === 'MemberExpression' && !left.computed && left.property.type === 'Identifier') {
      var ref = node.findScope(true).createDeclaration('ref');
      code.prependRight(left.object.start, '(' + ref + ' = ');
      code.appendLeft(left.object.end, ')');
      target = ref + '.' + left.property.name;
    } else {
      return;
    }
    code.prependRight(node.start, '(');
    if (op === '??') {
      code.overwrite(left.end, node.right.start, ' != null ? ' + target + ' : (' + target + ' = ');
    } else {
      code.overwrite(left.end, node.right.start, ' ' + op + ' (' + target + ' = ');
    }
    code.appendLeft(node.right.end, '))');
  }

  function wrapIterable(node, code) {
    if (node.type === 'ArrayExpression' || (node.type === 'Identifier' && node.name === 'arguments')) return;
    code.prependRight(node.start, ITER + '(');
    code.appendLeft(node.end, ')');
  }

  // Wrapped AST, after Bublé's initialise (scopes exist) and before its transpile.
  // Children before parents: where an outer and an inner construct start at one position
  // (`a?.b ?? c`), the outer one's text, prepended last, comes first.
  function editModern(root, code, source) {
    var order = [];
    var stack = [root];
    while (stack.length) {
      var node = stack.pop();
      order.push(node);
      pushKids(node, stack);
    }
    for (var i = order.length - 1; i >= 0; i--) editNode(order[i], code, source);
  }

  function editNode(node, code, source) {
    switch (node.type) {
      case 'LogicalExpression':
        if (node.operator === '??') nullish(node, code);
        break;
      case 'ChainExpression':
        optionalChain(node, code, source);
        break;
      case 'AssignmentExpression':
        if (node.operator === '||=' || node.operator === '&&=' || node.operator === '??=') {
          logicalAssignment(node, code, source);
        }
        break;
      case 'Literal':
        if (typeof node.value === 'number' && node.raw.indexOf('_') >= 0) {
          var digits = node.raw.replace(/_/g, '');
          code.overwrite(node.start, node.end, digits + new Array(node.raw.length - digits.length + 1).join(' '));
        }
        break;
      case 'ForOfStatement':
        wrapIterable(node.right, code);
        break;
      case 'SpreadElement':
        if (node.parent.type === 'ArrayExpression' || node.parent.type === 'CallExpression' ||
            node.parent.type === 'NewExpression') {
          wrapIterable(node.argument, code);
        }
        break;
    }
  }

  // magic-string's chunks rendered with every original line on its line number: line breaks inside
  // generated text become spaces, and the breaks the original had where Bublé replaced text are put
  // back before the next original chunk. Generated text holding a comment keeps its breaks.
  function render(ms, source) {
    var lineStarts = [0];
    for (var i = source.indexOf('\n'); i >= 0; i = source.indexOf('\n', i + 1)) lineStarts.push(i + 1);
    function lineOf(offset) {
      var lo = 0;
      var hi = lineStarts.length - 1;
      while (lo < hi) {
        var mid = (lo + hi + 1) >> 1;
        if (lineStarts[mid] <= offset) lo = mid; else hi = mid - 1;
      }
      return lo;
    }
    var out = [];
    var line = 0;
    function generated(text) {
      if (text.indexOf('\n') < 0) return out.push(text);
      if (text.indexOf('//') >= 0 || text.indexOf('/*') >= 0) {
        line += text.split('\n').length - 1;
        return out.push(text);
      }
      out.push(text.replace(/\n/g, ' '));
    }
    generated(ms.intro);
    for (var chunk = ms.firstChunk; chunk; chunk = chunk.next) {
      var target = lineOf(chunk.start);
      if (line < target) {
        out.push(new Array(target - line + 1).join('\n'));
        line = target;
      }
      generated(chunk.intro);
      if (chunk.edited) {
        generated(chunk.content);
      } else {
        out.push(chunk.content);
        line += chunk.content.split('\n').length - 1;
      }
      generated(chunk.outro);
    }
    generated(ms.outro);
    return out.join('');
  }

  function failure(err, construct) {
    var message = String(err && err.message || err);
    message = message.replace(/ \(\d+:\d+\)$/, '');
    var loc = err && err.loc;
    return {
      message: message,
      line: loc ? loc.line : 0,
      column: loc ? loc.column + 1 : 0,
      construct: construct
    };
  }

  return function (source) {
    var ast;
    try {
      ast = parse(source);
    } catch (err) {
      return failure(err, '');
    }
    var catches = [];
    var unbraced = [];
    prepareRaw(ast, catches, unbraced);
    if (unbraced.length > 0) {
      // Braces around those bodies (same lines), and the text read again.
      unbraced.sort(function (a, b) { return b.start - a.start; });
      for (var u = 0; u < unbraced.length; u++) {
        var body = unbraced[u];
        source = source.slice(0, body.start) + '{' + source.slice(body.start, body.end) + '}' + source.slice(body.end);
      }
      ast = parse(source);
      catches = [];
      prepareRaw(ast, catches, []);
    }
    var program;
    try {
      // Program's constructor (Bublé) with our edits between its initialise and its transpile.
      var options = {objectAssign: 'Object.assign', transforms: transforms};
      program = Object.create(Program.prototype);
      program.type = 'Root';
      program.options = options;
      program.source = source;
      program.magicString = new MagicString(source);
      program.ast = ast;
      program.depth = 0;
      wrap(program.body = ast, program);
      Object.setPrototypeOf(program.body, BlockStatement.prototype);
      program.templateLiteralQuasis = Object.create(null);
      for (var i = 0; i < program.body.body.length; ++i) {
        if (!program.body.body[i].directive) {
          program.prependAt = program.body.body[i].start;
          break;
        }
      }
      program.objectWithoutPropertiesHelper = null;
      program.indentExclusionElements = [];
      program.body.initialise(transforms);
      program.indentExclusions = Object.create(null);
      for (var e = 0; e < program.indentExclusionElements.length; e++) {
        var node = program.indentExclusionElements[e];
        for (var p = node.start; p < node.end; p += 1) program.indentExclusions[p] = true;
      }
      for (var c = 0; c < catches.length; c++) {
        program.magicString.appendLeft(catches[c], '(wpadkit_ignored$) ');
      }
      editModern(program.body, program.magicString, source);
      program.body.transpile(program.magicString, transforms);
    } catch (err) {
      // Bublé's CompileError names what it does not transform ("Transforming generators is not
      // implemented", "for await...of statements are not supported").
      return failure(err, err && err.name === 'CompileError' ? String(err.message).replace(/ \(\d+:\d+\)$/, '') : '');
    }
    return {code: render(program.magicString, source)};
  };
})();
