#!/usr/bin/env python3
"""Rewrites the text seed corpora from what the project's own tests and configs use: configs and
the config tests' YAML, the rule specs and command lines of the integration scripts, the
guardian tests' proposals. (The binary seeds come from fuzz_packet_seeds and fuzz_audit_seeds.)
usage: seeds_from_tests.py  (from anywhere; writes tests/fuzz/corpus/<target>/t-*)"""
import hashlib
import pathlib
import re
import shlex

root = pathlib.Path(__file__).resolve().parents[2]
corpus = root / 'tests/fuzz/corpus'
raw = re.compile(r'R"([^(\s]*)\((.*?)\)\1"', re.S)


def write(target, texts):
    out = corpus / target
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob('t-*'):
        old.unlink()
    for text in dict.fromkeys(t for t in texts if t.strip()):
        name = 't-' + hashlib.sha1(text.encode()).hexdigest()[:12]
        (out / name).write_text(text)


def raw_strings(path):
    return [m.group(2) for m in raw.finditer(path.read_text())]


def ctl_lines(script):
    """The command lines a script sends with `ctl ARGS` (its args joined as tripathctl does)."""
    lines = []
    for line in script.read_text().splitlines():
        for m in re.finditer(r'\bctl ((?:[^|;&)>]|\$\()+)', line):
            try:
                words = shlex.split(m.group(1).replace('2>', ''))
            except ValueError:
                continue
            if words and re.match(r'^[a-z]', words[0]):
                lines.append(' '.join(words))
    return lines


configs = sorted((root / 'config').glob('*.yaml'))
config_texts = [p.read_text() for p in configs]
for test in sorted((root / 'tests/unit/config').glob('test_*.cpp')):
    strings = raw_strings(test)
    config_texts += strings
    base = next((s for s in strings if 'ports:' in s and 'lcores:' in s), None)
    if base:
        config_texts += [base + s for s in strings if s is not base and 'ports:' not in s]
write('config_load', config_texts)

scripts = sorted((root / 'tests/integration').glob('*.sh'))
commands = [c for s in scripts for c in ctl_lines(s)]
rule_specs = [c.split(' ', 2)[2] for c in commands if re.match(r'^rule (add|replace) ', c)]
rule_specs += [c.split(' ', 4)[4] for c in commands if re.match(r'^tenant quota \S+ \S+ ', c)]
for text in config_texts[:len(configs)]:
    rule_specs += [re.sub(r'^    ', '', b, flags=re.M) for b in re.findall(r'^  - (name:.*?)(?=^  - |^\S|\Z)', text.split('\nrules:')[-1], re.S | re.M)]
write('rule_spec', rule_specs)

write('control_registry', commands + [c + ' --json' for c in commands if c.startswith('show ')])
write('control_socket', ['\n'.join(ctl_lines(s)) + '\n' for s in scripts if ctl_lines(s)] + [c + '\n' for c in commands[:40]])

proposals = [s for t in ('test_proposal.cpp', 'test_decide.cpp', 'test_canary.cpp')
             for s in raw_strings(root / 'tests/unit/guardian' / t) if s.lstrip().startswith('{')]
proposals += [c.split(' ', 2)[2] for c in commands if c.startswith('guardian propose ')]
write('guardian_proposal', proposals)
