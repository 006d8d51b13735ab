"""Shared code of covara's extension-script checks (test/lint/).

  * a tokenizer that follows PostgreSQL's lexical rules: -- and nested /* */
    comments, '...' strings with '' escapes, E'...' strings with backslash
    escapes, "identifiers", $tag$...$tag$ dollar quotes, operators;
  * the script-hygiene rules of check-scripts (PostgreSQL's "Security
    Considerations for Extensions"), which also look inside the bodies of
    SQL and PL/pgSQL functions and DO blocks;
  * the covara.control rules;
  * versions, script names, the module sources of the built install script
    and the release manifest (test/lint/released.sha256) shared by
    check-released and cut-release.

Python 3 standard library only.
"""

import hashlib
import os
import re

# ---------------------------------------------------------------------------
# Scripts, versions, control file, manifest
# ---------------------------------------------------------------------------

VERSION_RE = re.compile(r'^[0-9]+(\.[0-9]+)*$')
SCRIPT_RE = re.compile(r'^covara--(.+)\.sql$')
# Scripts installed as they are (upgrade scripts, released full install
# scripts), and the module sources make concatenates into the current
# version's install script.
SCRIPT_DIR = 'src/sql/versions'
MODULE_DIR = 'src/sql'
MANIFEST = 'test/lint/released.sha256'
FREEZE_HINT = ('HINT: released scripts are frozen: restore it with git checkout and ship '
               'the change as a new version (test/lint/start-version, then a '
               'src/sql/versions/covara--A--B.sql upgrade script); a released version\'s '
               'modules change only once the next version is started')


def version_key(v):
    """Sort key of a version such as 0.10.2 (dotted numbers only)."""
    return tuple(int(p) for p in v.split('.'))


def parse_script_name(name):
    """('install', None, X) for covara--X.sql, ('upgrade', A, B) for
    covara--A--B.sql, None for anything else (including non-numeric
    versions)."""
    m = SCRIPT_RE.match(name)
    if not m:
        return None
    parts = m.group(1).split('--')
    if not all(VERSION_RE.match(p) for p in parts):
        return None
    if len(parts) == 1:
        return ('install', None, parts[0])
    if len(parts) == 2 and parts[0] != parts[1]:
        return ('upgrade', parts[0], parts[1])
    return None


def script_files(root):
    """Every src/sql/versions/covara--*.sql under root, relative to root."""
    d = os.path.join(root, SCRIPT_DIR)
    if not os.path.isdir(d):
        return []
    return sorted(SCRIPT_DIR + '/' + f for f in os.listdir(d)
                  if f.startswith('covara--') and f.endswith('.sql'))


def module_files(root):
    """The module sources src/sql/*.sql in the order make concatenates
    them (by name), relative to root."""
    d = os.path.join(root, MODULE_DIR)
    if not os.path.isdir(d):
        return []
    return sorted(MODULE_DIR + '/' + f for f in os.listdir(d)
                  if f.endswith('.sql') and os.path.isfile(os.path.join(d, f)))


def built_name(version):
    """The name make gives the install script it builds for version."""
    return 'covara--%s.sql' % version


def built_text(root):
    """The install script make builds: the modules, concatenated."""
    return b''.join(open(os.path.join(root, rel), 'rb').read() for rel in module_files(root))


def is_built(rel):
    """True for a manifest path naming a built install script (no
    directory: it is not a file of the tree)."""
    parsed = parse_script_name(rel)
    return '/' not in rel and parsed is not None and parsed[0] == 'install'


def script_order(rel):
    """Sort key: by target version, install scripts before upgrades."""
    kind, src, dst = parse_script_name(os.path.basename(rel))
    return (version_key(dst), kind != 'install',
            version_key(src) if src else (), rel)


def parse_control(path):
    """{name: (value, line)} and a list of (line, problem)."""
    values, problems = {}, []
    with open(path, encoding='utf-8') as fh:
        for n, raw in enumerate(fh, 1):
            line = raw.strip()
            if not line or line.startswith('#'):
                continue
            m = re.match(r"^([A-Za-z_][A-Za-z0-9_]*)\s*=?\s*"
                         r"('(?:[^']|'')*'|[^\s#']+)\s*(#.*)?$", line)
            if not m:
                problems.append((n, 'cannot parse this line as name = value'))
                continue
            val = m.group(2)
            if val.startswith("'"):
                val = val[1:-1].replace("''", "'")
            if m.group(1) in values:
                problems.append((n, '%s is set twice' % m.group(1)))
            values[m.group(1)] = (val, n)
    return values, problems


def reachable_versions(scripts, built=None):
    """Versions an install can reach: install scripts (and the built one,
    for version built) plus upgrade chains."""
    installs, edges = set([built] if built else []), {}
    for rel in scripts:
        p = parse_script_name(os.path.basename(rel))
        if not p:
            continue
        if p[0] == 'install':
            installs.add(p[2])
        else:
            edges.setdefault(p[1], set()).add(p[2])
    seen, todo = set(installs), list(installs)
    while todo:
        for nxt in edges.get(todo.pop(), ()):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


def updates_from(scripts, start):
    """Versions the upgrade scripts lead to from start (start included)."""
    edges = {}
    for rel in scripts:
        p = parse_script_name(os.path.basename(rel))
        if p and p[0] == 'upgrade':
            edges.setdefault(p[1], set()).add(p[2])
    seen, todo = {start}, [start]
    while todo:
        for nxt in edges.get(todo.pop(), ()):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


def sha256_file(path):
    with open(path, 'rb') as fh:
        return hashlib.sha256(fh.read()).hexdigest()


MANIFEST_LINE_RE = re.compile(r'^([0-9a-f]{64}) [ *]((?:src/sql/versions/)?covara--[^/\s]+\.sql)$')


def read_manifest(root):
    """(raw text, [(lineno, sha, path)], [problems]) or (None, [], []) when
    there is no manifest yet."""
    path = os.path.join(root, MANIFEST)
    if not os.path.exists(path):
        return None, [], []
    with open(path, 'rb') as fh:
        raw = fh.read()
    entries, problems, seen = [], [], set()
    for n, line in enumerate(raw.decode('utf-8', 'replace').split('\n'), 1):
        if line == '':
            continue
        m = MANIFEST_LINE_RE.match(line)
        if not m or not parse_script_name(os.path.basename(m.group(2))):
            problems.append('%s:%d: not a "<sha256>  %s/covara--VERSION.sql" or '
                            '"<sha256>  covara--VERSION.sql" (built) line: %r'
                            % (MANIFEST, n, SCRIPT_DIR, line[:80]))
            continue
        if m.group(2) in seen:
            problems.append('%s:%d: %s is listed twice' % (MANIFEST, n, m.group(2)))
            continue
        seen.add(m.group(2))
        entries.append((n, m.group(1), m.group(2)))
    return raw, entries, problems


def target_version(rel):
    return parse_script_name(os.path.basename(rel))[2]


# ---------------------------------------------------------------------------
# Tokenizer
# ---------------------------------------------------------------------------

OP_CHARS = set('+-*/<>=~!@#%^&|`?')
IDENT_RE = re.compile(r'[A-Za-z_\u0080-\U0010ffff][A-Za-z_0-9$\u0080-\U0010ffff]*')
DOLLAR_RE = re.compile(r'\$([A-Za-z_\u0080-\U0010ffff][A-Za-z_0-9\u0080-\U0010ffff]*)?\$')
PARAM_RE = re.compile(r'\$[0-9]+')
NUMBER_RE = re.compile(r'(?:[0-9][0-9_]*(?:\.(?!\.)[0-9_]*)?|\.[0-9][0-9_]*)'
                       r'(?:[eE][+-]?[0-9]+)?')
EXTSCHEMA_RE = re.compile(r'@extschema(?::[A-Za-z_][A-Za-z0-9_]*)?@|@extowner@')
EXTSCHEMA_ANY_RE = re.compile(r'@extschema(?::[A-Za-z_][A-Za-z0-9_]*)?@')


class Tok:
    """kind: ident (val lower-cased), qident ("x", val unescaped), extschema,
    string (prefix '', 'e', 'b', 'x', 'n' or 'u&'; val is the content), dollar
    (body, body_line), number, param, op, punct, meta (psql backslash line),
    other."""
    __slots__ = ('kind', 'text', 'val', 'line', 'prefix', 'body', 'body_line')

    def __init__(self, kind, text, line, val=None, prefix='', body=None, body_line=None):
        self.kind, self.text, self.line, self.prefix = kind, text, line, prefix
        self.val = text if val is None else val
        self.body, self.body_line = body, body_line

    def kw(self, *words):
        return self.kind == 'ident' and self.val in words

    def is_(self, *texts):
        return self.kind in ('punct', 'op') and self.text in texts

    def __repr__(self):
        return 'Tok(%s,%r,%d)' % (self.kind, self.text, self.line)


def _quoted(src, i, quote, backslash):
    """End index just past the closing quote of a quoted token whose opening
    quote is at i, or -1 when unterminated."""
    j, n = i + 1, len(src)
    while j < n:
        c = src[j]
        if backslash and c == '\\':
            j += 2
            continue
        if c == quote:
            if j + 1 < n and src[j + 1] == quote:
                j += 2
                continue
            return j + 1
        j += 1
    return -1


def tokenize(src, line=1, meta=True):
    """Tokens, comments [(line, text)] and errors [(line, message)] of src,
    whose first character is on line `line`."""
    toks, comments, errors = [], [], []
    i, n = 0, len(src)

    def add(kind, start, end, **kw):
        toks.append(Tok(kind, src[start:end], line, **kw))

    while i < n:
        c = src[i]
        if c == '\n':
            line += 1
            i += 1
        elif c.isspace():
            i += 1
        elif src.startswith('--', i):
            j = src.find('\n', i)
            j = n if j < 0 else j
            comments.append((line, src[i:j]))
            i = j
        elif src.startswith('/*', i):
            depth, j = 1, i + 2
            while j < n and depth:
                if src.startswith('/*', j):
                    depth, j = depth + 1, j + 2
                elif src.startswith('*/', j):
                    depth, j = depth - 1, j + 2
                else:
                    j += 1
            if depth:
                errors.append((line, 'unterminated /* comment'))
            line += src.count('\n', i, j)
            i = j
        elif c == '\\' and meta:
            j = src.find('\n', i)
            j = n if j < 0 else j
            add('meta', i, j)
            i = j
        elif c == "'" or (c in 'eEbBxXnN' and src.startswith("'", i + 1)) or \
                (c in 'uU' and src.startswith("&'", i + 1)):
            prefix = '' if c == "'" else ('u&' if c in 'uU' else c.lower())
            q = i + len(prefix)
            j = _quoted(src, q, "'", prefix == 'e')
            if j < 0:
                errors.append((line, 'unterminated string literal'))
                j = n
            content = src[q + 1:j - 1]
            if prefix != 'e':
                content = content.replace("''", "'")
            add('string', i, j, val=content, prefix=prefix)
            line += src.count('\n', i, j)
            i = j
        elif c == '"' or (c in 'uU' and src.startswith('&"', i + 1)):
            q = i if c == '"' else i + 2
            j = _quoted(src, q, '"', False)
            if j < 0:
                errors.append((line, 'unterminated quoted identifier'))
                j = n
            add('qident', i, j, val=src[q + 1:j - 1].replace('""', '"'))
            line += src.count('\n', i, j)
            i = j
        elif c == '$':
            m = DOLLAR_RE.match(src, i)
            p = PARAM_RE.match(src, i)
            if m:
                tag = m.group(0)
                k = src.find(tag, m.end())
                if k < 0:
                    errors.append((line, 'unterminated dollar quote %s' % tag))
                    k = n
                j = min(n, k + len(tag))
                add('dollar', i, j, val=src[m.end():k], body=src[m.end():k],
                    body_line=line + src.count('\n', i, m.end()))
                line += src.count('\n', i, j)
                i = j
            elif p:
                add('param', i, p.end())
                i = p.end()
            else:
                add('other', i, i + 1)
                i += 1
        elif IDENT_RE.match(src, i):
            m = IDENT_RE.match(src, i)
            add('ident', i, m.end(), val=m.group(0).lower())
            i = m.end()
        elif c.isdigit() or (c == '.' and i + 1 < n and src[i + 1].isdigit()):
            m = NUMBER_RE.match(src, i)
            add('number', i, m.end())
            i = m.end()
        elif c == '@' and EXTSCHEMA_RE.match(src, i):
            m = EXTSCHEMA_RE.match(src, i)
            add('extschema', i, m.end())
            i = m.end()
        elif c in OP_CHARS:
            j = i
            while j < n and src[j] in OP_CHARS:
                if j > i and (src.startswith('--', j) or src.startswith('/*', j)):
                    break
                j += 1
            op = src[i:j]
            # PostgreSQL: a multi-character operator cannot end in + or -
            # unless it also contains one of ~ ! @ # % ^ & | ` ?
            if len(op) > 1 and op[-1] in '+-' and not any(ch in op for ch in '~!@#%^&|`?'):
                while len(op) > 1 and op[-1] in '+-':
                    op = op[:-1]
            add('op', i, i + len(op))
            i += len(op)
        elif src.startswith('::', i) or src.startswith(':=', i) or src.startswith('..', i):
            add('punct', i, i + 2)
            i += 2
        elif c in '()[],;.:':
            add('punct', i, i + 1)
            i += 1
        else:
            add('other', i, i + 1)
            i += 1
    return toks, comments, errors


# ---------------------------------------------------------------------------
# Keywords
# ---------------------------------------------------------------------------

# PostgreSQL 15 reserved keywords (can never name a function, type or table).
RESERVED = set('''all analyse analyze and any array as asc asymmetric both case cast
check collate column constraint create current_catalog current_date current_role
current_time current_timestamp current_user default deferrable desc distinct do else
end except false fetch for foreign from grant group having in initially intersect
into lateral leading limit localtime localtimestamp not null offset on only or order
placing primary references returning select session_user some symmetric table then
to trailing true union unique user using variadic when where window with'''.split())

# Column-name keywords: followed by '(' they are grammar (COALESCE, EXTRACT,
# NUMERIC(10,2), ...), never a function looked up through search_path.
# SUBSTRING and OVERLAY are grammar only in their keyword form.
COLNAME_KW = set('''between bigint bit boolean char character coalesce dec decimal exists
extract float greatest grouping inout int integer interval least national nchar none
normalize nullif numeric out overlay position precision real row setof smallint
substring time timestamp treat trim values varchar xmlattributes xmlconcat xmlelement
xmlexists xmlforest xmlnamespaces xmlparse xmlpi xmlroot xmlserialize xmltable'''.split())

# Type/function-name keywords that are grammar before '('.  LEFT, RIGHT,
# CURRENT_SCHEMA and COLLATION are left out: left(), right() and
# current_schema() are ordinary function calls.
TYPEFUNC_KW = set('''authorization binary concurrently cross freeze full ilike inner is
isnull join like natural notnull outer overlaps similar tablesample verbose'''.split())

# Other words that may stand before '(' without being a function call:
# clause keywords and PL/pgSQL statements.
GRAMMAR_WORDS = set('''filter over key index include by rollup sets options set reset
conflict enum range list hash identity inherits operator zone within columns cursor
materialized
exclude if elsif elseif while return perform execute raise assert query next exit
continue loop foreach slice open close move get begin declare exception strict
reverse'''.split())

CALL_OK = (RESERVED | (COLNAME_KW - {'substring', 'overlay'}) | TYPEFUNC_KW |
           GRAMMAR_WORDS)

# SQL-standard type names that the grammar itself maps to pg_catalog types
# (INTEGER -> pg_catalog.int4, DOUBLE PRECISION -> pg_catalog.float8, ...):
# as safe unqualified as COALESCE.
KEYWORD_TYPES = set('''int integer smallint bigint real float double decimal dec numeric
boolean bit character char varchar nchar national timestamp time interval'''.split())

ACCESS_METHODS = {'btree', 'hash', 'gist', 'gin', 'spgist', 'brin'}
GRANT_PRIVILEGES = {'insert', 'update', 'privileges'}
RAISE_OPTIONS = {'errcode', 'message', 'detail', 'hint', 'column', 'constraint',
                 'datatype', 'table', 'schema'}
GRANT_OBJECT_KINDS = set('''table tables schema function functions procedure procedures
routine routines sequence sequences database domain foreign language large tablespace
type types all parameter'''.split())

# Words after which '-' or '*' starts an operand (unary minus, SELECT *).
OPERAND_WORDS = set('''null true false end current_date current_time current_timestamp
current_user current_role current_catalog session_user user localtime
localtimestamp'''.split())
NON_OPERAND_WORDS = ((RESERVED | TYPEFUNC_KW | {'between', 'exists', 'values', 'row', 'setof',
                                                'inout', 'out'} |
                      {'return', 'perform', 'execute', 'raise', 'assert', 'if', 'elsif',
                       'while', 'exit', 'continue', 'query', 'next', 'by', 'slice'})
                     - OPERAND_WORDS)

# After these, a name in a FROM list is not an alias.
FROM_WORDS = RESERVED | TYPEFUNC_KW | {'ordinality', 'rows'}

# Words that end a FROM/USING/INTO/UPDATE target list.
FROM_ENDERS = set('''where group having window order limit offset fetch for union
intersect except returning set values select loop then into do default
overriding'''.split())

RULES = ('guard', 'name', 'create-or-replace', 'if-not-exists', 'extschema', 'operator',
         'function', 'table', 'type', 'cast', 'definer', 'syntax', 'control', 'suppression')

SUPPRESSIBLE = [r for r in RULES if r not in ('control', 'suppression')]
SUPPRESS_RE = re.compile(r'^--\s*lint:\s*allow(?:\s+(\S+))?(?:\s+(.*\S))?\s*$')


# ---------------------------------------------------------------------------
# Script checks
# ---------------------------------------------------------------------------

class Frame:
    """One level of parentheses while scanning a statement."""

    def __init__(self, kind, open_idx):
        self.kind = kind          # top expr options params columns cast kwfunc operator
        self.open = open_idx
        self.kws = set()          # keywords seen at this level
        self.from_ = None         # From state while in a FROM list or DML target
        self.set_list = False     # inside UPDATE ... SET a = 1, b = 2


class From:
    def __init__(self, kind, lst):
        self.kind = kind          # from delete using into update truncate
        self.list = lst           # a ',' starts another table reference
        self.expect = True        # the next name is a table reference
        self.in_on = False        # inside a JOIN's ON condition


class Unit:
    """A token list checked as one unit: the script or one function body."""

    def __init__(self, toks, lang, runtime=False):
        # runtime: a function's body, whose names are resolved when it runs,
        # under its caller's search_path (not a script's or a DO block's)
        self.toks, self.lang, self.runtime = toks, lang, runtime
        self.match = _match_brackets(toks)
        self.exempt = set()       # '=' tokens that are not operators
        self.handled = set()      # names already reported or checked
        self.in_declare = False


def _match_brackets(toks):
    match, stack = {}, []
    for i, t in enumerate(toks):
        if t.is_('(', '['):
            stack.append(i)
        elif t.is_(')', ']') and stack:
            j = stack.pop()
            match[i], match[j] = j, i
    return match


def _segments(toks):
    """Index ranges [s, e) of the statements, split at ';' outside parens."""
    segs, depth, s = [], 0, 0
    for i, t in enumerate(toks):
        if t.is_('('):
            depth += 1
        elif t.is_(')'):
            depth = max(0, depth - 1)
        elif t.is_(';') and depth == 0:
            segs.append((s, i))
            s = i + 1
    segs.append((s, len(toks)))
    return [(a, b) for a, b in segs if a < b]


def _is_name(t):
    return t is not None and t.kind in ('ident', 'qident', 'extschema')


class ScriptChecker:
    """Checks one extension script; collects (line, rule, message)."""

    def __init__(self, text, install, target):
        self.text, self.install, self.install_target = text, install, target
        self.found = []
        self.comments = []

    def report(self, line, rule, msg):
        self.found.append((line, rule, msg))

    # -- entry point ------------------------------------------------------

    def run(self):
        toks, comments, errors = tokenize(self.text)
        self.comments.extend(comments)
        for line, msg in errors:
            self.report(line, 'syntax', msg)
        self.check_guard(toks)
        self.check_extschema(toks)
        self.check_unit(Unit([t for t in toks if t.kind != 'meta'], 'script'))
        return self.finish()

    def check_guard(self, toks):
        first = toks[0] if toks else None
        want = ('CREATE EXTENSION covara' if self.install else
                "ALTER EXTENSION covara UPDATE TO '%s'" % self.install_target)
        if first is None or first.kind != 'meta' or \
                not re.match(r'^\\echo\s.*\s\\quit\s*$', first.text):
            self.report(first.line if first else 1, 'guard',
                        'the script must start, before any SQL, with the line '
                        '\\echo Use "%s" to load this file. \\quit' % want)
        elif want not in first.text:
            self.report(first.line, 'guard', 'the \\echo guard should tell the user to '
                        'run %s' % want)
        for t in toks[1:]:
            if t.kind == 'meta':
                self.report(t.line, 'guard', 'psql meta-command %s in an extension script '
                            '(only the leading \\echo ... \\quit guard is allowed)'
                            % t.text.split()[0])

    def check_extschema(self, toks):
        """@extschema@ is substituted as a quoted identifier, so inside any
        kind of quotes it breaks (or, worse, injects) the text around it."""
        where = {'string': "a '...' string", 'qident': 'a "quoted identifier"',
                 'dollar': 'a dollar-quoted body'}
        for t in toks:
            if t.kind not in where:
                continue
            kind = where[t.kind]
            if t.kind == 'string' and t.prefix == 'e':
                kind = "an E'...' string"
            elif t.kind == 'string' and t.prefix:
                kind = "a %s'...' string" % t.prefix.upper()
            for m in EXTSCHEMA_ANY_RE.finditer(t.text):
                self.report(t.line + t.text.count('\n', 0, m.start()), 'extschema',
                            '%s inside %s: write it unquoted (an SQL-standard function body, '
                            'or look the schema up from pg_extension at run time)'
                            % (m.group(0), kind))

    # -- units and statements ---------------------------------------------

    def check_unit(self, unit):
        toks = unit.toks
        for i, t in enumerate(toks):
            nxt = toks[i + 1] if i + 1 < len(toks) else None
            nn = toks[i + 2] if i + 2 < len(toks) else None
            if self.install and t.kw('create') and nxt is not None and nxt.kw('or') \
                    and nn is not None and nn.kw('replace'):
                self.report(t.line, 'create-or-replace',
                            'CREATE OR REPLACE in an install script could take over an '
                            'existing object: use plain CREATE')
            if t.kw('if') and nxt is not None and nxt.kw('not') and nn is not None \
                    and nn.kw('exists'):
                after = toks[i + 3] if i + 3 < len(toks) else None
                if after is None or not after.is_('('):
                    self.report(t.line, 'if-not-exists',
                                'IF NOT EXISTS would silently accept an object someone else '
                                'made: create it unconditionally')
        for s, e in _segments(toks):
            self.check_statement(unit, s, e)

    def check_statement(self, unit, s, e):
        toks = unit.toks
        if unit.lang == 'plpgsql' and unit.in_declare:
            if toks[s].kw('begin'):
                unit.in_declare = False
            else:
                self.check_declaration(unit, s, e)
        self.check_bodies(unit, s, e)
        ctes = self.cte_names(unit, s, e)
        stmt = {'create_kind': None, 'on_pending': False, 'kws': set(),
                'definer': None, 'search_path': None}
        stack = [Frame('top', None)]

        for i in range(s, e):
            t = toks[i]
            f = stack[-1]
            pv = toks[i - 1] if i > s else None
            nt = toks[i + 1] if i + 1 < e else None
            if t.kind == 'punct':
                if t.text == '(':
                    stack.append(self.open_paren(unit, s, e, i, f, stmt))
                elif t.text == ')':
                    if len(stack) > 1:
                        stack.pop()
                elif t.text == ',':
                    if f.from_ and f.from_.list:
                        f.from_.expect, f.from_.in_on = True, False
                elif t.text == '::':
                    self.note_type(unit, i + 1, e, 'cast')
                continue
            if t.kind == 'op':
                self.check_operator(unit, s, e, i, f)
                continue
            if not _is_name(t):
                continue

            if f.from_ and f.from_.expect and not t.kw('only'):
                if t.kw('lateral', 'rows'):
                    f.from_.expect = False
                elif not (t.kw('table') and f.from_.kind == 'truncate'):
                    f.from_.expect = False
                    self.note_relation(unit, i, e, ctes,
                                        f.from_.kind in ('into', 'update', 'truncate'))
            if t.kind == 'ident':
                self.keyword(unit, s, e, i, f, stmt, ctes)
                if len(stack) == 1:
                    stmt['kws'].add(t.val)
                f.kws.add(t.val)
            if nt is not None and nt.is_('(') and not (pv is not None and pv.is_('.')):
                self.check_call(unit, s, e, i, f, stmt)
        self.check_definer(stmt)

    def check_definer(self, stmt):
        """A SECURITY DEFINER function pins search_path, pg_temp last."""
        if stmt['definer'] is None:
            return
        path = stmt['search_path']
        if path is None:
            self.report(stmt['definer'], 'definer', 'a SECURITY DEFINER function needs '
                        'SET search_path = pg_catalog, pg_temp (or a list ending in pg_temp)')
        elif not path or path[-1] != 'pg_temp':
            self.report(stmt['definer'], 'definer', 'SECURITY DEFINER: end the pinned '
                        'search_path with pg_temp (else pg_temp is searched first)')

    # -- keywords that start table references, types, frames ---------------

    def keyword(self, unit, s, e, i, f, stmt, ctes):
        toks = unit.toks
        t = toks[i]
        v = t.val
        pv = toks[i - 1] if i > s else None
        nt = toks[i + 1] if i + 1 < e else None
        top = f.kind == 'top'
        verb_position = (pv is None or pv.is_('(', ')', '>>') or
                         pv.kw('begin', 'atomic', 'then', 'else', 'loop', 'query'))

        if v == 'create' and top and stmt['create_kind'] is None:
            j = i + 1
            while j < e and toks[j].kw('or', 'replace', 'temp', 'temporary', 'unlogged',
                                       'materialized', 'unique', 'recursive', 'trusted',
                                       'procedural', 'default', 'constraint', 'global',
                                       'local'):
                j += 1
            stmt['create_kind'] = toks[j].val if j < e and toks[j].kind == 'ident' else '?'

        if v in FROM_ENDERS and f.from_:
            f.from_ = None
        if f.kind == 'options':
            return              # (JOIN = eqjoinsel, SORT1 = ...) names no table
        if v in ('where', 'from', 'returning'):
            f.set_list = False

        if v == 'from':
            if not (pv is not None and pv.kw('distinct')) and f.kind != 'kwfunc' and \
                    not (nt is not None and nt.kw('current')) and \
                    not (stmt['kws'] & {'revoke', 'fetch', 'move', 'copy'}):
                f.from_ = From('delete' if pv is not None and pv.kw('delete') else 'from', True)
        elif v == 'join':
            if not f.from_:
                f.from_ = From('from', True)
            f.from_.expect, f.from_.in_on = True, False
        elif v == 'on':
            if f.from_:
                f.from_.in_on = True
            if top and stmt['on_pending']:
                stmt['on_pending'] = False
                j = i + 1
                while j < e and toks[j].kw('only', 'domain', 'table'):
                    j += 1
                if not (j < e and toks[j].kw('select', 'insert', 'update', 'delete')):
                    self.note_relation(unit, j, e, ctes, True)     # not a rule's event
            elif top and stmt['kws'] & {'grant', 'revoke'} and _is_name(nt) and \
                    not (nt.kind == 'ident' and nt.val in GRANT_OBJECT_KINDS):
                self.note_relation(unit, i + 1, e, ctes, True)
        elif v == 'using':
            if f.from_ and f.from_.kind == 'delete':
                f.from_ = From('using', True)
        elif v == 'into':
            if pv is not None and pv.kw('insert', 'merge'):
                f.from_ = From('into', False)
        elif v == 'update':
            if verb_position:
                f.from_ = From('update', False)
        elif v == 'truncate':
            if verb_position:
                f.from_ = From('truncate', True)
        elif v == 'set':
            if 'update' in f.kws:
                f.set_list = True
            if top and nt is not None and nt.kw('search_path'):
                j, path = i + 2, []
                if j < e and (toks[j].is_('=') or toks[j].kw('to')):
                    j += 1
                while j < e and toks[j].kind in ('ident', 'qident', 'string', 'extschema'):
                    path.append(toks[j].val)
                    if not (j + 1 < e and toks[j + 1].is_(',')):
                        break
                    j += 2
                stmt['search_path'] = path       # [] for FROM CURRENT
        elif v == 'definer':
            if top and pv is not None and pv.kw('security'):
                stmt['definer'] = t.line
        elif v == 'table':
            if _is_name(nt) and not (f.from_ and f.from_.kind == 'truncate'):
                j = i + 1
                while j < e and toks[j].kw('if', 'not', 'exists', 'only'):
                    j += 1
                self.note_relation(unit, j, e, ctes, True)
        elif v in ('view', 'sequence', 'index'):
            before = ('alter', 'drop', 'on') if v == 'index' else \
                ('create', 'replace', 'alter', 'drop', 'on', 'add', 'materialized',
                 'recursive', 'temp', 'temporary', 'unlogged')
            if pv is not None and pv.kw(*before):
                j = i + 1
                while j < e and toks[j].kw('if', 'not', 'exists', 'concurrently'):
                    j += 1
                self.note_relation(unit, j, e, ctes, True)
            if v == 'index' and top and stmt['create_kind'] == 'index':
                stmt['on_pending'] = True
        elif v in ('type', 'domain'):
            if pv is not None and pv.kw('create', 'replace', 'alter', 'drop', 'on', 'add'):
                j = i + 1
                while j < e and toks[j].kw('if', 'not', 'exists'):
                    j += 1
                self.note_type(unit, j, e)
            elif v == 'type' and pv is not None and \
                    (pv.kw('data') or (_is_name(pv) and 'alter' in stmt['kws'] and
                                       'table' in stmt['kws'])):
                self.note_type(unit, i + 1, e)
        elif v == 'column':
            if pv is not None and pv.kw('add') and 'alter' in stmt['kws']:
                j = i + 1
                while j < e and toks[j].kw('if', 'not', 'exists'):
                    j += 1
                self.note_type(unit, j + 1, e)
        elif v == 'references':
            if _is_name(nt):
                self.note_relation(unit, i + 1, e, ctes, True)
        elif v == 'returns':
            if nt is not None and not nt.kw('table'):
                self.note_type(unit, i + 1, e)
        elif v in ('trigger', 'policy', 'rule') and top:
            if not (pv is not None and pv.kw('event')):
                stmt['on_pending'] = True
        elif v == 'constraint' and top and 'comment' in stmt['kws']:
            stmt['on_pending'] = True
        elif v == 'as':
            if f.kind == 'cast':
                self.note_type(unit, i + 1, e, 'cast')
            elif top and stmt['create_kind'] == 'domain':
                self.note_type(unit, i + 1, e)
        elif v in ('like', 'ilike', 'similar'):
            first_in_columns = f.kind == 'columns' and pv is not None and pv.is_('(', ',')
            if not first_in_columns and f.kind != 'kwfunc':
                op = {'like': '~~', 'ilike': '~~*', 'similar': '~'}[v]
                self.report(t.line, 'operator', '%s looks up an operator through search_path: '
                            'write OPERATOR(pg_catalog.%s) (or a qualified function)'
                            % (t.text.upper(), op))
        elif v == 'declare' and unit.lang == 'plpgsql' and top:
            if nt is not None and not nt.kw('begin'):
                unit.in_declare = True
                self.check_declaration(unit, i + 1, e)
        elif v == 'begin' and unit.lang == 'plpgsql':
            unit.in_declare = False

    def open_paren(self, unit, s, e, i, f, stmt):
        """Classify the '(' at i and return its frame."""
        toks = unit.toks
        pv = toks[i - 1] if i > s else None
        pp = toks[i - 2] if i - 1 > s else None
        qualified = pp is not None and pp.is_('.')
        kind = 'expr'
        create = stmt['create_kind'] if f.kind == 'top' else None
        if f.from_ and f.from_.expect:
            f.from_.expect = False
            nf = Frame('expr', i)
            first = toks[i + 1] if i + 1 < e else None
            if _is_name(first) and not first.kw('select', 'with', 'values', 'table'):
                nf.from_ = From('from', True)       # a parenthesized join
            return nf
        if pv is None:
            pass
        elif pv.kw('operator') and not qualified:
            kind = 'operator'
        elif pv.kw('cast') and not qualified:
            kind = 'cast'
            if pp is not None and pp.kw('create', 'drop', 'on'):
                self.note_type(unit, i + 1, e)    # CREATE CAST (source AS target)
        elif pv.kw('extract', 'substring', 'trim', 'overlay', 'position') and not qualified:
            kind = 'kwfunc'
        elif pv.kw('set', 'reset', 'with') and not qualified:
            kind = 'options'
        elif pv.kw('table') and pp is not None and pp.kw('returns'):
            kind = 'columns'
        elif pv.kw('as') and create == 'type':
            kind = 'columns'
        elif _is_name(pv):
            j = i - 1
            while j - 2 >= s and toks[j - 1].is_('.') and _is_name(toks[j - 2]):
                j -= 2
            before = toks[j - 1] if j > s else None
            if before is not None and before.kw('function', 'procedure', 'routine',
                                                'aggregate') and \
                    not (j - 2 >= s and toks[j - 2].kw('execute')):
                kind = 'params'
            elif before is not None and before.kw('table') and create == 'table':
                kind = 'columns'
            elif create in ('type', 'aggregate', 'operator', 'collation', 'text') and \
                    f.kind == 'top':
                kind = 'options'
        elif create in ('type', 'aggregate', 'operator', 'collation', 'text') and \
                f.kind == 'top':
            kind = 'options'
        nf = Frame(kind, i)
        if kind in ('params', 'columns'):
            self.check_elements(unit, i, kind)
        return nf

    def check_elements(self, unit, i, kind):
        """Types in a parameter list or in column definitions."""
        toks, close = unit.toks, unit.match.get(i)
        if close is None:
            return
        elems, depth, a = [], 0, i + 1
        for k in range(i + 1, close):
            if toks[k].is_('(', '['):
                depth += 1
            elif toks[k].is_(')', ']'):
                depth -= 1
            elif toks[k].is_(',') and depth == 0:
                elems.append((a, k))
                a = k + 1
        elems.append((a, close))
        for a, b in elems:
            if a >= b:
                continue
            if kind == 'columns':
                if toks[a].kw('constraint', 'primary', 'unique', 'check', 'foreign',
                              'exclude', 'like'):
                    continue
                self.note_type(unit, a + 1, b)
                continue
            j = a
            if j < b and toks[j].kw('in', 'out', 'inout', 'variadic'):
                j += 1
            if j >= b:
                continue
            t, nt = toks[j], toks[j + 1] if j + 1 < b else None
            is_type = (nt is None or nt.is_('.', '[', '(', '=', '%') or nt.kw('default') or
                       (t.kind == 'ident' and t.val in KEYWORD_TYPES))
            if not is_type and nt.kw('in', 'out', 'inout', 'variadic'):
                j += 1                              # name OUT type
            self.note_type(unit, j if is_type else j + 1, b)

    def check_declaration(self, unit, a, e):
        """One PL/pgSQL declaration: name [CONSTANT] type [... = default]."""
        toks = unit.toks
        if a + 1 >= e or not _is_name(toks[a]):
            return
        j = a + 1
        if toks[j].kw('alias', 'cursor', 'scroll', 'no'):
            return
        if toks[j].kw('constant'):
            j += 1
        self.note_type(unit, j, e)
        depth = 0
        for k in range(j, e):
            if toks[k].is_('(', '['):
                depth += 1
            elif toks[k].is_(')', ']'):
                depth -= 1
            elif depth == 0 and (toks[k].is_(':=') or toks[k].kw('default')):
                return
            elif depth == 0 and toks[k].is_('='):
                unit.exempt.add(k)
                return

    # -- bodies -------------------------------------------------------------

    def check_bodies(self, unit, s, e):
        """Recurse into function bodies and DO blocks of this statement."""
        toks = unit.toks
        for i in range(s, e):
            t = toks[i]
            if t.kw('create'):
                j = i + 1
                while j < e and toks[j].kw('or', 'replace'):
                    j += 1
                if j < e and toks[j].kw('function', 'procedure'):
                    lang = self.language(toks, j, e) or 'sql'
                    for k in range(j, e - 1):
                        if toks[k].kw('as') and toks[k + 1].kind in ('dollar', 'string'):
                            self.check_body(toks[k + 1], lang, runtime=True)
                            break
                    return
            if t.kw('do') and i + 1 < e:
                nxt = toks[i + 1]
                if nxt.kind in ('dollar', 'string') or nxt.kw('language'):
                    lang = self.language(toks, i, e) or 'plpgsql'
                    for k in range(i + 1, e):
                        if toks[k].kind in ('dollar', 'string'):
                            self.check_body(toks[k], lang)
                            break
                    return

    @staticmethod
    def language(toks, s, e):
        for k in range(s, e - 1):
            if toks[k].kw('language') and toks[k + 1].kind in ('ident', 'string', 'qident'):
                return toks[k + 1].val.lower()
        return None

    def check_body(self, tok, lang, runtime=False):
        if lang not in ('sql', 'plpgsql'):
            return
        if tok.kind == 'dollar':
            text, line = tok.body, tok.body_line
        elif tok.prefix == '':
            text, line = tok.val, tok.line
        else:
            return
        toks, comments, errors = tokenize(text, line, meta=False)
        self.comments.extend(comments)
        for ln, msg in errors:
            self.report(ln, 'syntax', msg + ' in a function body')
        self.check_unit(Unit(toks, lang, runtime))

    # -- the reference rules ------------------------------------------------

    def cte_names(self, unit, s, e):
        toks, names = unit.toks, set()
        for i in range(s + 1, e - 1):
            t, pv = toks[i], toks[i - 1]
            if t.kind not in ('ident', 'qident') or not (pv.kw('with', 'recursive') or pv.is_(',')):
                continue
            j = i + 1
            if toks[j].is_('(') and j in unit.match:
                j = unit.match[j] + 1
            while j < e and toks[j].kw('as', 'not', 'materialized'):
                j += 1
            if j < e and j > i + 1 and toks[j].is_('(') and toks[j - 1].kw('as', 'materialized'):
                names.add(t.val)
        return names

    def note_relation(self, unit, i, e, ctes, report_calls):
        """toks[i] starts a table reference: a name, not a function call.
        In a script the server resolves it with pg_catalog first; in a
        function body it must be qualified (the caller's path applies)."""
        toks = unit.toks
        if i >= e:
            return
        t = toks[i]
        nt = toks[i + 1] if i + 1 < e else None
        if t.kind not in ('ident', 'qident') or (nt is not None and nt.is_('.')):
            return
        if t.kind == 'ident' and t.val in RESERVED:
            return
        if t.val in ctes:
            return
        if nt is not None and nt.is_('(') and not report_calls:
            return              # a function in FROM: check_call decides
        unit.handled.add(i)
        if unit.runtime:
            self.report(t.line, 'table', 'table %s is not schema-qualified in a function body '
                        '(resolved with the caller\'s search_path): write @extschema@.%s, '
                        'covara.%s or pg_catalog.%s' % ((t.text,) * 4))

    def note_type(self, unit, j, e, rule='type'):
        """toks[j] starts a type name: a name, not a function call (even
        with a typmod, numeric(4, 1)).  In a script the server resolves it
        with pg_catalog first; in a function body it must be qualified."""
        toks = unit.toks
        if j < e and toks[j].kw('setof'):
            j += 1
        if j >= e:
            return
        t = toks[j]
        nt = toks[j + 1] if j + 1 < e else None
        if t.kind not in ('ident', 'qident') or (nt is not None and nt.is_('.')):
            return
        if t.kind == 'ident' and (t.val in KEYWORD_TYPES or t.val in RESERVED):
            return
        if nt is not None and nt.is_('%') and j + 2 < e and toks[j + 2].kw('type', 'rowtype'):
            return              # var%TYPE names a PL/pgSQL variable
        unit.handled.add(j)
        if unit.runtime:
            where = 'cast to %s' % t.text if rule == 'cast' else 'type %s' % t.text
            self.report(t.line, rule, '%s is not schema-qualified in a function body (resolved '
                        'with the caller\'s search_path): write pg_catalog.%s (or the schema it '
                        'lives in)' % (where, t.text))

    def check_call(self, unit, s, e, i, f, stmt):
        """name( where name is not schema-qualified."""
        toks = unit.toks
        if i in unit.handled:
            return
        t = toks[i]
        pv = toks[i - 1] if i > s else None
        close = unit.match.get(i + 1)
        after = toks[close + 1] if close is not None and close + 1 < e else None
        if t.kind == 'extschema':
            return
        if t.kind == 'ident':
            v = t.val
            if v in ('substring', 'overlay') and close is not None:
                depth, kwform = 0, False
                for k in range(i + 2, close):
                    if toks[k].is_('(', '['):
                        depth += 1
                    elif toks[k].is_(')', ']'):
                        depth -= 1
                    elif depth == 0 and toks[k].kw('from', 'for', 'placing', 'similar'):
                        kwform = True
                if kwform:
                    return
                self.report(t.line, 'function', '%s(a, b, ...) is an ordinary function call: '
                            'write pg_catalog.%s(...) or the keyword form %s(x FROM a FOR b)'
                            % (v, v, v.upper()))
                return
            if v in CALL_OK:
                return
            if v == 'varying' and pv is not None and pv.kw('character', 'char', 'bit'):
                return          # the type character varying(n)
            if v in GRANT_PRIVILEGES and stmt['kws'] & {'grant', 'revoke'}:
                return
            if v in ACCESS_METHODS and pv is not None and pv.kw('using'):
                return
        # WITH name (columns) AS ( ... )
        if pv is not None and (pv.kw('with', 'recursive') or pv.is_(',')) and \
                after is not None and after.kw('as') and close + 2 < e and \
                (toks[close + 2].is_('(') or toks[close + 2].kw('not', 'materialized')):
            return
        # FROM ... alias(columns)
        if f.from_ and not f.from_.in_on and pv is not None:
            if pv.is_(')'):
                op = unit.match.get(i - 1)
                if op is None or op - 1 < s or not toks[op - 1].kw('operator'):
                    return
            if pv.kw('as') or pv.kind == 'qident' or \
                    (pv.kind == 'ident' and pv.val not in FROM_WORDS):
                return
        unit.handled.add(i)
        self.report(t.line, 'function', 'function %s() is not schema-qualified: write '
                    'pg_catalog.%s(...) or covara.%s(...)' % (t.text, t.text, t.text))

    def check_operator(self, unit, s, e, i, f):
        toks = unit.toks
        t = toks[i]
        op = t.text
        pv = toks[i - 1] if i > s else None
        nt = toks[i + 1] if i + 1 < e else None
        if pv is not None and pv.is_('.'):
            return              # schema.op: OPERATOR(pg_catalog.=), CREATE OPERATOR
        if op == '=>' or i in unit.exempt:
            return
        if op == '%' and nt is not None and nt.kw('type', 'rowtype'):
            return              # PL/pgSQL %TYPE
        if unit.lang == 'plpgsql':
            if op == '<<' and _is_name(nt) and i + 2 < e and toks[i + 2].is_('>>'):
                unit.exempt.add(i + 2)
                return          # <<label>>
            if op == '#' and nt is not None and nt.kw('variable_conflict',
                                                      'print_strict_params', 'option'):
                return          # #variable_conflict use_column
        closes_operator = pv is not None and pv.is_(')') and i - 1 in unit.match and \
            unit.match[i - 1] - 1 >= s and toks[unit.match[i - 1] - 1].kw('operator')
        operand = pv is not None and not closes_operator and (
            pv.kind in ('number', 'string', 'qident', 'param', 'dollar') or
            pv.is_(')', ']') or (pv.kind == 'ident' and pv.val not in NON_OPERAND_WORDS))
        if op == '*' and not operand:
            return              # SELECT *, count(*), t.*
        if op == '-' and not operand and nt is not None and nt.kind == 'number':
            return              # a negative constant
        if op == '=' and self.assignment(unit, s, i, f):
            return
        hint = ''
        if op == '=':
            hint = ' (a PL/pgSQL assignment is written :=)'
        self.report(t.line, 'operator', 'operator %s is not schema-qualified: write '
                    'OPERATOR(pg_catalog.%s)%s' % (op, op, hint))

    def assignment(self, unit, s, i, f):
        """Is the '=' at i a SET/option/RAISE/GET DIAGNOSTICS assignment or
        a parameter default rather than an operator?"""
        toks = unit.toks
        if f.kind == 'params':
            return True
        j = i - 1
        if j >= s and toks[j].is_(')') and j in unit.match:
            j = unit.match[j] - 1
        else:
            while j >= s:
                if toks[j].is_(']') and j in unit.match:
                    j = unit.match[j] - 1
                elif toks[j].kind in ('ident', 'qident'):
                    if j - 2 >= s and toks[j - 1].is_('.'):
                        j -= 2
                    else:
                        j -= 1
                        break
                else:
                    return False
        if j < s or j == i - 1:
            return False
        before = toks[j]
        single = j == i - 2 and toks[i - 1].kind == 'ident'
        if before.kw('set'):
            return True
        if before.kw('local', 'session') and j - 1 >= s and toks[j - 1].kw('set'):
            return True
        if before.is_(',') and f.set_list:
            return True
        if f.kind == 'options' and (before.is_(',') or j == f.open):
            return True
        if single and toks[i - 1].val in RAISE_OPTIONS and 'raise' in f.kws and \
                (before.kw('using') or before.is_(',')):
            return True
        if single and 'diagnostics' in f.kws and (before.kw('diagnostics') or before.is_(',')):
            return True
        return False

    # -- suppressions -------------------------------------------------------

    def finish(self):
        allow = {}
        out = []
        for line, text in self.comments:
            if not re.match(r'^--\s*lint:', text):
                continue
            m = SUPPRESS_RE.match(text)
            if not m or not m.group(1):
                out.append((line, 'suppression', 'write "-- lint: allow <rule> <reason>"'))
            elif m.group(1) not in SUPPRESSIBLE:
                out.append((line, 'suppression', 'unknown rule %r (rules: %s)'
                            % (m.group(1), ', '.join(SUPPRESSIBLE))))
            elif not m.group(2):
                out.append((line, 'suppression', 'say why: "-- lint: allow %s <reason>"'
                            % m.group(1)))
            else:
                allow[(line, m.group(1))] = False
        for line, rule, msg in self.found:
            if (line, rule) in allow:
                allow[(line, rule)] = True
            else:
                out.append((line, rule, msg))
        for (line, rule), used in allow.items():
            if not used:
                out.append((line, 'suppression', 'nothing to allow: no %s violation on '
                            'this line' % rule))
        return sorted(set(out))


def check_script(root, rel):
    """[(line, rule, message)] for one script; rel is relative to root."""
    name = os.path.basename(rel)
    parsed = parse_script_name(name)
    if parsed is None:
        return [(1, 'name', 'script names are covara--VERSION.sql or '
                 'covara--FROM--TO.sql with dotted numeric versions')]
    with open(os.path.join(root, rel), encoding='utf-8') as fh:
        text = fh.read()
    return ScriptChecker(text, parsed[0] == 'install', parsed[2]).run()


def check_built(root, version):
    """[(module, line, rule, message)] for the install script make builds
    for version from the modules, each line traced back to its module."""
    starts, line, out = [], 1, []
    for rel in module_files(root):
        starts.append((line, rel))
        with open(os.path.join(root, rel), encoding='utf-8') as fh:
            text = fh.read()
        line += text.count('\n')
        if text and not text.endswith('\n'):
            out.append((rel, text.count('\n') + 1, 'syntax', 'a module ends with a newline: '
                        'make concatenates the modules, and its last line would run into the '
                        'next one\'s first'))
    for n, rule, msg in ScriptChecker(built_text(root).decode('utf-8'), True, version).run():
        first, rel = [x for x in starts if x[0] <= n][-1] if starts else (1, MODULE_DIR)
        out.append((rel, n - first + 1, rule, msg))
    return out


def check_control(root, scripts):
    """[(line, message)] for covara.control (scripts: the version scripts;
    the current version's install script is built from the modules)."""
    path = os.path.join(root, 'covara.control')
    if not os.path.exists(path):
        return [(1, 'covara.control is missing')]
    values, problems = parse_control(path)
    out = list(problems)

    def get(name):
        return values.get(name, (None, 1))

    val, line = get('trusted')
    if val is None:
        out.append((1, "set trusted = false explicitly (covara's scripts run as superuser "
                    "only)"))
    elif val.lower() not in ('false', 'off', 'no', 'f', 'n', '0'):
        out.append((line, 'trusted must be false'))
    val, line = get('relocatable')
    if val is None or val.lower() not in ('false', 'off', 'no', 'f', 'n', '0'):
        out.append((line, 'set relocatable = false (covara keeps its functions in '
                    'schema covara and refers to @extschema@)'))
    if 'schema' in values:
        out.append((values['schema'][1], 'no schema = line: the tables go into the schema '
                    'CREATE EXTENSION ... SCHEMA names'))
    val, line = get('module_pathname')
    if val != '$libdir/covara':
        out.append((line, "module_pathname must be '$libdir/covara'"))
    val, line = get('default_version')
    modules = module_files(root)
    if val is None:
        out.append((1, 'default_version is missing'))
    elif val not in reachable_versions(scripts, val if modules else None):
        out.append((line, "default_version '%s' has no install path: its install script is "
                    "built from %s/*.sql, and there are none" % (val, MODULE_DIR)))
    elif modules and '%s/%s' % (SCRIPT_DIR, built_name(val)) in scripts:
        out.append((line, "%s/%s: the current version's install script is built from "
                    "%s/*.sql, never written by hand" % (SCRIPT_DIR, built_name(val), MODULE_DIR)))
    return sorted(out)
