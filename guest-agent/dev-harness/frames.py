# Dev harness: prints the frames a guest agent sends over the ktstr.data virtio-serial socket.
import socket, struct, sys, json, time, zlib
NAMES = {1:'HELLO',2:'LOG',3:'WORKER_REPORT',4:'STIMULUS',5:'RESULT',6:'EXIT',7:'SCHED_EXIT',8:'PAYLOAD_METRICS',9:'SAMPLE',10:'CRASH',11:'STDOUT',12:'STDERR',13:'SCENARIO_START',14:'SCENARIO_END'}
path = sys.argv[1]
for i in range(200):
    try:
        s = socket.socket(socket.AF_UNIX); s.connect(path); break
    except OSError:
        time.sleep(0.05)
t0 = time.time()
buf = b''
def read(n):
    global buf
    while len(buf) < n:
        d = s.recv(65536)
        if not d: return None
        buf += d
    r, buf = buf[:n], buf[n:]
    return r
while True:
    h = read(16)
    if h is None: break
    magic, ver, typ, flags, ln, crc = struct.unpack('>IBBHII', h)
    assert magic == 0x4B545346, hex(magic)
    p = read(ln)
    ok = (zlib.crc32(bytes([typ]) + p) & 0xffffffff) == crc
    txt = p.decode('utf-8', 'replace')
    if typ == 3:
        j = json.loads(txt); j.pop('wakeLatencyHistogram', None); j.pop('migrations', None); txt = json.dumps(j)
    print('%6.2fs %-14s crc=%s %s' % (time.time() - t0, NAMES.get(typ, typ), 'ok' if ok else 'BAD', txt[:1500]), flush=True)
    if typ == 6: break
