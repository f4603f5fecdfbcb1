#!/usr/bin/python3
"""check_meta.py: META.json is valid PGXN metadata (Meta Spec 1.0.0, as the
JSON Schema test/meta/pgxn-meta-1.0.0.schema.json), its versions are
bookparse.control's default_version, and the file it names exists.
Then the schema must reject a few broken copies of it, so that a schema
that accepts anything cannot pass.  Exit 0 when all holds (make check-meta;
test/run_all.sh)."""
import copy
import json
import os
import re
import sys

import jsonschema

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..')


def load(path):
    with open(os.path.join(ROOT, path), encoding='utf-8') as f:
        return json.load(f)


def errors(validator, meta):
    return sorted(e.message for e in validator.iter_errors(meta))


def main():
    schema = load('test/meta/pgxn-meta-1.0.0.schema.json')
    jsonschema.Draft7Validator.check_schema(schema)
    validator = jsonschema.Draft7Validator(
        schema, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER)
    meta = load('META.json')
    problems = ['META.json: ' + m for m in errors(validator, meta)]

    with open(os.path.join(ROOT, 'bookparse.control'), encoding='utf-8') as f:
        control = re.search(r"^default_version = '([^']*)'", f.read(), re.M)
    default_version = control.group(1) if control else None
    ext = meta.get('provides', {}).get('bookparse', {})
    for what, value in (('version', meta.get('version')),
                        ('provides.bookparse.version', ext.get('version'))):
        if value != default_version:
            problems.append('META.json %s is %r, bookparse.control default_version is %r'
                            % (what, value, default_version))
    for key in ('file', 'docfile'):
        if key in ext and not os.path.isfile(os.path.join(ROOT, ext[key])):
            problems.append('META.json provides.bookparse.%s: no file %s' % (key, ext[key]))

    # broken copies the schema must reject
    broken = {
        'no license': lambda m: m.pop('license'),
        'unknown license': lambda m: m.update(license='postgres'),
        'version not semver': lambda m: m.update(version='0.2'),
        'provides without file': lambda m: m['provides']['bookparse'].pop('file'),
        'unknown top-level key': lambda m: m.update(homepage='x'),
        'meta-spec 2.0.0': lambda m: m['meta-spec'].update(version='2.0.0'),
        'bad release_status': lambda m: m.update(release_status='beta'),
        'name with a space': lambda m: m.update(name='book parse'),
        'bad version range': lambda m: m['prereqs']['runtime']['requires'].update(PostgreSQL='~15'),
    }
    for name, change in broken.items():
        m = copy.deepcopy(meta)
        change(m)
        if not errors(validator, m):
            problems.append('the schema accepts a META.json with ' + name)

    if problems:
        for p in problems:
            print('check_meta: ' + p)
        return 1
    print('check_meta: META.json is valid PGXN Meta Spec 1.0.0, version %s = bookparse.control; '
          'the schema rejects %d broken copies' % (default_version, len(broken)))
    return 0


if __name__ == '__main__':
    sys.exit(main())
