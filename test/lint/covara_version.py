"""covara's version where packaging repeats it: META.json and debian/changelog.

The version is written once, as covara.control's default_version.  PGXN's
META.json ("version", and provides.covara's "version" and "file") and
Debian's debian/changelog (the upstream part of its newest entry) must say
it too, because their formats want it there: check-version compares them
with covara.control, and cut-release writes them from it.

Python 3 standard library only.
"""

import email.utils
import json
import os
import re

META = 'META.json'
CHANGELOG = 'debian/changelog'
CONTROL = 'debian/control'
CHANGELOG_RE = re.compile(r'^covara \((?:[0-9]+:)?([^)]+?)(?:-[^-)]+)?\) ')


def _read(root, rel):
    with open(os.path.join(root, rel), encoding='utf-8') as fh:
        return fh.read()


# provides.covara's "file": the file that defines the extension (its install
# script is built by make from src/sql/, so it is not in the tree)
PROVIDES_FILE = 'covara.control'


def problems(root, version):
    """What META.json and debian/changelog say differently from version."""
    out = []
    try:
        meta = json.loads(_read(root, META))
    except (OSError, ValueError) as e:
        out.append('%s: cannot read it: %s' % (META, e))
        meta = None
    if meta is not None:
        if meta.get('version') != version:
            out.append('%s: "version" is %r, covara.control says %r'
                       % (META, meta.get('version'), version))
        provided = (meta.get('provides') or {}).get('covara') or {}
        if provided.get('version') != version:
            out.append('%s: provides.covara "version" is %r, covara.control says %r'
                       % (META, provided.get('version'), version))
        if provided.get('file') != PROVIDES_FILE:
            out.append('%s: provides.covara "file" is %r, expected %r'
                       % (META, provided.get('file'), PROVIDES_FILE))
        spec = (meta.get('meta-spec') or {}).get('version')
        if spec != '1.0.0':
            out.append('%s: meta-spec version is %r, expected "1.0.0"' % (META, spec))
    try:
        first = _read(root, CHANGELOG).split('\n', 1)[0]
    except OSError as e:
        out.append('%s: cannot read it: %s' % (CHANGELOG, e))
        first = None
    if first is not None:
        m = CHANGELOG_RE.match(first)
        if not m:
            out.append('%s: its first line is not "covara (VERSION-REVISION) ..."' % CHANGELOG)
        elif m.group(1) != version:
            out.append('%s: the newest entry is for %s, covara.control says %s'
                       % (CHANGELOG, m.group(1), version))
    return out


def write(root, version, when, distribution='unstable'):
    """Make META.json and debian/changelog say version; return the files
    changed.  The changelog gets a new entry (by debian/control's
    maintainer, dated when, for distribution: UNRELEASED while the version
    is being worked on, unstable once released), or its newest entry, for
    that version already, moves from UNRELEASED to distribution.  A tree
    without the files is left alone."""
    changed = []
    if os.path.exists(os.path.join(root, META)):
        meta = json.loads(_read(root, META))
        provided = meta.setdefault('provides', {}).setdefault('covara', {})
        if (meta.get('version'), provided.get('version'), provided.get('file')) != \
                (version, version, PROVIDES_FILE):
            meta['version'] = version
            provided['version'] = version
            provided['file'] = PROVIDES_FILE
            with open(os.path.join(root, META), 'w', encoding='utf-8') as fh:
                fh.write(json.dumps(meta, indent=3, ensure_ascii=False) + '\n')
            changed.append(META)
    if os.path.exists(os.path.join(root, CHANGELOG)):
        text = _read(root, CHANGELOG)
        m = CHANGELOG_RE.match(text)
        date = email.utils.format_datetime(when)
        if not m or m.group(1) != version:
            maintainer = 'the covara maintainers <maintainers@covara.invalid>'
            if os.path.exists(os.path.join(root, CONTROL)):
                found = re.search(r'^Maintainer: *(.+)$', _read(root, CONTROL), re.M)
                if found:
                    maintainer = found.group(1).strip()
            text = ('covara (%s-1) %s; urgency=medium\n\n'
                    '  * covara %s: see CHANGELOG.md.\n\n'
                    ' -- %s  %s\n\n' % (version, distribution, version, maintainer, date)) + text
        else:
            first, rest = text.split('\n', 1)
            dist = re.match(r'^covara \([^)]*\) ([^;]+);', first)
            if not dist or dist.group(1) != 'UNRELEASED' or distribution == 'UNRELEASED':
                return changed
            first = first.replace(') UNRELEASED;', ') %s;' % distribution, 1)
            # the entry's trailer line: " -- name <mail>  date"
            rest = re.sub(r'^( -- .*?  ).*$', lambda t: t.group(1) + date, rest, count=1,
                          flags=re.M)
            text = first + '\n' + rest
        with open(os.path.join(root, CHANGELOG), 'w', encoding='utf-8') as fh:
            fh.write(text)
        changed.append(CHANGELOG)
    return changed
