"""Writes <rule>.tests.yml files (docs/rule-tests.md) and the input files they name."""
import copy, glob, gzip, hashlib, io, json, os, re

from common import RULES
from real import REAL


def yscalar(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    return json.dumps(v, ensure_ascii=False)


def block(text, indent):
    pad = " " * indent
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines = lines[:-1]
    ind = "2" if lines and lines[0].startswith(" ") else ""
    return "|" + ind + "\n" + "\n".join((pad + l) if l else "" for l in lines) + "\n"


def alert_yaml(a):
    out = []
    first = True
    for k in ("rule", "level", "count", "message", "entities", "group", "values"):
        if k not in a:
            continue
        v = a[k]
        pre = "      - " if first else "        "
        first = False
        if isinstance(v, dict):
            inner = ", ".join(f"{yscalar(kk)}: " + ("[" + ", ".join(yscalar(x) for x in vv) + "]" if isinstance(vv, list) else yscalar(vv)) for kk, vv in v.items())
            out.append(f"{pre}{k}: {{{inner}}}")
        else:
            out.append(f"{pre}{k}: {yscalar(v)}")
    return "\n".join(out) + "\n"


# Inputs larger than this are written as gzip files under testdata/ (the pack is embedded in the binary).
INLINE_MAX = 24 * 1024


def ext_of(text):
    t = text.lstrip()
    if t.startswith("{") and "\n{" in t.rstrip() and not t.startswith("{\"records\"") and not t.startswith("{\"@odata") \
            and not t.startswith("{\"Records\""):
        return "ndjson"
    if t.startswith("{") or t.startswith("["):
        return "json"
    return "csv"


def gz_bytes(text):
    buf = io.BytesIO()
    with gzip.GzipFile(fileobj=buf, mode="wb", mtime=0, filename="") as g:
        g.write(text.encode())
    return buf.getvalue()


def slug(name):
    """A file-name form of a case name: readable prefix and a hash of the whole name (no collisions)."""
    h = hashlib.sha256(name.encode()).hexdigest()[:8]
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:48].strip("-") + "-" + h


def clean_generated():
    """Removes the gzip inputs of an earlier run (the real samples are not gzip)."""
    for d in ("signin", "aws", "k8s"):
        for f in glob.glob(os.path.join(RULES, d, "testdata", "*.gz")):
            os.remove(f)


def write_tests(path, cases, header=""):
    """Writes rules/<path>. cases: dicts with name, input or input_file (+ file_text to write it), alerts,
    optional set."""
    s = ""
    if header:
        s += "".join(("# " + l).rstrip() + "\n" for l in header.strip().split("\n"))
    s += "tests:\n"
    for c in cases + REAL.get(path, []):
        s += f"  - name: {yscalar(c['name'])}\n"
        if c.get("set"):
            inner = ", ".join(f"{k}: [" + ", ".join(yscalar(x) for x in v) + "]" for k, v in c["set"].items())
            s += f"    set: {{{inner}}}\n"
        if c.get("input") and len(c["input"]) > INLINE_MAX:
            base = os.path.basename(path).replace(".tests.yml", "")
            c = dict(c, input_file=f"testdata/{base}-{slug(c['name'])}.{ext_of(c['input'])}.gz", file_bytes=gz_bytes(c["input"]))
        if c.get("input_file"):
            s += f"    input_file: {c['input_file']}\n"
            data = c.get("file_bytes")
            if data is None and "file_text" in c:
                data = c["file_text"].encode()
                if c["input_file"].endswith(".gz"):
                    data = gz_bytes(c["file_text"])
            if data is not None:
                full = os.path.join(RULES, os.path.dirname(path), c["input_file"])
                os.makedirs(os.path.dirname(full), exist_ok=True)
                with open(full, "wb") as f:
                    f.write(data)
        else:
            s += "    input: " + block(c["input"], 6)
        if not c["alerts"]:
            s += "    alerts: []\n"
        else:
            s += "    alerts:\n"
            for a in c["alerts"]:
                s += alert_yaml(a)
    with open(os.path.join(RULES, path), "w") as f:
        f.write(s)
    print("wrote", path, len(cases), "cases")


def each_format(formats, recs, name, alerts):
    """One positive case per export format."""
    return [{"name": f"{name} ({fname})", "input": fn(recs), "alerts": copy.deepcopy(alerts)} for fname, fn in formats]
