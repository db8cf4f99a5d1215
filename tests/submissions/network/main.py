"""Hostile: connects to a server on the host's loopback (port in port.txt)."""
import socket

port = int(open("port.txt").read())
socket.create_connection(("127.0.0.1", port), timeout=2).sendall(b"escaped")
print("connected")
