"""Hostile: connects to a server on the host's loopback (port in port.txt)."""

import socket
from pathlib import Path

port = int(Path("port.txt").read_text())
socket.create_connection(("127.0.0.1", port), timeout=2).sendall(b"escaped")
print("connected")
