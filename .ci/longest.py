"""Longest functions and largest files of src/ (for the foundation issue's before/after table).
Usage: python3 .ci/longest.py [SRC_DIR] [N]. A function runs from its `fn` line to the line
where its braces close; nested functions count in their own right too."""
import os, re, sys
src = sys.argv[1] if len(sys.argv) > 1 else "src"
n = int(sys.argv[2]) if len(sys.argv) > 2 else 10
funcs, files = [], []
for root, _, fs in os.walk(src):
    for f in fs:
        if not f.endswith(".rs"):
            continue
        p = os.path.join(root, f)
        L = open(p, encoding="utf-8").read().split("\n")
        files.append((len(L), os.path.relpath(p, src)))
        for i, l in enumerate(L):
            m = re.match(r"\s*(?:pub(?:\([a-z]+\))? )?(?:const )?fn (\w+)", l)
            if not m:
                continue
            depth, started = 0, False
            for j in range(i, len(L)):
                s = re.sub(r'"(?:\\.|[^"\\])*"', '""', L[j].split("//")[0])
                depth += s.count("{") - s.count("}")
                started = started or "{" in s
                if started and depth <= 0:
                    funcs.append((j - i + 1, f"{os.path.relpath(p, src)}::{m.group(1)}"))
                    break
                if not started and s.rstrip().endswith(";"):
                    break
funcs.sort(reverse=True); files.sort(reverse=True)
print(f"{len(files)} files, {sum(f[0] for f in files)} lines; functions over 130 lines: {sum(1 for f in funcs if f[0] > 130)}")
print("largest files:", ", ".join(f"{p} {k}" for k, p in files[:n]))
print("longest functions:", ", ".join(f"{p} {k}" for k, p in funcs[:n]))
