#!/usr/bin/env python3
"""Listens as systemd does on a notify socket (a Unix datagram socket) and prints each message on one line,
newlines inside it shown as '|'. Usage: notify_listen.py PATH (until killed)."""
import os
import socket
import sys

path = sys.argv[1]
if os.path.exists(path):
    os.unlink(path)
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(path)
os.chmod(path, 0o777)  # the service runs as its own user
while True:
    msg = s.recv(4096).decode(errors="replace")
    print(msg.replace("\n", "|"), flush=True)
