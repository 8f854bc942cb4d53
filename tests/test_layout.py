"""The house rules of the layout: one room per concern, imports that run one way.

- No module of the project is over 400 lines (migrations and tests aside):
  past that, a module holds more than one concern.
- No import cycle among the project's modules (migrations aside): a cycle
  means two modules are one concern split in two, or one reaches into the
  other's internals. grimp (import-linter's own graph) reads the imports.
"""

import os
from pathlib import Path

import grimp

BASE_DIR = Path(__file__).resolve().parent.parent
MAX_LINES = 400
# Folders that hold no module of the project: tests, migrations (generated), installed packages, tools' caches.
SKIPPED_FOLDERS = {"tests", "migrations", "node_modules", "__pycache__"}


def project_modules() -> list[Path]:
    modules = []
    for folder, subfolders, files in os.walk(BASE_DIR):
        # Hidden folders are virtualenvs (.venv), git and tools' caches; pruned in place, so never walked.
        subfolders[:] = sorted(name for name in subfolders if name not in SKIPPED_FOLDERS and not name.startswith("."))
        modules += [Path(folder) / name for name in sorted(files) if name.endswith(".py")]
    return modules


def line_count(path: Path) -> int:
    return len(path.read_text(encoding="utf-8").splitlines())


def test_no_module_is_over_400_lines():
    too_long = {
        str(path.relative_to(BASE_DIR)): lines for path in project_modules() if (lines := line_count(path)) > MAX_LINES
    }
    assert not too_long, f"Modules over {MAX_LINES} lines (split them by concern): " + ", ".join(
        f"{name} ({lines})" for name, lines in sorted(too_long.items())
    )


def test_the_line_limit_sees_the_project_and_skips_the_rest():
    names = {str(path.relative_to(BASE_DIR)) for path in project_modules()}
    assert {"manage.py", "cms/settings/base.py", "cms/pages_api.py", "bench/stream.py"} <= names
    assert not any(name.startswith(("tests/", ".")) or "/migrations/" in name for name in names)


# --- import cycles -----------------------------------------------------------------------------------------


def root_packages() -> list[str]:
    """The project's top-level packages: the folders beside manage.py that hold modules (bench/ has no __init__)."""
    return sorted(
        path.name
        for path in BASE_DIR.iterdir()
        if path.is_dir()
        and path.name not in SKIPPED_FOLDERS
        and not path.name.startswith(".")
        and any(path.glob("*.py"))
    )


def import_graph() -> dict[str, set[str]]:
    """module -> the project modules it imports directly, migrations left out."""
    # cache_dir=None: grimp would otherwise write a .grimp_cache folder into the working directory.
    graph = grimp.build_graph(*root_packages(), cache_dir=None)
    modules = {module for module in graph.modules if ".migrations." not in f"{module}."}
    return {module: graph.find_modules_directly_imported_by(module) & modules for module in modules}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan's algorithm, without recursion)."""
    index, lowlink, on_stack, stack, found = {}, {}, set(), [], []
    for root in sorted(graph):
        if root in index:
            continue
        index[root] = lowlink[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        work = [(root, iter(sorted(graph[root])))]
        while work:
            module, imported = work[-1]
            target = next(imported, None)
            if target is not None:
                if target not in index:
                    index[target] = lowlink[target] = len(index)
                    stack.append(target)
                    on_stack.add(target)
                    work.append((target, iter(sorted(graph[target]))))
                elif target in on_stack:
                    lowlink[module] = min(lowlink[module], index[target])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                lowlink[parent] = min(lowlink[parent], lowlink[module])
            if lowlink[module] == index[module]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == module:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return sorted(found)


def a_loop(graph: dict[str, set[str]], component: list[str]) -> list[str]:
    """One chain of imports inside `component` from its first module back to it (shortest, breadth first)."""
    start, members = component[0], set(component)
    paths = {start: [start]}
    queue = [start]
    for module in queue:
        for target in sorted(graph[module] & members):
            if target == start:
                return [*paths[module], start]
            if target not in paths:
                paths[target] = [*paths[module], target]
                queue.append(target)
    raise AssertionError(f"{component} is not a cycle")


def test_no_import_cycle_among_the_project_modules():
    graph = import_graph()
    found = cycles(graph)
    assert not found, "Import cycles (the modules of each, then one loop of imports through them): " + "; ".join(
        f"{{{', '.join(cycle)}}}: {' -> '.join(a_loop(graph, cycle))}" for cycle in found
    )


def test_the_cycle_finder_finds_cycles_and_only_them():
    graph = {
        "a": {"b"},
        "b": {"c"},
        "c": {"a", "d"},  # a -> b -> c -> a
        "d": {"e"},
        "e": {"d"},  # d <-> e, reached from the first cycle
        "f": {"a"},  # imports a cycle without being in one
        "g": set(),
    }
    assert cycles(graph) == [["a", "b", "c"], ["d", "e"]]
    assert cycles({"a": {"b"}, "b": set()}) == []
    assert a_loop(graph, ["a", "b", "c"]) == ["a", "b", "c", "a"]


def test_the_import_graph_covers_every_app_and_no_migration():
    graph = import_graph()
    assert {"cms.pages_api", "downloads.grants", "videos.models", "search.api", "bench.stream"} <= set(graph)
    assert "cms.page_queries" in graph["cms.pages_api"]
    assert not any(".migrations." in f"{module}." for module in graph)
