"""Signs in as an admin, enrolling TOTP on the way; prints an access token. For the benchmarks."""
import base64, hashlib, hmac, json, struct, sys, time, urllib.error, urllib.request

base, email, password = sys.argv[1:4]

def call(path, body, token=None):
    req = urllib.request.Request(base + path, data=json.dumps(body).encode(), method="POST",
                                 headers={"content-type": "application/json"})
    if token:
        req.add_header("authorization", "Bearer " + token)
    with urllib.request.urlopen(req) as r:
        return json.loads(r.read() or b"{}")

def totp(secret_b32, t):
    key = base64.b32decode(secret_b32 + "=" * (-len(secret_b32) % 8))
    mac = hmac.new(key, struct.pack(">Q", t // 30), hashlib.sha1).digest()
    off = mac[-1] & 15
    return "%06d" % ((struct.unpack(">I", mac[off:off + 4])[0] & 0x7FFFFFFF) % 1000000)

first = call("/api/v1/auth/login", {"email": email, "password": password})
token = first["access_token"]
secret = call("/api/v1/me/mfa/totp", {}, token)["secret"]
codes = call("/api/v1/me/mfa/totp/confirm", {"code": totp(secret, int(time.time()))}, token)["recovery_codes"]
mfa = call("/api/v1/auth/login", {"email": email, "password": password})["mfa_token"]
tokens = call("/api/v1/auth/mfa", {"mfa_token": mfa, "code": codes[0]})
token = tokens["access_token"]
try:
    call("/api/v1/tenants", {"slug": "bench", "name": "Benchmark", "level": "municipal"}, token)
except urllib.error.HTTPError as e:
    if e.code != 409:  # the tenant exists already
        raise
print(token)
