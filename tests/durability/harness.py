"""What the process-level tests share (durability/, soak/): a free loopback port, and a `tribune serve` started
with its output in a log file, waited for until it says it listens."""
import os
import socket
import subprocess
import time


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def serve(binary, data, port, log_path, *extra, env=None, seconds=30):
    """Starts `tribune serve --data DATA --listen 127.0.0.1:PORT EXTRA...`; returns the process once it listens.
    Exits the test with the log's end when it stops first or does not listen in time."""
    log = open(log_path, "w+")
    proc = subprocess.Popen([binary, "serve", "--data", data, "--listen", f"127.0.0.1:{port}", *extra],
                            stdout=log, stderr=subprocess.STDOUT, env=env)
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        log.seek(0)
        if "listening on" in log.read():
            return proc
        if proc.poll() is not None:
            break
        time.sleep(0.05)
    proc.kill()
    log.seek(0)
    raise SystemExit(f"tribune did not start ({os.path.basename(log_path)}):\n{log.read()[-2000:]}")
