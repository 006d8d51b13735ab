#!/usr/bin/env python3
"""The SQL examples of README.md, as psql scripts that check what they show.

    readme_blocks.py README.md OUTDIR     write OUTDIR/LINE.sql, LINE.want;
                                          print "LINE<TAB>run|skip<TAB>why"
    readme_blocks.py --links README.md    print every link that points nowhere
    readme_blocks.py --names README.md    print every covara.NAME the run blocks use

Each ```sql fence is one block, named by the line of its opening fence, run
as one psql script (ON_ERROR_STOP) in order in one database.  What a block
claims (README.md's convention, see DEVELOPMENT.md "The README's examples"):

  stmt;  -- → VALUE        the statement prints VALUE, as `psql -At` prints
  -- → VALUE                it (columns joined by |); each following line
                            "-- → ..." is one more line of its output
  stmt;  -- error: SQLSTATE [message]
                            the statement fails with that SQLSTATE (and,
                            when given, exactly that primary message)
  a ```text fence right after the block
                            everything the block prints, as psql prints it
                            by default (aligned, with headers and footers)

Statements without a claim run with their output discarded.  A block right
after a line <!-- test/tap/NAME.sh --> (with no other block between) is
tested by that shell suite and skipped here (the pg_cron job, the
replication setup, which need a server set up for them); so is, until
the pg_cron marker exists anywhere, a block that calls cron.*.
"""
import os
import re
import sys

FENCE = re.compile(r'^```(\w*)\s*$')
ARROW = re.compile(r'^\s*--\s*→ ?(.*)$')
ERROR = re.compile(r'^\s*--\s*error:\s*([0-9A-Z]{5})(?:\s+(.*?))?\s*$')
CRON_MARK = '<!-- test/tap/pg_cron.sh -->'
SUITE_MARK = re.compile(r'^\s*<!-- (test/tap/[\w.-]+\.sh) -->\s*$')


def blocks(lines):
    """(fence line number, language, body lines, the lines since the fence before)."""
    i, prev = 0, []
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m:
            prev.append(lines[i].strip())
            i += 1
            continue
        start, lang, body = i + 1, m.group(1), []
        i += 1
        while i < len(lines) and lines[i].rstrip() != '```':
            body.append(lines[i])
            i += 1
        yield start, lang, body, prev
        prev = []
        i += 1


def split(text):
    """The statements of a block: [{'sql', 'out': [lines] or None, 'error'}]."""
    stmts, buf, i, n = [], [], 0, len(text)

    def content():
        # the buffer without comments and blanks: is there a statement?
        s = re.sub(r'--[^\n]*', '', ''.join(buf))
        return s.strip() != ''

    def finish(rest_start):
        """End a statement; read its claims from the rest of the line and
        the "-- →" lines right below.  Returns where lexing goes on."""
        nonlocal buf
        st = {'sql': ''.join(buf).strip('\n'), 'out': None, 'error': None}
        stmts.append(st)
        buf = []
        eol = text.find('\n', rest_start)
        eol = n if eol < 0 else eol
        rest = text[rest_start:eol]
        if rest.strip() and not rest.strip().startswith('--'):
            return rest_start          # another statement on the same line
        j = eol + 1

        def claim(line):
            a, e = ARROW.match(line), ERROR.match(line)
            if a:
                st['out'] = (st['out'] or []) + [a.group(1)]
            elif e:
                st['error'] = (e.group(1), e.group(2))
            return bool(a or e)
        claim(rest)
        while j < n:
            k = text.find('\n', j)
            k = n if k < 0 else k
            if not claim(text[j:k]):
                break
            j = k + 1
        return j

    while i < n:
        c = text[i]
        if text.startswith('--', i):
            k = text.find('\n', i)
            k = n if k < 0 else k
            buf.append(text[i:k])
            i = k
        elif text.startswith('/*', i):
            k = text.find('*/', i + 2)
            k = n if k < 0 else k + 2
            buf.append(text[i:k])
            i = k
        elif c == "'":
            esc = i > 0 and text[i - 1] in 'eE' and (i < 2 or not (text[i - 2].isalnum() or text[i - 2] == '_'))
            k = i + 1
            while k < n:
                if esc and text[k] == '\\':
                    k += 2
                    continue
                if text[k] == "'":
                    if text.startswith("''", k):
                        k += 2
                        continue
                    break
                k += 1
            buf.append(text[i:k + 1])
            i = k + 1
        elif c == '"':
            k = text.find('"', i + 1)
            k = n - 1 if k < 0 else k
            buf.append(text[i:k + 1])
            i = k + 1
        elif c == '$' and (i == 0 or not (text[i - 1].isalnum() or text[i - 1] == '_')) \
                and re.match(r'\$([A-Za-z_][A-Za-z0-9_]*)?\$', text[i:]):
            tag = re.match(r'\$([A-Za-z_][A-Za-z0-9_]*)?\$', text[i:]).group(0)
            k = text.find(tag, i + len(tag))
            k = n if k < 0 else k + len(tag)
            buf.append(text[i:k])
            i = k
        elif c == ';':
            buf.append(';')
            i = finish(i + 1)
        elif c == '\\':
            # a psql meta-command runs to the end of the line; it ends the
            # statement before it (\gset, \g) or stands alone (\connect)
            k = text.find('\n', i)
            k = n if k < 0 else k
            buf.append(text[i:k])
            i = finish(k)
        else:
            buf.append(c)
            i += 1
    if content():
        stmts.append({'sql': ''.join(buf).strip('\n'), 'out': None, 'error': None})
    return stmts


def script(stmts, text_output):
    """The psql script of a block and the output it must print."""
    sql = ['\\set ON_ERROR_STOP 1']
    want = []
    if not text_output:
        sql += ['\\pset format unaligned', '\\pset tuples_only on']
    for st in stmts:
        if st['error']:
            code, msg = st['error']
            sql += ['\\set ON_ERROR_STOP 0', '\\o /dev/null', st['sql'], '\\o',
                    '\\set ON_ERROR_STOP 1', "\\echo 'error:' :SQLSTATE"]
            want.append('error: ' + code)
            if msg is not None:
                sql.append('\\echo :LAST_ERROR_MESSAGE')
                want.append(msg)
        elif st['out'] is not None or text_output:
            sql.append(st['sql'])
            want += st['out'] or []
        else:
            sql += ['\\o /dev/null', st['sql'], '\\o']
    return '\n'.join(sql) + '\n', want


def skipped(prev, text, has_mark):
    """Why a block is not run here (None when it is)."""
    suites = [m.group(1) for m in map(SUITE_MARK.match, prev) if m]
    if suites:
        return f'tested by {suites[-1]}'
    if not has_mark and re.search(r'\bcron\.', text):
        return f'calls pg_cron (no {CRON_MARK} marker yet)'
    return None


def extract(readme, outdir):
    lines = open(readme, encoding='utf-8').read().split('\n')
    found = list(blocks(lines))
    has_mark = any(l.strip() == CRON_MARK for l in lines)
    for idx, (line, lang, body, prev) in enumerate(found):
        if lang != 'sql':
            continue
        text = '\n'.join(body) + '\n'
        why = skipped(prev, text, has_mark)
        if why:
            print(f'{line}\tskip\t{why}')
            continue
        shown = None
        if idx + 1 < len(found):
            nline, nlang, nbody, nprev = found[idx + 1]
            between = lines[line + len(body) + 1:nline - 1]
            if nlang == 'text' and all(not l.strip() for l in between):
                shown = nbody
        stmts = split(text)
        sql, want = script(stmts, shown is not None)
        if shown is not None:
            want = shown
        with open(os.path.join(outdir, f'{line}.sql'), 'w', encoding='utf-8') as f:
            f.write(sql)
        with open(os.path.join(outdir, f'{line}.want'), 'w', encoding='utf-8') as f:
            f.write(''.join(w + '\n' for w in want))
        count = f'{len(stmts)} statement' + ('s' if len(stmts) != 1 else '')
        print(f'{line}\trun\t{count}' + (', output shown' if shown is not None else ''))


def slug(heading):
    s = heading.strip().lower()
    s = re.sub(r'[^\w\- ]', '', s)
    return s.replace(' ', '-')


def links(readme):
    base = os.path.dirname(os.path.abspath(readme))
    text = open(readme, encoding='utf-8').read()
    bare = re.sub(r'```.*?```', '', text, flags=re.S)
    anchors = {slug(re.sub(r'[`*]', '', h)) for h in re.findall(r'^#+ (.*)$', bare, re.M)}
    bad = 0
    for target in re.findall(r'\]\(([^)]*)\)', bare):
        path, _, frag = target.partition('#')
        if target == '' or target == '#':
            ok = False
        elif re.match(r'https?://', target):
            ok = True            # not fetched: the test runs offline
        elif path == '':
            ok = frag in anchors
        else:
            f = os.path.join(base, path)
            ok = os.path.exists(f)
            if ok and frag:
                other = open(f, encoding='utf-8').read()
                other = re.sub(r'```.*?```', '', other, flags=re.S)
                ok = frag in {slug(re.sub(r'[`*]', '', h)) for h in re.findall(r'^#+ (.*)$', other, re.M)}
        if not ok:
            print(target)
            bad += 1
    return bad


def names(readme):
    """The covara.NAMEs of the blocks this test runs (not the skipped ones)."""
    lines = open(readme, encoding='utf-8').read().split('\n')
    has_mark = any(l.strip() == CRON_MARK for l in lines)
    seen = set()
    for line, lang, body, prev in blocks(lines):
        if lang == 'sql' and not skipped(prev, '\n'.join(body), has_mark):
            seen.update(re.findall(r'\bcovara\.(\w+)', '\n'.join(body)))
    for name in sorted(seen):
        print(name)


if __name__ == '__main__':
    if sys.argv[1] == '--links':
        links(sys.argv[2])
    elif sys.argv[1] == '--names':
        names(sys.argv[2])
    else:
        extract(sys.argv[1], sys.argv[2])
