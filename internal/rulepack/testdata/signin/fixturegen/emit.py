"""Writes <rule>.tests.yml files (docs/rule-tests.md) and the input files they name."""
import copy, json, os

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
        if c.get("input_file"):
            s += f"    input_file: {c['input_file']}\n"
            if "file_text" in c:
                full = os.path.join(RULES, os.path.dirname(path), c["input_file"])
                os.makedirs(os.path.dirname(full), exist_ok=True)
                with open(full, "w") as f:
                    f.write(c["file_text"])
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
