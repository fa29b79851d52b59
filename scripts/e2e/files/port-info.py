# python3 -c "$(cat port-info.py)" NAME: which URL and subdir the Emscripten
# port NAME uses, found by running the port's get() against stand-ins that only
# record fetch_project()'s URL and the first get_dir() path. Prints
# "VERSION URL SUBDIR". Passed as text because it runs inside the trixie root,
# which cannot see this file.
import importlib.util, sys, types
name = sys.argv[1]
spec = importlib.util.spec_from_file_location(
    "port_" + name, "/usr/share/emscripten/tools/ports/" + name + ".py")
port = importlib.util.module_from_spec(spec)
spec.loader.exec_module(port)
seen = {}
class Ports:
    def fetch_project(self, n, url, sha512hash=None):
        seen["url"] = url
    def get_dir(self, *parts):
        seen.setdefault("dir", parts)
        return "/nonexistent"
    def __getattr__(self, attr):
        return lambda *a, **k: None
class Cache:
    def get_lib(self, libname, create, what=None):
        create("/nonexistent/" + libname)
        return libname
port.get(Ports(), types.SimpleNamespace(), types.SimpleNamespace(cache=Cache()))
d = seen["dir"]
assert len(d) == 2 and d[0] == name, d
print(port.VERSION, seen["url"], d[1])
