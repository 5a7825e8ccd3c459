"""Every audit action the code writes has Russian words for the history pages.

The calls are found in the syntax tree of every module of cpp_app, however they are spread over lines and whatever
their first argument is: a call of `record` on the audit module (imported under any name), or of `record` imported
from it. An action is a string literal, a choice between literals (`"a.b" if x else "a.c"`), or listed in
DYNAMIC_ACTIONS with every value it takes.
"""
import ast
from pathlib import Path

from cpp_app.domain.workflow import TRANSITIONS
from cpp_app.kernel.audit_labels import AUDIT_ACTION_LABELS

CODE = Path(__file__).resolve().parents[2] / "cpp_app"

# The source text of an action that is computed (as ast.unparse writes it), and the actions it can be.
DYNAMIC_ACTIONS = {
    "f'diagnostic.{action}'": {f"diagnostic.{action}" for action in TRANSITIONS},
}


def _audit_names(tree: ast.Module) -> tuple[set[str], set[str]]:
    """The names this module binds to the audit module, and to its `record` function."""
    modules, functions = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[-1] == "audit":
                    modules.add(alias.asname or alias.name)  # `import cpp_app.audit` is called by its dotted name
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            for alias in node.names:
                if alias.name == "audit":
                    modules.add(alias.asname or alias.name)
                elif alias.name == "record" and module.split(".")[-1] == "audit":
                    functions.add(alias.asname or alias.name)
    return modules, functions


def _is_audit_record(call: ast.Call, modules: set[str], functions: set[str]) -> bool:
    function = call.func
    if isinstance(function, ast.Attribute):
        return function.attr == "record" and ast.unparse(function.value) in modules
    return isinstance(function, ast.Name) and function.id in functions


def _action_argument(call: ast.Call) -> ast.expr | None:
    if len(call.args) >= 2:
        return call.args[1]
    return next((keyword.value for keyword in call.keywords if keyword.arg == "action"), None)


def _values(argument: ast.expr) -> set[str] | None:
    """The actions an argument can be, or None when the test cannot tell."""
    if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
        return {argument.value}
    if isinstance(argument, ast.IfExp):
        body, orelse = _values(argument.body), _values(argument.orelse)
        return body | orelse if body is not None and orelse is not None else None
    return DYNAMIC_ACTIONS.get(ast.unparse(argument))


def recorded_actions() -> tuple[dict[str, list[str]], list[str]]:
    """Each action written anywhere with the places that write it, and the calls whose action is unknown."""
    actions: dict[str, list[str]] = {}
    unknown = []
    for path in sorted(CODE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        modules, functions = _audit_names(tree)
        where = path.relative_to(CODE.parent)
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and _is_audit_record(node, modules, functions)):
                continue
            place = f"{where}:{node.lineno}"
            argument = _action_argument(node)
            values = _values(argument) if argument is not None else None
            if values is None:
                unknown.append(f"{place}: {ast.unparse(argument) if argument is not None else 'no action'}")
                continue
            for value in values:
                actions.setdefault(value, []).append(place)
    return actions, unknown


def test_every_recorded_action_has_a_label():
    actions, unknown = recorded_actions()
    assert not unknown, f"actions the test cannot read; list their values in DYNAMIC_ACTIONS: {unknown}"
    assert len(actions) > 20
    missing = {action: places for action, places in actions.items() if action not in AUDIT_ACTION_LABELS}
    assert not missing, f"audit actions without a label in AUDIT_ACTION_LABELS: {missing}"


def test_the_walk_finds_calls_the_old_pattern_missed():
    # A call spread over lines, actors built in place («Actor(None, None, None)»), a choice between two actions
    # and a computed one.
    actions, _ = recorded_actions()
    assert "user.role_changed" in actions
    assert "privacy.data_destroyed" in actions and "user.unconfirmed_removed" in actions
    assert {"course.closed", "course.reopened", "measure.deactivated", "measure.reactivated"} <= set(actions)
    assert {"diagnostic.submit", "diagnostic.return", "diagnostic.accept"} <= set(actions)
