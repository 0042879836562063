"""A switchboard plugin in Python, with nothing but the standard library.

It speaks JSON-RPC 2.0, one message per line (docs/jsonrpc.md), over the
connection named by SWITCHBOARD_ADDR ("host:port" or "unix:/path"), which
the host sets when it spawns the plugin:

    switchboard run examples/scripts/python.js

Methods: echo (returns its argument), upper ({"text"} -> {"text"} in capitals),
count (n async values, then n), fail (an error of its own), boom (an
exception: the host reports a panic), slow (says it started, then waits until the
host cancels the call or {"ms"} pass). Each call runs in a thread of its
own, so a cancel arrives while a call is running; $/stop lets the calls in
flight finish, then the plugin closes the connection and exits.
"""

import json
import os
import socket
import sys
import threading

METHODS = {
    "echo": {"input": {"type": "any"}, "output": {"type": "any"}},
    "upper": {
        "input": {"type": "struct", "fields": [{"name": "text", "type": "string", "mandatory": True}]},
        "output": {"type": "struct", "fields": [{"name": "text", "type": "string", "mandatory": True}]},
    },
    "count": {"input": {"type": "int"}, "output": {"type": "int"}},
    "fail": {"input": {"type": "string"}},
    "boom": {"input": {"type": "string"}},
    "slow": {"input": {"type": "struct", "fields": [{"name": "ms", "type": "int"}]}, "output": {"type": "string"}},
}


class PluginError(Exception):
    """An error a method returns: the host sees it as the plugin's own."""


class Plugin:
    def __init__(self, sock):
        self.sock = sock
        self.reader = sock.makefile("rb")
        self.write_lock = threading.Lock()
        self.calls = {}  # request id -> threading.Event set on $/cancelRequest
        self.calls_lock = threading.Lock()

    def send(self, message):
        data = json.dumps(message, separators=(",", ":")).encode() + b"\n"
        with self.write_lock:
            self.sock.sendall(data)

    def notify_async(self, value):
        self.send({"jsonrpc": "2.0", "method": "$/async", "params": [value]})

    def register(self):
        self.send({
            "jsonrpc": "2.0", "id": 0, "method": "register",
            "params": {
                "name": "python", "version": "1.0",
                "token": os.environ.get("SWITCHBOARD_TOKEN", ""),
                "functions": METHODS, "capabilities": ["cancel"],
            },
        })
        answer = json.loads(self.reader.readline())
        if "error" in answer:
            sys.exit("switchboard refused the plugin: " + answer["error"]["message"])

    # The methods: each gets the payload and an Event set when cancelled.
    def echo(self, value, cancelled):
        return value

    def upper(self, value, cancelled):
        return {"text": value["text"].upper()}

    def count(self, n, cancelled):
        for i in range(n):
            self.notify_async({"step": i + 1, "of": n})
        return n

    def fail(self, message, cancelled):
        raise PluginError(message)

    def boom(self, message, cancelled):
        raise RuntimeError(message)  # a bug: the host reports a panic

    def slow(self, value, cancelled):
        self.notify_async({"started": "slow"})
        if cancelled.wait((value or {}).get("ms", 60000) / 1000):
            self.notify_async({"cancelled": "slow"})
            return "cancelled"
        return "done"

    def handle(self, request, cancelled):
        rid = request["id"]
        method = request["method"]
        try:
            if method not in METHODS:
                error = {"code": -32601, "message": "method not found: " + method}
                self.send({"jsonrpc": "2.0", "id": rid, "error": error})
                return
            params = request.get("params") or [None]
            result = getattr(self, method)(params[0], cancelled)
            self.send({"jsonrpc": "2.0", "id": rid, "result": result})
        except PluginError as e:
            self.send({"jsonrpc": "2.0", "id": rid, "error": {"code": -32000, "message": str(e)}})
        except Exception as e:  # a bug: the host reports it as a panic
            self.send({"jsonrpc": "2.0", "id": rid, "error": {"code": -32603, "message": repr(e)}})
        finally:
            with self.calls_lock:
                self.calls.pop(rid, None)

    def serve(self):
        self.register()
        threads = []
        for line in self.reader:
            if not line.strip():
                continue
            message = json.loads(line)
            method = message.get("method")
            if method == "$/stop":
                break
            if method == "$/cancelRequest":
                with self.calls_lock:
                    event = self.calls.get(message["params"]["id"])
                if event:
                    event.set()
                continue
            if method is None or "id" not in message:
                continue  # a notification this plugin does not know
            cancelled = threading.Event()
            with self.calls_lock:
                self.calls[message["id"]] = cancelled
            t = threading.Thread(target=self.handle, args=(message, cancelled))
            t.start()
            threads.append(t)
            threads = [t for t in threads if t.is_alive()]
        for t in threads:  # finish what is in flight, then go
            t.join()
        self.sock.close()


def connect(addr):
    if addr.startswith("unix:"):
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.connect(addr[len("unix:"):])
        return sock
    host, _, port = addr.rpartition(":")
    return socket.create_connection((host.strip("[]"), int(port)))


if __name__ == "__main__":
    addr = os.environ.get("SWITCHBOARD_ADDR")
    if not addr:
        sys.exit("SWITCHBOARD_ADDR is not set: run this plugin from switchboard")
    Plugin(connect(addr)).serve()
