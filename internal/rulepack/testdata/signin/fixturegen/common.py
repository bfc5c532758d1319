"""Shared helpers of the sign-in / CloudTrail / Kubernetes rule-test fixture generator."""
import csv, datetime, hashlib, io, json, os, uuid

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.normpath(os.path.join(HERE, "../../../../.."))
RULES = os.path.join(REPO, "internal/rulepack/rules")
PUBLIC = os.path.normpath(os.path.join(REPO, "../shared/data/public"))

TENANT = "7f3c2a91-5b4e-4d8a-9c1f-2e6b8d0a4f53"
WORKSPACE = "e3a1c5b7-9d2f-4b6a-8c0e-1f3d5b7a9c24"


def det_uuid(*parts):
    """A UUID derived from parts: fixtures are stable across regenerations."""
    h = hashlib.sha256("|".join(str(p) for p in parts).encode()).hexdigest()
    return str(uuid.UUID(h[:32]))


def jdump(v):
    return json.dumps(v, ensure_ascii=False, separators=(",", ":"))


def parse_t(t):
    return datetime.datetime.strptime(t, "%Y-%m-%dT%H:%M:%S").replace(tzinfo=datetime.timezone.utc)


def fmt_t(d):
    return d.strftime("%Y-%m-%dT%H:%M:%S")


def add(t, minutes=0, seconds=0, hours=0, days=0):
    """t plus a duration, as "YYYY-MM-DDTHH:MM:SS"."""
    return fmt_t(parse_t(t) + datetime.timedelta(days=days, hours=hours, minutes=minutes, seconds=seconds))


def t7(t):
    return t + ".1234567Z"


def t7off(t):
    return t + ".1234567+00:00"


def tla_csv(t):
    """The Log Analytics portal's CSV datetime ("11/20/2026, 8:01:02.123 AM")."""
    d = parse_t(t)
    h = d.hour % 12 or 12
    ampm = "AM" if d.hour < 12 else "PM"
    return f"{d.month}/{d.day}/{d.year}, {h}:{d.minute:02d}:{d.second:02d}.123 {ampm}"


def csv_text(cols, rows):
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(cols)
    for r in rows:
        w.writerow(r)
    return buf.getvalue()


def ip_n(prefix, n):
    """The n-th address of a /24 written as its first three octets."""
    return f"{prefix}.{n}"
