import io
import os
import pty
import sys

from polyprof.progress import Status


class Tty(io.StringIO):
    def isatty(self):
        return True


def test_status_is_silent_when_output_is_redirected(monkeypatch):
    stream = Tty()
    monkeypatch.setattr(sys, "stdout", io.StringIO())  # stdout redirected to a file
    s = Status(3, stream)
    s.step("round 1")
    s.close()
    assert stream.getvalue() == ""


def test_status_draws_a_bar_on_a_terminal(monkeypatch):
    master, slave = pty.openpty()
    with os.fdopen(slave, "w") as tty_out:
        monkeypatch.setattr(sys, "stdout", tty_out)
        stream = Tty()
        s = Status(4, stream)
        s.advance()
        s.step("round 1/2 work go/pprof")
        s.close()
    os.close(master)
    text = stream.getvalue()
    assert "1/4 round 1/2 work go/pprof" in text and "[######" in text
    assert text.endswith("\r")
