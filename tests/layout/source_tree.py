"""What the layout checks share: the source files they read and how they report."""
import pathlib
import sys


def source_files(root):
    """Yields (path, path relative to root as text) for every .h and .cpp under agent/ and collectors/."""
    for path in sorted(list(root.glob("agent/**/*")) + list(root.glob("collectors/**/*"))):
        if path.suffix in (".h", ".cpp") and path.is_file():
            yield path, path.relative_to(root).as_posix()


def run(what, violations):
    """Prints violations(root) one per line and a count; the exit code is 1 if there is any."""
    root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else pathlib.Path(__file__).resolve().parents[2])
    found = violations(root)
    for v in found:
        print(v)
    print(f"{what}: {len(list(source_files(root)))} files, {len(found)} violations")
    return 1 if found else 0
