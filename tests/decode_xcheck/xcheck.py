#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Cross-check pvcore's decoder against GNU objdump (an independent decoder).

Generates large random and region-biased encoding sets for A32, T16 and T32
(T16 exhaustively), disassembles them with arm-none-eabi-objdump, decodes
them with the library (through the `dump` helper), and checks that:
  * the class agrees with the class implied by objdump's mnemonic;
  * the operands agree (registers, immediates, addressing mode, size,
    write-back, register lists, coprocessor fields, PSR masks);
  * where the library says UNDEFINED for an instruction objdump decodes,
    an independent UNPREDICTABLE rule (from the Arm ARM, evaluated here on
    objdump's operands) justifies it.

Usage: xcheck.py DUMP [--count N] [--seed S] [--objdump PATH]
Exits 1 on any disagreement, printing the first ones.
"""
import argparse
import os
import random
import re
import struct
import subprocess
import sys
import tempfile
from collections import Counter

FIELDS = ('cls rc len cond rd rn rt rt2 rm rs op size shift_type shift_imm '
          'coproc opc1 crn crm opc2 mode flags reglist imm').split()
IF_INDEX, IF_ADD, IF_WBACK, IF_LOAD, IF_SIGNED, IF_REG, IF_REGSHIFT, \
    IF_SPSR, IF_USER, IF_PAIR, IF_SETFLAGS = (1 << i for i in range(11))
OURS_NOT = ('none', 'undef')

COND = r'(?:eq|ne|cs|cc|mi|pl|vs|vc|hi|ls|ge|lt|gt|le|hs|lo|al)?'
REGN = {**{'r%d' % i: i for i in range(16)}, 'sb': 9, 'sl': 10, 'fp': 11,
        'ip': 12, 'sp': 13, 'lr': 14, 'pc': 15}

# Regions (mask, value) of the encoding space to sample densely, from the
# Arm ARM's encoding tables (not from the library's tables).
A32_REGIONS = [
    (0x0f900080, 0x01000000),  # miscellaneous: MRS/MSR/BKPT/HVC/SMC
    (0x0fb00000, 0x03200000),  # MSR immediate and hints
    (0x0e000000, 0x08000000),  # LDM/STM
    (0x0c000000, 0x04000000),  # LDR/STR
    (0x0e000090, 0x00000090),  # extra load/store, exclusives
    (0x0c10f000, 0x0010f000),  # data processing, S=1, Rd=PC
    (0x0f000e00, 0x0e000e00),  # MCR/MRC cp14/cp15
    (0x0fe00e00, 0x0c400e00),  # MCRR/MRRC cp14/cp15
    (0x0fe00f00, 0x0ee00a00),  # VMRS/VMSR
    (0xfe000000, 0xf8000000),  # SRS/RFE
    (0xfff00000, 0xf1000000),  # CPS/SETEND
    (0xf0000000, 0xf0000000),  # unconditional space
    (0x0c000000, 0x0c000000),  # all coprocessor space
    (0xfe5fffe0, 0xf84d0500),  # SRS, canonical
    (0xfe50ffff, 0xf8100a00),  # RFE, canonical
    (0x0fbf0fff, 0x010f0000),  # MRS, canonical
    (0x0fb0fff0, 0x0120f000),  # MSR register, canonical
    (0x0ffffff8, 0x0320f000),  # hints
    (0x0f800ff0, 0x01800f90),  # LDREX/STREX family, canonical
    (0xfff1fe20, 0xf1000000),  # CPS, canonical
]
T32_REGIONS = [
    (0xffe0c000, 0xf3808000),  # MSR
    (0xffe0c000, 0xf3e08000),  # MRS
    (0xfff0c000, 0xf3a08000),  # hints / CPS
    (0xfff0c000, 0xf3d08000),  # SUBS PC, LR
    (0xffe08000, 0xf7e08000),  # HVC/SMC/UDF
    (0xfe400000, 0xe8000000),  # SRS/RFE/LDM/STM
    (0xfe400000, 0xe8400000),  # LDRD/STRD/exclusives/TBB
    (0xfe000000, 0xf8000000),  # single load/store
    (0xef000e00, 0xee000e00),  # MCR/MRC
    (0xefe00e00, 0xec400e00),  # MCRR/MRRC
    (0xffe00f00, 0xeee00a00),  # VMRS/VMSR
    (0xec000000, 0xec000000),  # coprocessor space
    (0xffdfffe0, 0xe80dc000),  # SRS DB
    (0xffd0ffff, 0xe990c000),  # RFE IA
    (0xffeff0ff, 0xf3ef8000),  # MRS, canonical
    (0xffe0f0ff, 0xf3808000),  # MSR, canonical
    (0xfffff800, 0xf3af8000),  # CPS / hints
    (0xffffff00, 0xf3de8f00),  # SUBS PC, LR, #imm8
    (0xffe00000, 0xe8400000),  # exclusives
    (0xffe00000, 0xe8c00000),  # exclusives B/H/D
]


def sample(rng, regions, n, lo=0, hi=0xffffffff):
    out = []
    per = n // (len(regions) + 1)
    for mask, value in regions:
        for _ in range(per):
            w = (rng.getrandbits(32) & ~mask) | value
            if lo <= w <= hi:
                out.append(w)
    while len(out) < n:
        w = rng.randint(lo, hi)
        out.append(w)
    return out


def reg(s):
    return REGN.get(s.strip().rstrip('!').lower())


def parse_imm(s):
    s = s.strip().lstrip('#')
    return int(s, 0)


def split_ops(ops):
    """Split on top-level commas (not inside [] or {})."""
    out, depth, cur = [], 0, ''
    for ch in ops:
        if ch in '[{':
            depth += 1
        elif ch in ']}':
            depth -= 1
        if ch == ',' and depth == 0:
            out.append(cur.strip())
            cur = ''
        else:
            cur += ch
    if cur.strip():
        out.append(cur.strip())
    return out


def reglist(s):
    s = s.strip().rstrip('^').strip()
    assert s.startswith('{') and s.endswith('}'), s
    mask = 0
    for part in s[1:-1].split(','):
        part = part.strip()
        if not part:
            continue
        if '-' in part:
            a, b = part.split('-')
            for r in range(reg(a), reg(b) + 1):
                mask |= 1 << r
        else:
            mask |= 1 << reg(part)
    return mask


class Expect:
    """cls: objdump's class; unpred: an UNPREDICTABLE rule lets pvcore say
    undef instead; alt: other classes pvcore may report (documented
    disagreements, each with its reason at the place it is set)."""
    def __init__(self, cls, checks=None, unpred=False, alt=()):
        self.cls = cls
        self.checks = checks or {}
        self.unpred = unpred
        self.alt = alt


def parse_mem(ops_after_rt):
    """'[rn, #imm]!' / '[rn], #imm' / '[rn, -rm, lsl #2]' -> dict."""
    text = ', '.join(ops_after_rt)
    m = re.match(r'\[([^\]]*)\](!?)\s*(?:,\s*(.*))?$', text)
    if not m:
        return None
    inner = [x.strip() for x in m.group(1).split(',')]
    d = {'rn': reg(inner[0])}
    post = m.group(3)
    if post is not None:
        d['index'] = False
        d['wback'] = True
        offs = [x.strip() for x in post.split(',')]
    else:
        d['index'] = True
        d['wback'] = m.group(2) == '!'
        offs = inner[1:]
    d['add'] = True
    d['reg'] = False
    d['imm'] = 0
    d['shift'] = None
    if offs:
        o = offs[0]
        if o.startswith('#'):
            v = parse_imm(o)
            if o.startswith('#-'):
                d['add'] = False
                v = -v
            d['imm'] = v
        else:
            if o.startswith('-'):
                d['add'] = False
                o = o[1:]
            elif o.startswith('+'):
                o = o[1:]
            d['reg'] = True
            d['rm'] = reg(o)
            if len(offs) > 1:
                sh = offs[1].split()
                d['shift'] = (sh[0], parse_imm(sh[1]) if len(sh) > 1 else 0)
    return d


LS_SIZE = {'': (4, False), 'b': (1, False), 'h': (2, False), 'sb': (1, True),
           'sh': (2, True), 'd': (8, False)}


def sbz_violation(isa, w):
    """Encodings whose should-be-zero / fixed bits are wrong (Arm ARM):
    objdump ignores them, the Arm ARM makes them UNPREDICTABLE or
    UNDEFINED, and pvcore (like QEMU) treats them as UNDEFINED."""
    if isa == 'A':
        # Extra load/store, register form: bits 11:8 are (0).
        if (w & 0x0e400090) == 0x00000090 and (w & 0x60) and (w & 0xf00):
            return True
        # MOV/MVN: Rn is (0000).
        if (w & 0x0de00000) in (0x01a00000, 0x01e00000) and (w >> 16) & 0xf and \
                ((w >> 25) & 1 or not (w & 0x90) == 0x90):
            return True
        # Load/store with base PC and write-back: objdump drops the "!".
        ls = (w & 0x0c000000) == 0x04000000 or \
            ((w & 0x0e000090) == 0x00000090 and (w & 0x60))
        if ls and (w >> 16) & 0xf == 15 and (not (w >> 24) & 1 or (w >> 21) & 1):
            return True
        return False
    if w is None or w < 0xe8000000:
        return False
    # T32 LDRD/STRD with write-back onto Rt, Rt2 or PC (objdump may hide "!").
    if (w & 0xfe400000) == 0xe8400000 and (w >> 21) & 1 and \
            (w >> 16) & 0xf in ((w >> 12) & 0xf, (w >> 8) & 0xf, 15):
        return True
    # T32 single load/store, register form: hw2 bits 11:6 must be 000000.
    if (w & 0xfe800000) == 0xf8000000 and (w >> 16) & 0xf != 15 and \
            not (w & 0x800) and (w & 0x7c0):
        return True
    return False


def expect_of(isa, mnem, ops, comment, word=None):
    """Map objdump's text to an expected class and operand checks."""
    e = expect_text(isa, mnem, ops, comment)
    if word is not None and sbz_violation(isa, word):
        e.unpred = True
    return e


def expect_text(isa, mnem, ops, comment):
    m0 = mnem.lower()
    mn = re.sub(r'\.(w|n)$', '', m0)
    unpred = 'UNPREDICTABLE' in comment
    o = split_ops(ops)
    if mn.startswith('.') or 'undefined' in mn or 'UNDEFINED' in ops + comment \
            or '<undefined>' in ops or 'illegal' in comment:
        # objdump refuses T32 CPS forms whose unused fields are non-zero
        # (UNPREDICTABLE); QEMU executes them as the fields say, and so do we.
        if mn == 'undefined' and 'cond=0xE' in ops:
            return Expect('undef', alt=('cps',))
        return Expect('undef')
    m = re.match(r'^(mrc|mcr|mrrc|mcrr)(2?)' + COND + '$', mn)
    if m:
        cp = int(o[0].lstrip('p'))
        if m.group(2) or cp not in (14, 15):
            return Expect('undef')
        if m.group(1) in ('mrc', 'mcr'):
            chk = {'coproc': cp, 'opc1': int(o[1]), 'crn': int(o[3][2:]),
                   'crm': int(o[4][2:]), 'opc2': int(o[5].strip('{}'))}
            if o[2] != 'APSR_nzcv':
                chk['rt'] = reg(o[2])
            return Expect('cp-move', chk, unpred or (mn.startswith('mcr') and reg(o[2]) == 15))
        chk = {'coproc': cp, 'opc1': int(o[1]), 'rt': reg(o[2]),
               'rt2': reg(o[3]), 'crm': int(o[4][2:])}
        up = unpred or 15 in (reg(o[2]), reg(o[3])) or \
            (mn.startswith('mrrc') and reg(o[2]) == reg(o[3]))
        return Expect('cp-move', chk, up)
    if re.match(r'^(ldc|stc|cdp)2?l?' + COND + '$', mn):
        cp = int(o[0].lstrip('p'))
        return Expect('none' if cp in (10, 11) else 'undef')
    if re.match(r'^(vmrs|vmsr)' + COND + '$', mn):
        names = {'fpsid': 0, 'fpscr': 1, 'mvfr1': 6, 'mvfr0': 7, 'fpexc': 8,
                 'fpinst': 9, 'fpinst2': 10}
        if mn.startswith('vmrs'):
            r, sysr = o[0], o[1]
        else:
            sysr, r = o[0], o[1]
        chk = {}
        if sysr.lower() in names:
            chk['crn'] = names[sysr.lower()]
        elif sysr.startswith('<impl_def_'):
            chk['crn'] = int(sysr[len('<impl_def_'):].rstrip('>'), 0)
        if r != 'APSR_nzcv':
            chk['rt'] = reg(r)
        else:
            chk['rt'] = 15
        return Expect('vfp-sys', chk, unpred or (chk['rt'] == 15 and (
            mn.startswith('vmsr') or chk.get('crn') != 1)))
    m = re.match(r'^cps(ie|id)?$', mn)
    if m:
        chk = {}
        if m.group(1):
            chk['op'] = 2 if m.group(1) == 'ie' else 3
            flags = o[0] if o else ''
            chk['imm'] = (0x100 if 'a' in flags else 0) | \
                (0x80 if 'i' in flags else 0) | (0x40 if 'f' in flags else 0)
            if len(o) > 1:
                chk['mode'] = parse_imm(o[1])
        else:
            chk['mode'] = parse_imm(o[0])
        return Expect('cps', chk, unpred)
    if re.match(r'^mrs' + COND + '$', mn):
        if o[1].upper() in ('CPSR', 'SPSR', 'APSR'):
            return Expect('mrs', {'rd': reg(o[0]),
                                  'spsr': o[1].upper() == 'SPSR'},
                          unpred or reg(o[0]) == 15 or (isa == 'T' and reg(o[0]) == 13))
        return Expect('undef')  # banked registers: ARMv7VE
    if re.match(r'^msr' + COND + '$', mn):
        dst = o[0]
        if len(o) > 2 and not o[1].startswith('#'):
            return Expect('undef')  # objdump misreading a non-MSR encoding
        if not re.match(r'^((CPSR|SPSR)(_[fsxc]*)?|APSR_\w+)$', dst, re.I):
            return Expect('undef')
        fl = dst.split('_')[1] if '_' in dst else ''
        if dst.upper().startswith('APSR'):
            mask = (8 if 'nzcvq' in fl else 0) | (4 if 'g' in fl else 0)
        else:
            mask = sum(b for c, b in (('f', 8), ('s', 4), ('x', 2), ('c', 1)) if c in fl)
        chk = {'op': mask, 'spsr': dst.upper().startswith('SPSR')}
        if o[1].startswith('#'):
            v = parse_imm(o[1]) & 0xffffffff
            if len(o) > 2:  # objdump's "#imm8, rot" form
                r = int(o[2]) & 31
                v = ((v >> r) | (v << (32 - r))) & 0xffffffff if r else v
            chk['imm'] = v
            if mask == 0 and not chk['spsr']:
                # MSR CPSR_ with no field is the hint space; like QEMU we
                # ignore hint bits 11:8 (objdump does not).
                return Expect('none', alt=('msr', 'wfi', 'wfe', 'sev', 'yield'))
        else:
            chk['rm'] = reg(o[1])
        up = unpred or ('rm' in chk and (chk['rm'] == 15 or (isa == 'T' and chk['rm'] == 13)))
        return Expect('msr', chk, up)
    m = re.match(r'^(srs|rfe)(da|db|ia|ib)?$', mn)
    if m:
        mode = m.group(2) or 'ia'
        chk = {'index': mode in ('db', 'ib'), 'add': mode in ('ia', 'ib'),
               'wback': o[0].endswith('!')}
        if m.group(1) == 'srs':
            chk['mode'] = parse_imm(o[-1])
            # The base is always SP: other Rn values are (1)(1)(0)(1) bits.
            return Expect('srs', chk, unpred or (len(o) > 1 and reg(o[0]) != 13))
        chk['rn'] = reg(o[0])
        return Expect('rfe', chk, unpred or reg(o[0]) == 15)
    m = re.match(r'^(ldm|stm|pop|push)(ia|ib|da|db|fd|ea|ed|fa)?' + COND + '$', mn)
    if m and not (mn.startswith('stmd') is False and False):
        kind = m.group(1)
        load = kind in ('ldm', 'pop')
        sfx = m.group(2) or 'ia'
        if kind in ('pop', 'push'):
            rn, wb, rl = 13, True, o[0]
            sfx = 'ia' if kind == 'pop' else 'db'
        else:
            rn, wb, rl = reg(o[0]), o[0].endswith('!'), ', '.join(o[1:])
        if load:
            sfx = {'fd': 'ia', 'ea': 'db', 'ed': 'ib', 'fa': 'da'}.get(sfx, sfx)
        else:
            sfx = {'fd': 'db', 'ea': 'ia', 'ed': 'da', 'fa': 'ib'}.get(sfx, sfx)
        user = rl.strip().endswith('^')
        regs = reglist(rl)
        chk = {'rn': rn, 'reglist': regs, 'wback': wb,
               'index': sfx in ('db', 'ib'), 'add': sfx in ('ia', 'ib')}
        up = unpred or rn == 15 or regs == 0
        if user:
            cls = ('ldm-eret' if regs & 0x8000 else 'ldm-user') if load else 'stm-user'
            up = up or (wb and cls != 'ldm-eret')
        else:
            cls = 'ldm' if load else 'stm'
        if isa == 'T' and len(mnem) > 0:
            up = up or (regs & (1 << 13)) != 0 or (not load and regs & 0x8000)
        return Expect(cls, chk, up)
    m = re.match(r'^(and|eor|sub|rsb|add|adc|sbc|rsc|orr|mov|bic|mvn|lsl|lsr|asr|ror|rrx)s' + COND + '$', mn)
    if m and o and reg(o[0]) == 15:
        if isa == 'T' and not (m.group(1) == 'sub' and reg(o[1]) == 14 and
                               o[2].startswith('#')):
            # T32 S-form data processing to PC is UNPREDICTABLE, not an
            # exception return (only SUBS PC, LR, #imm8 is): not ours.
            return Expect('none')
        ops_num = {'and': 0, 'eor': 1, 'sub': 2, 'rsb': 3, 'add': 4, 'adc': 5,
                   'sbc': 6, 'rsc': 7, 'orr': 12, 'mov': 13, 'bic': 14,
                   'mvn': 15}
        chk = {'op': ops_num.get(m.group(1), 13)}
        if m.group(1) not in ('mov', 'mvn', 'lsl', 'lsr', 'asr', 'ror', 'rrx'):
            chk['rn'] = reg(o[1])
        return Expect('dp-eret', chk, unpred)
    m = re.match(r'^(ldr|str)(b|h|sb|sh|d)?t' + COND + '$', mn)
    if m:
        mem = parse_mem(o[1:])
        chk = {'rt': reg(o[0]), 'size': LS_SIZE[m.group(2) or ''][0],
               'signed': LS_SIZE[m.group(2) or ''][1], 'load': m.group(1) == 'ldr'}
        up = unpred
        if mem:
            chk.update({'rn': mem['rn'], 'add': mem['add']})
            up = up or mem['rn'] == 15 or mem['rn'] == chk['rt'] or chk['rt'] == 15
            up = up or (mem['reg'] and mem['rm'] == 15)
        if m.group(2) == 'd':
            return Expect('undef')
        # T32 with Rn = PC is the literal form (Arm ARM A6.3.7); objdump
        # still prints the T mnemonic.
        alt = ('load',) if isa == 'T' and mem and mem['rn'] == 15 else ()
        if isa == 'T' and chk['rt'] == 15 and chk['load'] and chk['size'] < 4:
            return Expect('none', alt=('undef',))  # memory hint space
        return Expect('ldrt-strt', chk, up, alt)
    m = re.match(r'^(wfi|wfe|sev|yield|nop)' + COND + '$', mn)
    if m:
        return Expect('none' if m.group(1) == 'nop' else m.group(1))
    m = re.match(r'^(svc|swi|bkpt|udf|smc|hvc)' + COND + '$', mn)
    if m:
        cls = {'swi': 'svc'}.get(m.group(1), m.group(1))
        imm = parse_imm(o[0]) if o else 0
        # A32 SMC: imm12 above imm4 is (0); BKPT/HVC: cond must be AL.
        up = unpred or (cls == 'smc' and imm > 15) or \
            (isa == 'A' and cls in ('bkpt', 'hvc') and mn != cls)
        return Expect(cls, {'imm': imm} if o else {}, up)
    m = re.match(r'^(ldr|str)(b|h|sb|sh|d)?' + COND + '$', mn)
    if m:
        load = m.group(1) == 'ldr'
        sz, sgn = LS_SIZE[m.group(2) or '']
        rt = reg(o[0])
        rest = o[1:]
        rt2 = None
        if sz == 8 and rest and not rest[0].startswith('['):
            rt2 = reg(rest[0])
            rest = rest[1:]
        mem = parse_mem(rest)
        chk = {'rt': rt, 'size': sz, 'signed': sgn, 'load': load}
        up = unpred
        if mem:
            chk.update({k: mem[k] for k in ('rn', 'index', 'wback', 'add')})
            if mem['reg']:
                chk['rm'] = mem['rm']
                up = up or mem['rm'] == 15 or (isa == 'T' and mem['rm'] == 13)
            else:
                chk['imm'] = abs(mem['imm'])
                if mem['imm'] == 0:
                    del chk['add']  # "#-0" prints as "#0"
                if isa == 'T' and sz == 8 and mem['imm'] == 0:
                    del chk['wback']  # objdump drops "!" after [rn]
            if sz == 8:
                if rt2 is None:
                    rt2 = rt + 1
                    up = up or rt % 2 == 1 or rt == 14
                chk['rt2'] = rt2
            if mem['wback']:
                up = up or mem['rn'] == 15 or mem['rn'] == rt or \
                    (rt2 is not None and mem['rn'] == rt2)
            if sz == 8 and load and mem['reg'] and mem['rm'] in (rt, rt2):
                    up = True
        elif rest and rest[0].startswith('#') is False:
            pass
        up = up or (rt == 15 and sz != 4) or (isa == 'T' and sz == 8 and (rt in (13, 15) or rt2 in (13, 15) or (load and rt == rt2)))
        if isa == 'T' and not load and (rt == 15 or (mem and mem['rn'] == 15)):
            up = True
        if isa == 'T' and rt == 15 and load and sz < 4:
            return Expect('none')  # PLD/PLI-like hints printed as loads
        return Expect('load' if load else 'store', chk, up)
    m = re.match(r'^(ldrex|strex)(b|h|d)?' + COND + '$', mn)
    if m:
        load = m.group(1) == 'ldrex'
        sz = {'b': 1, 'h': 2, 'd': 8, None: 4}[m.group(2)]
        chk = {'size': sz}
        regs = [reg(x) for x in o if not x.startswith('[')]
        mem = parse_mem([x for x in o if x.startswith('[') or x.startswith('#')])
        up = unpred
        if not load:
            chk['rd'] = regs[0]
            regs = regs[1:]
        chk['rt'] = regs[0]
        if len(regs) > 1:
            chk['rt2'] = regs[1]
        elif sz == 8:
            regs = regs + [regs[0] + 1]  # A32 prints Rt only
        if mem:
            chk['rn'] = mem['rn']
            chk['imm'] = mem['imm']
            up = up or mem['rn'] == 15
        allr = ([chk['rd']] if 'rd' in chk else []) + regs
        up = up or 15 in allr or (isa == 'T' and 13 in allr)
        if not load:
            up = up or chk['rd'] in regs or chk['rd'] == chk.get('rn')
        if sz == 8 and isa == 'A':
            up = up or regs[0] % 2 == 1 or regs[0] == 14
        if sz == 8 and load and len(regs) > 1 and regs[0] == regs[1]:
            up = True
        return Expect('ldrex' if load else 'strex', chk, up)
    return Expect('none')


def check_operands(exp, d):
    fl = d['flags']
    got = {
        'rd': d['rd'], 'rn': d['rn'], 'rt': d['rt'], 'rt2': d['rt2'],
        'rm': d['rm'], 'op': d['op'], 'size': d['size'], 'coproc': d['coproc'],
        'opc1': d['opc1'], 'crn': d['crn'], 'crm': d['crm'], 'opc2': d['opc2'],
        'mode': d['mode'], 'reglist': d['reglist'], 'imm': d['imm'],
        'index': bool(fl & IF_INDEX), 'add': bool(fl & IF_ADD),
        'wback': bool(fl & IF_WBACK), 'load': bool(fl & IF_LOAD),
        'signed': bool(fl & IF_SIGNED), 'spsr': bool(fl & IF_SPSR),
    }
    bad = []
    for k, v in exp.checks.items():
        if k == 'imm' and exp.cls in ('load', 'store', 'ldrex', 'strex') and \
                got['rn'] == 15 and not (fl & IF_REG):
            pass
        if got[k] != v:
            bad.append('%s: objdump %r, pvcore %r' % (k, v, got[k]))
    return bad


LINE = re.compile(r'^\s*([0-9a-f]+):\s+((?:[0-9a-f]{4,8} ?)+)\s*\t(\S+)\s*([^@;]*)(.*)$')


def objdump(path, thumb, tool):
    args = [tool, '-D', '-b', 'binary', '-marm']
    if thumb:
        args.append('-Mforce-thumb')
    try:
        out = subprocess.run(args + [path], check=True, capture_output=True,
                             text=True).stdout
    except FileNotFoundError:
        sys.exit('xcheck: %s not found (install binutils-arm-none-eabi)' % tool)
    res = {}
    for line in out.splitlines():
        m = LINE.match(line)
        if m:
            res[int(m.group(1), 16)] = (m.group(3), m.group(4).strip(),
                                         m.group(5))
    return res


def run(dump, tool, isa, items, log, limit=20):
    """items: list of (A-word) or (hw1,) or (hw1, hw2)."""
    with tempfile.TemporaryDirectory() as td:
        path = os.path.join(td, 'x.bin')
        blob = bytearray()
        offs = []
        for it in items:
            offs.append(len(blob))
            if isa == 'A':
                blob += struct.pack('<I', it[0])
            else:
                for h in it:
                    blob += struct.pack('<H', h)
        open(path, 'wb').write(bytes(blob))
        dis = objdump(path, isa == 'T', tool)
    inp = ''.join(('A %08x\n' % it[0]) if isa == 'A' else
                  ('T ' + ' '.join('%04x' % h for h in it) + '\n')
                  for it in items)
    outp = subprocess.run([dump], input=inp, capture_output=True, text=True,
                          check=True).stdout.splitlines()
    if SELF_TEST:
        outp = [corrupt(line) for line in outp]
    assert len(outp) == len(items), 'dump helper output mismatch'
    bad = 0
    per = Counter()
    for it, off, line in zip(items, offs, outp):
        vals = line.split()
        d = dict(zip(FIELDS, [vals[0]] + [int(x) for x in vals[1:]]))
        mnem, ops, comment = dis.get(off, ('.missing', '', ''))
        try:
            word = it[0] if isa == 'A' else (
                it[0] << 16 | it[1] if len(it) == 2 else None)
            exp = expect_of(isa, mnem, ops, comment, word)
        except Exception as e:  # an objdump form this script cannot parse
            exp = Expect('?', unpred=True)
            exp.err = str(e)
        per[exp.cls] += 1
        enc = ' '.join('%08x' % x if isa == 'A' else '%04x' % x for x in it)
        ours = d['cls']
        problem = None
        if exp.cls == '?':
            if ours not in OURS_NOT and ours not in ('load', 'store'):
                problem = 'objdump text unparsed (%s) but pvcore says %s' % (exp.err, ours)
        elif ours in exp.alt:
            pass
        elif exp.cls in OURS_NOT:
            if ours not in OURS_NOT:
                problem = 'pvcore says %s, objdump says ordinary/undefined' % ours
        elif ours != exp.cls:
            if not (ours == 'undef' and exp.unpred):
                problem = 'class: objdump %s, pvcore %s' % (exp.cls, ours)
        elif d['rc'] == 0:
            b = check_operands(exp, d)
            if b:
                problem = '; '.join(b)
        if problem:
            bad += 1
            if bad <= limit:
                log.write('MISMATCH %s %s: %s %s %s\n    -> %s\n' %
                          (isa, enc, mnem, ops, comment.strip(), problem))
    return bad, per


SELF_TEST = False


def corrupt(line):
    """--self-test: a deliberately wrong decoder (swapped load/store
    direction, off-by-one Rt for coprocessor moves) that must be caught."""
    v = line.split()
    if v[0] == 'load':
        v[0] = 'store'
    elif v[0] == 'cp-move':
        v[FIELDS.index('rt')] = str((int(v[FIELDS.index('rt')]) + 1) % 15)
    return ' '.join(v)


def main():
    global SELF_TEST
    ap = argparse.ArgumentParser()
    ap.add_argument('dump')
    ap.add_argument('--count', type=int, default=int(os.environ.get('PV_XCHECK_COUNT', 200000)))
    ap.add_argument('--seed', type=int, default=int(os.environ.get('PV_XCHECK_SEED', 1)))
    ap.add_argument('--objdump', default='arm-none-eabi-objdump')
    ap.add_argument('--no-t16-exhaustive', action='store_true')
    ap.add_argument('--self-test', action='store_true',
                    help='corrupt the decoder output; succeed only if caught')
    a = ap.parse_args()
    SELF_TEST = a.self_test
    rng = random.Random(a.seed)
    total_bad = 0
    a32 = [(w,) for w in sample(rng, A32_REGIONS, a.count)]
    bad, per = run(a.dump, a.objdump, 'A', a32, sys.stdout)
    print('A32: %d encodings, %d mismatches; per objdump class: %s' %
          (len(a32), bad, dict(sorted(per.items()))))
    total_bad += bad
    if a.no_t16_exhaustive:
        t16 = [(rng.randint(0, 0xe7ff),) for _ in range(a.count // 4)]
    else:
        t16 = [(h,) for h in range(0xe800)]
    # IT instructions change how objdump prints what follows: leave them out.
    t16 = [t for t in t16 if not (t[0] & 0xff00 == 0xbf00 and t[0] & 0xf)]
    bad, per = run(a.dump, a.objdump, 'T', t16, sys.stdout)
    print('T16: %d encodings, %d mismatches; per objdump class: %s' %
          (len(t16), bad, dict(sorted(per.items()))))
    total_bad += bad
    t32 = [(w >> 16, w & 0xffff) for w in
           sample(rng, T32_REGIONS, a.count, 0xe8000000, 0xffffffff)]
    bad, per = run(a.dump, a.objdump, 'T', t32, sys.stdout)
    print('T32: %d encodings, %d mismatches; per objdump class: %s' %
          (len(t32), bad, dict(sorted(per.items()))))
    total_bad += bad
    print('total mismatches: %d' % total_bad)
    if SELF_TEST:
        ok = total_bad > 100
        print('self-test: the corrupted decoder was %s' %
              ('caught' if ok else 'NOT caught'))
        return 0 if ok else 1
    return 1 if total_bad else 0


if __name__ == '__main__':
    sys.exit(main())
