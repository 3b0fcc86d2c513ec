// The JavaScript half of the PAC helpers: the date/time helpers (they read `new Date()`, which is the
// injected clock, see duk_heap.cpp) and the reference implementations the native helpers fall back to
// for non-string arguments, so that odd calls behave exactly as in Chromium (a TypeError where its
// JavaScript would throw one, string conversion where it converts).
//
// The algorithms are those of Chromium's net/proxy_resolution/pac_js_library.h (itself Mozilla's
// ProxyAutoConfig.cpp), quirks included: dateRange's Netscape-compatible month/day handling, the
// "GMT" adjustment that shifts the local Date object, timeRange's 4-argument form keeping the current
// second, weekday/month names matched with `in` (case-sensitive). The code is written afresh.
#include "proxycore/pac/pac_library.hpp"

namespace wpadkit::pac::detail {

// Evaluates to an object {name: function}; pac_builtins.cpp stores each in the global stash.
const char* const pac_library_js = R"JS((function () {
var WDAYS = {SUN: 0, MON: 1, TUE: 2, WED: 3, THU: 4, FRI: 5, SAT: 6};
var MONTHS = {JAN: 0, FEB: 1, MAR: 2, APR: 3, MAY: 4, JUN: 5, JUL: 6, AUG: 7, SEP: 8, OCT: 9,
              NOV: 10, DEC: 11};
function dayIndex(name) { return (name in WDAYS) ? WDAYS[name] : -1; }
function monthIndex(name) { return (name in MONTHS) ? MONTHS[name] : -1; }
function inRange(from, to, at) {
  return (from <= to) ? (from <= at && at <= to) : (to >= at || at >= from);
}
// Chromium's GMT handling: rewrite the local fields of `d` with its UTC fields, one at a time.
function shiftToUtcFields(d) {
  d.setFullYear(d.getUTCFullYear());
  d.setMonth(d.getUTCMonth());
  d.setDate(d.getUTCDate());
  d.setHours(d.getUTCHours());
  d.setMinutes(d.getUTCMinutes());
  d.setSeconds(d.getUTCSeconds());
}
function isDottedQuad(text) {
  var m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (m == null) return false;
  return !(m[1] > 255 || m[2] > 255 || m[3] > 255 || m[4] > 255);
}
return {
  dnsDomainIs: function (host, domain) {
    return host.length >= domain.length &&
           host.substring(host.length - domain.length) == domain;
  },
  dnsDomainLevels: function (host) { return host.split('.').length - 1; },
  localHostOrDomainIs: function (host, hostdom) {
    return host == hostdom || hostdom.lastIndexOf(host + '.', 0) == 0;
  },
  shExpMatch: function (url, pattern) {
    var re = pattern.replace(/\./g, '\\.').replace(/\*/g, '.*').replace(/\?/g, '.');
    return new RegExp('^' + re + '$').test(url);
  },
  convert_addr: function (ipchars) {
    var b = ipchars.split('.');
    return ((b[0] & 0xff) << 24) | ((b[1] & 0xff) << 16) | ((b[2] & 0xff) << 8) | (b[3] & 0xff);
  },
  isInNet: function (ipaddr, pattern, maskstr) {
    if (!isDottedQuad(pattern) || !isDottedQuad(maskstr)) return false;
    if (!isDottedQuad(ipaddr)) {
      ipaddr = dnsResolve(ipaddr);
      if (ipaddr == null) return false;
    }
    var mask = convert_addr(maskstr);
    return (convert_addr(ipaddr) & mask) == (convert_addr(pattern) & mask);
  },
  weekdayRange: function () {
    var now = new Date();
    var argc = arguments.length;
    if (argc < 1) return false;
    var today;
    if (arguments[argc - 1] == 'GMT') {
      argc--;
      today = now.getUTCDay();
    } else {
      today = now.getDay();
    }
    var first = dayIndex(arguments[0]);
    var last = (argc == 2) ? dayIndex(arguments[1]) : first;
    if (first == -1 || last == -1) return false;
    return (first <= last) ? (first <= today && today <= last) : (last >= today || today >= first);
  },
  dateRange: function () {
    var now = new Date();
    var argc = arguments.length;
    if (argc < 1) return false;
    var gmt = (arguments[argc - 1] == 'GMT');
    if (gmt) argc--;
    var v;
    if (argc == 1) {
      v = parseInt(arguments[0]);
      if (isNaN(v)) return (gmt ? now.getUTCMonth() : now.getMonth()) == monthIndex(arguments[0]);
      if (v < 32) return (gmt ? now.getUTCDate() : now.getDate()) == v;
      return (gmt ? now.getUTCFullYear() : now.getFullYear()) == v;
    }
    var year = now.getFullYear();
    var from = new Date(year, 0, 1, 0, 0, 0);
    var to = new Date(year, 11, 31, 23, 59, 59);
    var half = argc >> 1;
    var adjustMonth = false;
    var i;
    for (i = 0; i < half; i++) {
      v = parseInt(arguments[i]);
      if (isNaN(v)) {
        from.setMonth(monthIndex(arguments[i]));
      } else if (v < 32) {
        adjustMonth = (argc <= 2);
        from.setDate(v);
      } else {
        from.setFullYear(v);
      }
    }
    for (i = half; i < argc; i++) {
      v = parseInt(arguments[i]);
      if (isNaN(v)) {
        to.setMonth(monthIndex(arguments[i]));
      } else if (v < 32) {
        to.setDate(v);
      } else {
        to.setFullYear(v);
      }
    }
    if (adjustMonth) {
      from.setMonth(now.getMonth());
      to.setMonth(now.getMonth());
    }
    if (gmt) shiftToUtcFields(now);
    return inRange(from, to, now);
  },
  timeRange: function () {
    var argc = arguments.length;
    var now = new Date();
    if (argc < 1) return false;
    var gmt = false;
    if (arguments[argc - 1] == 'GMT') {
      gmt = true;
      argc--;
    }
    var hour = gmt ? now.getUTCHours() : now.getHours();
    var from = new Date();
    var to = new Date();
    if (argc == 1) return hour == arguments[0];
    if (argc == 2) return arguments[0] <= hour && hour <= arguments[1];
    if (argc == 6) {
      from.setSeconds(arguments[2]);
      to.setSeconds(arguments[5]);
    } else if (argc != 4) {
      throw 'timeRange: bad number of arguments';
    }
    var mid = argc >> 1;
    from.setHours(arguments[0]);
    from.setMinutes(arguments[1]);
    to.setHours(arguments[mid]);
    to.setMinutes(arguments[mid + 1]);
    if (mid == 2) to.setSeconds(59);
    if (gmt) shiftToUtcFields(now);
    return inRange(from, to, now);
  }
};
})())JS";

}  // namespace wpadkit::pac::detail
