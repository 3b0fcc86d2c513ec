// The ES2015–ES2021 built-ins that PAC files use and Duktape 2.7 (ES5.1 plus a few ES2015 pieces)
// lacks, written in ES5 for Duktape. Evaluated in a heap before a script that names one of them
// (pac_polyfills.hpp says when), and at the start of the down-level bundle, whose transpiler needs Map,
// Set and WeakMap itself.
//
// Why our own and not Debian's core-js: core-js 3 is ~500 CommonJS modules with an internal module
// graph that needs a bundler (Debian ships no bundled build of core-js 3), and its Map alone pulls in
// ~60 modules (internal-state, iterators, species, descriptors, ...); the subset below is what PACs
// use, ~300 lines, loaded in well under a millisecond. Each function follows the ECMAScript algorithm
// of its section (cited), and pac_modern_test.cpp checks each against node (V8) on the same snippet.
//
// Every added property is non-enumerable, like the built-ins: an ES5 `for (k in array)` loop sees
// nothing new. Nothing already present is replaced (Duktape has Object.assign, String.prototype.
// startsWith/endsWith/includes/repeat, Number.isInteger/isNaN, globalThis: Duktape's own are kept).
(function (global) {
  'use strict';
  function define(object, name, value) {
    if (!(name in object)) {
      Object.defineProperty(object, name, {value: value, writable: true, configurable: true, enumerable: false});
    }
  }
  function toLength(v) {
    v = Number(v);
    if (v !== v || v <= 0) return 0;
    v = Math.floor(v);
    return v > 9007199254740991 ? 9007199254740991 : v;
  }
  function toInteger(v) {
    v = Number(v);
    if (v !== v) return 0;
    if (v === 0 || v === Infinity || v === -Infinity) return v;
    return v < 0 ? -Math.floor(-v) : Math.floor(v);
  }
  function relativeIndex(v, len) {  // the clamp of Array.prototype.fill/includes (§23.1.3.7)
    var i = toInteger(v);
    return i < 0 ? Math.max(len + i, 0) : Math.min(i, len);
  }
  function sameValueZero(a, b) { return a === b || (a !== a && b !== b); }
  function requireCallable(f, what) {
    if (typeof f !== 'function') throw new TypeError(String(f) + ' is not a function');
    return f;
  }
  function requireObjectCoercible(v, method) {
    if (v === null || v === undefined) {
      throw new TypeError(method + ' called on null or undefined');
    }
    return v;
  }

  // ---- iteration (§7.4): what for-of, spread and Array.from read ------------------------------
  var ITERATOR = typeof Symbol === 'function' && Symbol.iterator ? Symbol.iterator : '@@iterator';

  function ListIterator(list, kind) { this._list = list; this._kind = kind; this._i = 0; }
  define(ListIterator.prototype, 'next', function () {
    var list = this._list;
    if (list === null) return {value: undefined, done: true};
    // Maps and Sets: skip deleted entries, see entries added during the iteration (§24.1.5.2).
    var entries = list._entries ? list._entries : null;
    var n = entries ? entries.length : list.length;
    while (this._i < n) {
      var i = this._i++;
      if (entries) {
        var e = entries[i];
        if (e === undefined) continue;
        var v = this._kind === 'keys' ? e[0] : this._kind === 'values' ? e[1] : [e[0], e[1]];
        return {value: v, done: false};
      }
      v = this._kind === 'keys' ? i : this._kind === 'values' ? list[i] : [i, list[i]];
      return {value: v, done: false};
    }
    this._list = null;
    return {value: undefined, done: true};
  });
  define(ListIterator.prototype, ITERATOR, function () { return this; });

  function StringIterator(s) { this._s = s; this._i = 0; }
  define(StringIterator.prototype, 'next', function () {
    var s = this._s;
    if (s === null || this._i >= s.length) {
      this._s = null;
      return {value: undefined, done: true};
    }
    var c = s.charCodeAt(this._i);
    var n = 1;
    if (c >= 0xD800 && c <= 0xDBFF && this._i + 1 < s.length) {
      var d = s.charCodeAt(this._i + 1);
      if (d >= 0xDC00 && d <= 0xDFFF) n = 2;
    }
    var v = s.substr(this._i, n);
    this._i += n;
    return {value: v, done: false};
  });
  define(StringIterator.prototype, ITERATOR, function () { return this; });

  define(Array.prototype, 'keys', function () { return new ListIterator(Object(this), 'keys'); });
  define(Array.prototype, 'values', function () { return new ListIterator(Object(this), 'values'); });
  define(Array.prototype, 'entries', function () { return new ListIterator(Object(this), 'entries'); });
  define(Array.prototype, ITERATOR, Array.prototype.values);
  define(String.prototype, ITERATOR, function () {
    return new StringIterator(String(requireObjectCoercible(this, 'String.prototype[Symbol.iterator]')));
  });

  // The values an iterable yields, as an array (arrays themselves are returned as they are: for-of
  // over an array reads its live length, as the array iterator does).
  function iterableToArray(x) {
    if (Array.isArray(x)) return x;
    if (x === null || x === undefined) throw new TypeError(String(x) + ' is not iterable');
    if (typeof x === 'string') x = Object(x);
    var f = x[ITERATOR];
    if (typeof f !== 'function') {
      if (Object.prototype.toString.call(x) === '[object Arguments]') return Array.prototype.slice.call(x);
      throw new TypeError('object is not iterable');
    }
    var it = f.call(x);
    var out = [];
    for (var step = it.next(); !step.done; step = it.next()) out.push(step.value);
    return out;
  }
  // for-of and spread in down-levelled scripts (pac_downlevel_glue.js) go through this.
  define(global, '__wpadkit_iter', iterableToArray);
  // `super.name` read in a down-levelled class: [[Get]] from `home` with `receiver` as `this`.
  define(global, '__wpadkit_super_get', function (home, key, receiver) {
    for (var o = home; o !== null && o !== undefined; o = Object.getPrototypeOf(o)) {
      var d = Object.getOwnPropertyDescriptor(o, key);
      if (d) return d.get ? d.get.call(receiver) : d.value;
    }
    return undefined;
  });

  // ---- Map, Set, WeakMap (§24.1–24.3) -----------------------------------------------------------
  // Entries in insertion order in `_entries` ([key, value], undefined once deleted); an index from
  // key to position: primitives by a typed string key, objects by a per-collection id stored on the
  // object as a non-enumerable property (or, for a frozen object, a linear search).
  var nextCollectionId = 0;
  var nextObjectId = 0;
  var OBJECT_ID = '__wpadkit_id__';
  function objectId(o, create) {
    if (Object.prototype.hasOwnProperty.call(o, OBJECT_ID)) return o[OBJECT_ID];
    if (!create || !Object.isExtensible(o)) return undefined;
    var id = ++nextObjectId;
    Object.defineProperty(o, OBJECT_ID, {value: id, enumerable: false});
    return id;
  }
  function indexKey(k, create) {
    switch (typeof k) {
      case 'string': return 's' + k;
      case 'number': return k !== k ? 'NaN' : 'n' + (k === 0 ? 0 : k);  // +0 and -0 are one key
      case 'boolean': return 'b' + k;
      case 'undefined': return 'u';
      case 'symbol': return undefined;
      default:
        if (k === null) return 'l';
        var id = objectId(k, create);
        return id === undefined ? undefined : 'o' + id;
    }
  }
  // The state is kept in non-enumerable properties, so that Object.keys and JSON.stringify see an
  // empty object, as they do on a native Map.
  function hidden(o, name, value) {
    Object.defineProperty(o, name, {value: value, writable: true, enumerable: false, configurable: true});
  }
  function Collection(type) {
    hidden(this, '_entries', []);
    hidden(this, '_index', Object.create(null));
    hidden(this, '_size', 0);
    hidden(this, '_type', type);
  }
  function find(c, k, create) {
    var key = indexKey(k, create);
    if (key !== undefined) {
      var i = c._index[key];
      return i === undefined ? -1 : i;
    }
    for (var j = 0; j < c._entries.length; j++) {
      if (c._entries[j] !== undefined && sameValueZero(c._entries[j][0], k)) return j;
    }
    return -1;
  }
  function add(c, k, v) {
    var i = find(c, k, true);
    if (i >= 0) {
      c._entries[i][1] = v;
      return;
    }
    if (k === 0) k = 0;  // -0 → +0 (§24.1.3.9 step 5)
    var key = indexKey(k, true);
    if (key !== undefined) c._index[key] = c._entries.length;
    c._entries.push([k, v]);
    c._size++;
  }
  function remove(c, k) {
    var i = find(c, k, false);
    if (i < 0) return false;
    var key = indexKey(k, false);
    if (key !== undefined) delete c._index[key];
    c._entries[i] = undefined;
    c._size--;
    return true;
  }
  function clear(c) {
    for (var i = 0; i < c._entries.length; i++) c._entries[i] = undefined;
    c._index = Object.create(null);
    c._size = 0;
  }
  function check(c, type, method) {
    if (!(c instanceof Collection) || c._type !== type) {
      throw new TypeError('Method ' + type + '.prototype.' + method + ' called on incompatible receiver');
    }
    return c;
  }
  function fill(c, iterable, adder) {
    if (iterable === null || iterable === undefined) return;
    var items = iterableToArray(iterable);
    for (var i = 0; i < items.length; i++) adder.call(c, items[i]);
  }
  function makeCollection(type, methods, fromIterable) {
    var C = function () {
      if (!(this instanceof C) || this._type !== undefined) {
        throw new TypeError("Constructor " + type + " requires 'new'");
      }
      Collection.call(this, type);
      fill(this, arguments[0], fromIterable);
    };
    C.prototype = Object.create(Collection.prototype);
    define(C.prototype, 'constructor', C);
    for (var name in methods) define(C.prototype, name, methods[name]);
    if (typeof Symbol === 'function' && Symbol.toStringTag) {
      Object.defineProperty(C.prototype, Symbol.toStringTag, {value: type, configurable: true});
    }
    return C;
  }
  function sizeGetter(type) {
    return {get: function () { return check(this, type, 'size')._size; }, configurable: true, enumerable: false};
  }
  function forEachEntry(type, self, cb, thisArg, isSet) {
    check(self, type, 'forEach');
    requireCallable(cb);
    var entries = self._entries;
    for (var i = 0; i < entries.length; i++) {  // live: entries added meanwhile are visited
      var e = entries[i];
      if (e !== undefined) cb.call(thisArg, e[1], isSet ? e[1] : e[0], self);
    }
  }

  if (typeof global.Map !== 'function') {
    var MapC = makeCollection('Map', {
      get: function (k) { var i = find(check(this, 'Map', 'get'), k, false); return i < 0 ? undefined : this._entries[i][1]; },
      set: function (k, v) { add(check(this, 'Map', 'set'), k, v); return this; },
      has: function (k) { return find(check(this, 'Map', 'has'), k, false) >= 0; },
      'delete': function (k) { return remove(check(this, 'Map', 'delete'), k); },
      clear: function () { clear(check(this, 'Map', 'clear')); },
      forEach: function (cb, thisArg) { forEachEntry('Map', this, cb, thisArg, false); },
      keys: function () { return new ListIterator(check(this, 'Map', 'keys'), 'keys'); },
      values: function () { return new ListIterator(check(this, 'Map', 'values'), 'values'); },
      entries: function () { return new ListIterator(check(this, 'Map', 'entries'), 'entries'); }
    }, function (entry) {
      if (entry === null || typeof entry !== 'object' && typeof entry !== 'function') {
        throw new TypeError('Iterator value ' + String(entry) + ' is not an entry object');
      }
      this.set(entry[0], entry[1]);
    });
    Object.defineProperty(MapC.prototype, 'size', sizeGetter('Map'));
    define(MapC.prototype, ITERATOR, MapC.prototype.entries);
    define(global, 'Map', MapC);
  }
  if (typeof global.Set !== 'function') {
    var SetC = makeCollection('Set', {
      add: function (v) { add(check(this, 'Set', 'add'), v, v); return this; },
      has: function (v) { return find(check(this, 'Set', 'has'), v, false) >= 0; },
      'delete': function (v) { return remove(check(this, 'Set', 'delete'), v); },
      clear: function () { clear(check(this, 'Set', 'clear')); },
      forEach: function (cb, thisArg) { forEachEntry('Set', this, cb, thisArg, true); },
      values: function () { return new ListIterator(check(this, 'Set', 'values'), 'values'); },
      entries: function () { return new ListIterator(check(this, 'Set', 'entries'), 'entries'); }
    }, function (v) { this.add(v); });
    Object.defineProperty(SetC.prototype, 'size', sizeGetter('Set'));
    define(SetC.prototype, 'keys', SetC.prototype.values);
    define(SetC.prototype, ITERATOR, SetC.prototype.values);
    define(global, 'Set', SetC);
  }
  if (typeof global.WeakMap !== 'function') {
    // Keys must be objects (§24.3.3.5); entries are held strongly, which only a long-lived heap could
    // tell, and a PAC heap lives as long as its script.
    var requireKey = function (k) {
      if (k === null || typeof k !== 'object' && typeof k !== 'function') throw new TypeError('Invalid value used as weak map key');
      return k;
    };
    var WeakMapC = makeCollection('WeakMap', {
      get: function (k) { var i = find(check(this, 'WeakMap', 'get'), k, false); return i < 0 ? undefined : this._entries[i][1]; },
      set: function (k, v) { add(check(this, 'WeakMap', 'set'), requireKey(k), v); return this; },
      has: function (k) { return find(check(this, 'WeakMap', 'has'), k, false) >= 0; },
      'delete': function (k) { return remove(check(this, 'WeakMap', 'delete'), k); }
    }, function (entry) { this.set(entry[0], entry[1]); });
    define(global, 'WeakMap', WeakMapC);
  }

  // ---- Array (§23.1) ------------------------------------------------------------------------------
  define(Array, 'from', function (items, mapFn, thisArg) {
    if (mapFn !== undefined) requireCallable(mapFn);
    var source = requireObjectCoercible(items, 'Array.from');
    var values;
    if (typeof source === 'string' || typeof Object(source)[ITERATOR] === 'function' || Array.isArray(source)) {
      values = iterableToArray(source).slice();
    } else {
      var o = Object(source);
      values = [];
      for (var i = 0, n = toLength(o.length); i < n; i++) values.push(o[i]);
    }
    if (mapFn !== undefined) {
      for (var j = 0; j < values.length; j++) values[j] = mapFn.call(thisArg, values[j], j);
    }
    return values;
  });
  define(Array, 'of', function () { return Array.prototype.slice.call(arguments); });
  define(Array.prototype, 'includes', function (search, fromIndex) {
    var o = Object(requireObjectCoercible(this, 'Array.prototype.includes'));
    var len = toLength(o.length);
    for (var i = relativeIndex(fromIndex, len); i < len; i++) {
      if (sameValueZero(o[i], search)) return true;
    }
    return false;
  });
  define(Array.prototype, 'find', function (predicate, thisArg) {
    var o = Object(requireObjectCoercible(this, 'Array.prototype.find'));
    requireCallable(predicate);
    for (var i = 0, len = toLength(o.length); i < len; i++) {
      if (predicate.call(thisArg, o[i], i, o)) return o[i];
    }
    return undefined;
  });
  define(Array.prototype, 'findIndex', function (predicate, thisArg) {
    var o = Object(requireObjectCoercible(this, 'Array.prototype.findIndex'));
    requireCallable(predicate);
    for (var i = 0, len = toLength(o.length); i < len; i++) {
      if (predicate.call(thisArg, o[i], i, o)) return i;
    }
    return -1;
  });
  define(Array.prototype, 'fill', function (value, start, end) {
    var o = Object(requireObjectCoercible(this, 'Array.prototype.fill'));
    var len = toLength(o.length);
    var k = relativeIndex(start, len);
    var last = end === undefined ? len : relativeIndex(end, len);
    for (; k < last; k++) o[k] = value;
    return o;
  });
  function flatten(target, source, depth) {  // FlattenIntoArray (§23.1.3.13.1); holes are skipped
    for (var i = 0, len = toLength(source.length); i < len; i++) {
      if (!(i in source)) continue;
      var e = source[i];
      if (depth > 0 && Array.isArray(e)) {
        flatten(target, e, depth - 1);
      } else {
        target.push(e);
      }
    }
    return target;
  }
  define(Array.prototype, 'flat', function () {
    var o = Object(requireObjectCoercible(this, 'Array.prototype.flat'));
    var depth = arguments[0] === undefined ? 1 : toInteger(arguments[0]);
    return flatten([], o, depth);
  });
  define(Array.prototype, 'flatMap', function (f, thisArg) {
    var o = Object(requireObjectCoercible(this, 'Array.prototype.flatMap'));
    requireCallable(f);
    var out = [];
    for (var i = 0, len = toLength(o.length); i < len; i++) {
      if (!(i in o)) continue;
      var r = f.call(thisArg, o[i], i, o);
      if (Array.isArray(r)) flatten(out, r, 0); else out.push(r);
    }
    return out;
  });

  // ---- Object (§20.1.2) ----------------------------------------------------------------------------
  function ownEnumerableKeys(o) { return Object.keys(Object(requireObjectCoercible(o, 'Object.keys'))); }
  define(Object, 'entries', function (o) {
    var keys = ownEnumerableKeys(o);
    var out = [];
    for (var i = 0; i < keys.length; i++) out.push([keys[i], o[keys[i]]]);
    return out;
  });
  define(Object, 'values', function (o) {
    var keys = ownEnumerableKeys(o);
    var out = [];
    for (var i = 0; i < keys.length; i++) out.push(o[keys[i]]);
    return out;
  });
  define(Object, 'fromEntries', function (iterable) {
    var items = iterableToArray(requireObjectCoercible(iterable, 'Object.fromEntries'));
    var out = {};
    for (var i = 0; i < items.length; i++) {
      var e = items[i];
      if (e === null || typeof e !== 'object' && typeof e !== 'function') {
        throw new TypeError('Iterator value ' + String(e) + ' is not an entry object');
      }
      Object.defineProperty(out, String(e[0]), {value: e[1], writable: true, enumerable: true, configurable: true});
    }
    return out;
  });

  // ---- String (§22.1.3) ----------------------------------------------------------------------------
  function pad(s, maxLength, fill, atStart) {  // StringPad (§22.1.3.17.2)
    var len = toLength(maxLength);
    if (len <= s.length) return s;
    var filler = fill === undefined ? ' ' : String(fill);
    if (filler === '') return s;
    var needed = len - s.length;
    var padding = '';
    while (padding.length < needed) padding += filler;
    padding = padding.slice(0, needed);
    return atStart ? padding + s : s + padding;
  }
  define(String.prototype, 'padStart', function (maxLength, fill) {
    return pad(String(requireObjectCoercible(this, 'String.prototype.padStart')), maxLength, fill, true);
  });
  define(String.prototype, 'padEnd', function (maxLength, fill) {
    return pad(String(requireObjectCoercible(this, 'String.prototype.padEnd')), maxLength, fill, false);
  });
  // The white space and line terminators of §12.2 and §12.3, which String.prototype.trim strips.
  var leadingSpace = /^[\s\uFEFF\xA0]+/;
  var trailingSpace = /[\s\uFEFF\xA0]+$/;
  define(String.prototype, 'trimStart', function () {
    return String(requireObjectCoercible(this, 'String.prototype.trimStart')).replace(leadingSpace, '');
  });
  define(String.prototype, 'trimEnd', function () {
    return String(requireObjectCoercible(this, 'String.prototype.trimEnd')).replace(trailingSpace, '');
  });
  define(String.prototype, 'trimLeft', String.prototype.trimStart);
  define(String.prototype, 'trimRight', String.prototype.trimEnd);
  // GetSubstitution (§22.1.3.19.1) for a string pattern: $$, $&, $` and $' (no groups).
  function substitute(matched, s, position, replacement) {
    var out = '';
    for (var i = 0; i < replacement.length; i++) {
      var c = replacement.charAt(i);
      var n = replacement.charAt(i + 1);
      if (c === '$' && n === '$') { out += '$'; i++; }
      else if (c === '$' && n === '&') { out += matched; i++; }
      else if (c === '$' && n === '`') { out += s.slice(0, position); i++; }
      else if (c === '$' && n === "'") { out += s.slice(position + matched.length); i++; }
      else out += c;
    }
    return out;
  }
  define(String.prototype, 'replaceAll', function (searchValue, replaceValue) {
    var s = String(requireObjectCoercible(this, 'String.prototype.replaceAll'));
    if (Object.prototype.toString.call(searchValue) === '[object RegExp]') {
      if (!searchValue.global) {
        throw new TypeError('replaceAll must be called with a global RegExp');
      }
      return s.replace(searchValue, replaceValue);
    }
    var search = String(searchValue);
    var functional = typeof replaceValue === 'function';
    var replacement = functional ? null : String(replaceValue);
    var advance = Math.max(1, search.length);
    var positions = [];
    for (var p = s.indexOf(search, 0); p !== -1; p = s.indexOf(search, p + advance)) {
      positions.push(p);
      if (p + advance > s.length) break;
    }
    var end = 0;
    var out = '';
    for (var i = 0; i < positions.length; i++) {
      var at = positions[i];
      out += s.slice(end, at);
      out += functional ? String(replaceValue(search, at, s)) : substitute(search, s, at, replacement);
      end = at + search.length;
    }
    return out + s.slice(end);
  });

  // ---- globalThis (§19.1) ----------------------------------------------------------------------------
  if (typeof global.globalThis !== 'object') define(global, 'globalThis', global);
})(this);
