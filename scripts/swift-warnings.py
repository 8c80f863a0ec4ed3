#!/usr/bin/env python3
"""Lists the compiler warnings of the project's own Swift files from the last build, cached or not.

`swift build` prints diagnostics only for the files it compiles, so a no-op build (CI runs `make security` after
`make test` built everything) shows none. The compiler also writes every file's diagnostics to a serialized
diagnostics file (`.build/<triple>/debug/<Module>.build/<File>.dia`, LLVM bitstream), which survives until the file
is compiled again; this reads them. Only diagnostics located in existing files under Sources/ and Tests/ count
(dependencies' warnings are not ours to fix).

Usage: scripts/swift-warnings.py [BUILD_DIR] [--allow FILE]
  BUILD_DIR  default .build/debug (SwiftPM's link to the triple folder)
  --allow    a file of allowed warnings, one `path: message substring` per line (# comments); see
             scripts/swift-warnings.allow
Prints one `path:line:col: warning: message` per warning and a summary; exits 1 when a warning is not allowed.
"""
import os
import sys

SEVERITY = {1: "note", 2: "warning", 3: "error", 4: "fatal", 5: "remark"}
BLOCK_DIAG = 9
RECORD_DIAG, RECORD_FILENAME = 2, 6


class Bits:
    """A little-endian bit reader over LLVM bitstream bytes."""

    def __init__(self, data):
        self.data, self.pos = data, 0

    def read(self, width):
        value = 0
        for i in range(width):
            byte = self.data[self.pos >> 3]
            value |= ((byte >> (self.pos & 7)) & 1) << i
            self.pos += 1
        return value

    def vbr(self, width):
        value, shift, top = 0, 0, 1 << (width - 1)
        while True:
            piece = self.read(width)
            value |= (piece & (top - 1)) << shift
            shift += width - 1
            if not piece & top:
                return value

    def align32(self):
        self.pos = (self.pos + 31) & ~31

    def at_end(self):
        return self.pos + 32 > len(self.data) * 8


def read_abbrev(bits):
    ops = []
    for _ in range(bits.vbr(5)):
        if bits.read(1):
            ops.append(("literal", bits.vbr(8)))
        else:
            encoding = bits.read(3)
            if encoding in (1, 2):
                ops.append(("fixed" if encoding == 1 else "vbr", bits.vbr(5)))
            else:
                ops.append(({3: "array", 4: "char6", 5: "blob"}[encoding], None))
    return ops


def read_scalar(bits, op):
    kind, width = op
    if kind == "literal":
        return width
    if kind == "fixed":
        return bits.read(width)
    if kind == "vbr":
        return bits.vbr(width)
    if kind == "char6":
        return "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._"[bits.read(6)]
    raise ValueError(kind)


def read_record(bits, ops):
    """Fields of an abbreviated record; a blob becomes bytes (its last field)."""
    values, i = [], 0
    while i < len(ops):
        kind = ops[i][0]
        if kind == "array":
            element = ops[i + 1]
            values.extend(read_scalar(bits, element) for _ in range(bits.vbr(6)))
            i += 2
            continue
        if kind == "blob":
            length = bits.vbr(6)
            bits.align32()
            start = bits.pos >> 3
            values.append(bits.data[start:start + length])
            bits.pos = (start + length) * 8
            bits.align32()
        else:
            values.append(read_scalar(bits, ops[i]))
        i += 1
    return values


def diagnostics(path):
    """Yields (severity, filename, line, column, message) from one .dia file."""
    data = open(path, "rb").read()
    if not data.startswith(b"DIAG"):
        return
    bits = Bits(data)
    bits.pos = 32
    blockinfo = {}  # block id -> abbreviations defined in BLOCKINFO
    files = {}
    stack = [(2, [], None)]  # (abbrev width, abbrevs, block id)
    current_info = None
    while not bits.at_end():
        width, abbrevs, block = stack[-1]
        code = bits.read(width)
        if code == 0:  # END_BLOCK
            bits.align32()
            stack.pop()
            if not stack:
                return
        elif code == 1:  # ENTER_SUBBLOCK
            new_block, new_width = bits.vbr(8), bits.vbr(4)
            bits.align32()
            bits.read(32)
            stack.append((new_width, list(blockinfo.get(new_block, [])), new_block))
        elif code == 2:  # DEFINE_ABBREV
            ops = read_abbrev(bits)
            if block == 0:
                blockinfo.setdefault(current_info, []).append(ops)
            else:
                abbrevs.append(ops)
        else:
            if code == 3:  # UNABBREV_RECORD
                record = bits.vbr(6)
                values = [bits.vbr(6) for _ in range(bits.vbr(6))]
            else:
                fields = read_record(bits, abbrevs[code - 4])
                record, values = fields[0], fields[1:]
            if block == 0 and record == 1:  # SETBID
                current_info = values[0]
            elif record == RECORD_FILENAME:
                files[values[0]] = bytes(values[-1]).decode("utf-8", "replace")
            elif block == BLOCK_DIAG and record == RECORD_DIAG:
                severity, file_id, line, column = values[0], values[1], values[2], values[3]
                message = bytes(values[-1]).decode("utf-8", "replace") if isinstance(values[-1], (bytes, bytearray)) else ""
                yield SEVERITY.get(severity, str(severity)), files.get(file_id, "?"), line, column, message


def main(argv):
    build, allow_file = ".build/debug", None
    args = list(argv)
    while args:
        arg = args.pop(0)
        if arg == "--allow":
            allow_file = args.pop(0)
        else:
            build = arg
    root = os.getcwd()
    own = tuple(os.path.join(root, part) + os.sep for part in ("Sources", "Tests"))
    allowed = []
    if allow_file and os.path.exists(allow_file):
        for line in open(allow_file, encoding="utf-8"):
            line = line.strip()
            if line and not line.startswith("#") and ": " in line:
                allowed.append(tuple(line.split(": ", 1)))
    found, refused, files = set(), 0, 0
    for folder, _, names in os.walk(os.path.realpath(build)):
        for name in names:
            if not name.endswith(".dia"):
                continue
            files += 1
            for severity, file, line, column, message in diagnostics(os.path.join(folder, name)):
                if severity not in ("warning", "error", "fatal") or not file.startswith(own) or not os.path.exists(file):
                    continue
                found.add((os.path.relpath(file, root), line, column, severity, message))
    for path, line, column, severity, message in sorted(found):
        ok = any(path == p and m in message for p, m in allowed)
        refused += 0 if ok else 1
        print(f"{path}:{line}:{column}: {severity}: {message}{'  (allowed)' if ok else ''}")
    print(f"{len(found)} compiler warnings in Sources/ and Tests/ ({len(found) - refused} allowed), "
          f"from {files} serialized diagnostics files under {build}")
    return 1 if refused else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
